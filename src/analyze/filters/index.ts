// kube-scheduler's filter plugins that matter for a home lab, one per file. Each returns undefined
// when the node fits, or the reason it does not (in the scheduler's words where it has them).
import type { SimNode, SimPod } from "../model.js";
import type { NodeState } from "../state.js";
import { nodeUnschedulable } from "./node-unschedulable.js";
import { nodeAffinity } from "./node-affinity.js";
import { taintToleration } from "./taint-toleration.js";
import { nodeResourcesFit } from "./node-resources-fit.js";
import { interPodAntiAffinity } from "./inter-pod-affinity.js";
import { podTopologySpread } from "./pod-topology-spread.js";
import { volumeBinding } from "./volume-binding.js";

export type Filter = (pod: SimPod, node: SimNode, state: NodeState) => string | undefined;

/** Filters that look only at the pod's spec and the node's labels and taints. */
export const staticFilters: readonly [string, Filter][] = [
  ["NodeUnschedulable", nodeUnschedulable],
  ["NodeAffinity", nodeAffinity],
  ["TaintToleration", taintToleration],
];

/** Filters that depend on what is already placed. */
export const dynamicFilters: readonly [string, Filter][] = [
  ["NodeResourcesFit", nodeResourcesFit],
  ["VolumeBinding", volumeBinding],
  ["PodTopologySpread", podTopologySpread],
  ["InterPodAffinity", interPodAntiAffinity],
];

/** In kube-scheduler's default order. */
export const filters: readonly [string, Filter][] = [...staticFilters, ...dynamicFilters];
