import type { Filter } from "./index.js";

/**
 * Hard spread (DoNotSchedule): placing here must not make (count in this domain + 1) minus the
 * minimum count over eligible domains exceed maxSkew. Eligible domains come from nodes matching the
 * pod's node selector/affinity (nodeAffinityPolicy: Honor); nodes with untolerated taints count as
 * domains unless the constraint says nodeTaintsPolicy: Honor (Drover's rendered apps do).
 */
export const podTopologySpread: Filter = (pod, node, state) => {
  const c = pod.spread;
  if (!c) return undefined;
  const domain = node.labels[c.topologyKey];
  if (domain === undefined) return "node(s) didn't match pod topology spread constraints (missing required label)";
  const counts = state.appCounts(pod.app, c.topologyKey);
  const min = state.minDomainCount(pod, c.topologyKey);
  const here = (counts.get(domain) ?? 0) + 1;
  return here - min > c.maxSkew ? "node(s) didn't match pod topology spread constraints" : undefined;
};
