// Where a pod may run, as its spec says it: nodeSelector, required node affinity and tolerations
// (the app's own pods and its Postgres/Redis, from the pod plan in src/lab/pods.ts).
import type { PodPlan } from "../../lab/pods.js";

function affinity(plan: Pick<PodPlan, "requiredNodeAffinity">): Record<string, unknown> | undefined {
  if (!plan.requiredNodeAffinity.length) return undefined;
  return {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: plan.requiredNodeAffinity.map((t) => ({ key: t.key, operator: t.operator ?? "In", values: [...t.values] })) }],
      },
    },
  };
}

/** nodeSelector, affinity and tolerations of a pod spec, each only when there is something to say */
export function placementFields(p: Pick<PodPlan, "nodeSelector" | "requiredNodeAffinity" | "tolerations">): Record<string, unknown> {
  const aff = affinity(p);
  return {
    ...(Object.keys(p.nodeSelector).length ? { nodeSelector: { ...p.nodeSelector } } : {}),
    ...(aff ? { affinity: aff } : {}),
    ...(p.tolerations.length ? { tolerations: p.tolerations.map((t) => ({ ...t })) } : {}),
  };
}

