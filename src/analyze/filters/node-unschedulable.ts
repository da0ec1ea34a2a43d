import type { Filter } from "./index.js";

/** Cordoned nodes take no new pods (unless the pod tolerates node.kubernetes.io/unschedulable). */
export const nodeUnschedulable: Filter = (pod, node) => {
  if (!node.unschedulable) return undefined;
  const tolerated = pod.tolerations.some((t) => (t.operator === "Exists" && !t.key) || (t.key === "node.kubernetes.io/unschedulable" && (t.effect === undefined || t.effect === "NoSchedule")));
  return tolerated ? undefined : "node is unschedulable";
};
