import type { Filter } from "./index.js";
import type { Toleration } from "../model.js";
import type { TaintSpec } from "../../spec/schema.js";

export function tolerates(tolerations: readonly Toleration[], taint: TaintSpec): boolean {
  return tolerations.some((t) => {
    if (t.effect !== undefined && t.effect !== taint.effect) return false;
    if (t.operator === "Exists") return t.key === undefined || t.key === "" || t.key === taint.key;
    return t.key === taint.key && (t.value ?? "") === (taint.value ?? "");
  });
}

/** NoSchedule and NoExecute taints repel pods that do not tolerate them (PreferNoSchedule only scores). */
export const taintToleration: Filter = (pod, node) => {
  for (const taint of node.taints) {
    if (taint.effect === "PreferNoSchedule") continue;
    if (!tolerates(pod.tolerations, taint)) return `node(s) had untolerated taint {${taint.key}${taint.value ? `: ${taint.value}` : ""}}`;
  }
  return undefined;
};
