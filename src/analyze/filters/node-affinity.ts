import type { Filter } from "./index.js";

/** nodeSelector and required node affinity (arch, host pinning, user selectors). */
export const nodeAffinity: Filter = (pod, node) => {
  for (const [k, v] of Object.entries(pod.nodeSelector)) {
    if (node.labels[k] !== v) return `node(s) didn't match Pod's node affinity/selector (${k}=${v})`;
  }
  for (const term of pod.requiredNodeAffinity) {
    const have = node.labels[term.key];
    if (have === undefined || !term.values.includes(have)) return `node(s) didn't match Pod's node affinity/selector (${term.key} in ${term.values.join(",")})`;
  }
  return undefined;
};
