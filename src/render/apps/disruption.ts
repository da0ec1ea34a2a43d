// An app with more than one interchangeable replica (stateless, or independent replicas with their own
// volumes) keeps all but one running through node drains.
import type { App } from "../../lab/types.js";
import { appLabels, appSelector, meta } from "./labels.js";
import type { PodPlan } from "../../lab/pods.js";

export function podDisruptionBudget(a: App, plan: PodPlan): Record<string, unknown> | undefined {
  if (!(plan.stateless || a.independentReplicas) || plan.replicas < 2) return undefined;
  return { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: meta(a.name, a.namespace, appLabels(a)), spec: { maxUnavailable: 1, selector: { matchLabels: appSelector(a) } } };
}
