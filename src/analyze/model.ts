// The scheduling model: nodes with allocatable resources and pods with what they ask for,
// in the shapes kube-scheduler's filters look at. Pure data.
import type { TaintSpec } from "../spec/schema.js";
import type { PlannedPod, Toleration } from "../lab/pods.js";

export interface SimNode {
  readonly name: string;
  readonly host: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly TaintSpec[];
  readonly unschedulable: boolean;
  readonly allocatable: { readonly cpuMillis: number; readonly memoryBytes: number; readonly pods: number; readonly gpus: number };
}

export type { Toleration };

/**
 * A pod to place: a pod of the lab's pod plan (src/lab/pods.ts), which the renderer emits too, or
 * one a test builds. The controller, when absent: a Deployment when stateless, else a StatefulSet.
 */
export interface SimPod extends Omit<PlannedPod, "controller"> {
  readonly controller?: PlannedPod["controller"];
  /** required pod anti-affinity against pods of the same instance (label app.kubernetes.io/instance) per topology domain (not rendered; tests) */
  readonly antiAffinity?: { readonly topologyKey: string };
  /**
   * requests the pod's containers do not set (the rendered pods set both; tests): the scheduler's
   * NodeResourcesFit scoring counts 100m CPU / 200 MiB for them (schedutil.DefaultMilliCPURequest,
   * DefaultMemoryRequest), while filtering and BalancedAllocation count 0
   */
  readonly unsetRequests?: { readonly cpu?: boolean; readonly memory?: boolean };
}

/** CPU and memory as NodeResourcesFit's scoring counts them: a request that is not set counts 100m / 200 MiB. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;
export const nonZeroCpu = (p: SimPod): number => (p.unsetRequests?.cpu ? DEFAULT_MILLI_CPU_REQUEST : p.requests.cpuMillis);
export const nonZeroMemory = (p: SimPod): number => (p.unsetRequests?.memory ? DEFAULT_MEMORY_REQUEST : p.requests.memoryBytes);

/** The lab app a pod belongs to. */
export const ownerOf = (p: SimPod): string => p.partOf ?? p.app;

/** The controller of a pod (see SimPod.controller). */
export const controllerOf = (p: SimPod): "Deployment" | "StatefulSet" => p.controller ?? (p.stateless ? "Deployment" : "StatefulSet");

export interface Placement {
  /** pod id → node name */
  readonly assigned: ReadonlyMap<string, string>;
  /** pod id → why no node fits */
  readonly pending: ReadonlyMap<string, string>;
}
