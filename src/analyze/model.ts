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
}

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
