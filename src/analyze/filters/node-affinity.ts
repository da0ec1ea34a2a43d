import type { Filter } from "./index.js";
import type { NodeAffinityTerm } from "../../lab/pods.js";

/** In: the label is set to one of the values; NotIn: it is not set, or set to none of them. */
export function termMatches(term: NodeAffinityTerm, labels: Readonly<Record<string, string>>): boolean {
  const have = labels[term.key];
  return term.operator === "NotIn" ? have === undefined || !term.values.includes(have) : have !== undefined && term.values.includes(have);
}

/** nodeSelector and required node affinity (arch, host pinning, user selectors). */
export const nodeAffinity: Filter = (pod, node) => {
  for (const [k, v] of Object.entries(pod.nodeSelector)) {
    if (node.labels[k] !== v) return `node(s) didn't match Pod's node affinity/selector (${k}=${v})`;
  }
  for (const term of pod.requiredNodeAffinity) {
    if (!termMatches(term, node.labels)) return `node(s) didn't match Pod's node affinity/selector (${term.key} ${term.operator === "NotIn" ? "notin" : "in"} ${term.values.join(",")})`;
  }
  return undefined;
};
