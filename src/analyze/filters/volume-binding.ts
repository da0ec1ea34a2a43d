import type { Filter } from "./index.js";

/** A node-local volume, once bound, pins its pod to that node. */
export const volumeBinding: Filter = (pod, node, state) => {
  const bound = state.volumeNode(pod.id);
  if (bound !== undefined && bound !== node.name) return `node(s) had volume node affinity conflict (volume bound to ${bound})`;
  return undefined;
};
