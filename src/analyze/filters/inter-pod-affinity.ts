import type { Filter } from "./index.js";

/** Required anti-affinity against the app's own pods: none already in this node's topology domain. */
export const interPodAntiAffinity: Filter = (pod, node, state) => {
  const a = pod.antiAffinity;
  if (!a) return undefined;
  const domain = node.labels[a.topologyKey];
  if (domain === undefined) return undefined;
  return (state.appCounts(pod.app, a.topologyKey).get(domain) ?? 0) > 0 ? "node(s) didn't match pod anti-affinity rules" : undefined;
};
