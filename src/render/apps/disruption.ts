// A stateless app with more than one replica keeps all but one running through node drains.
import type { App } from "../../lab/types.js";
import { appLabels, appSelector, meta } from "./labels.js";
import type { PodPlan } from "../../lab/pods.js";

export function podDisruptionBudget(a: App, plan: PodPlan): Record<string, unknown> | undefined {
  if (!plan.stateless || plan.replicas < 2) return undefined;
  return { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: meta(a.name, a.namespace, appLabels(a)), spec: { maxUnavailable: 1, selector: { matchLabels: appSelector(a) } } };
}
