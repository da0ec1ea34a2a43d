// The scheduling model: nodes with allocatable resources and pods with what they ask for,
// in the shapes kube-scheduler's filters look at. Pure data.
import type { TaintSpec } from "../spec/schema.js";

export interface SimNode {
  readonly name: string;
  readonly host: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly TaintSpec[];
  readonly unschedulable: boolean;
  readonly allocatable: { readonly cpuMillis: number; readonly memoryBytes: number; readonly pods: number; readonly gpus: number };
}

export interface Toleration {
  readonly key?: string;
  readonly operator: "Equal" | "Exists";
  readonly value?: string;
  readonly effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

export interface SimPod {
  /** namespace/name, unique */
  readonly id: string;
  readonly app: string;
  /** replica index within its app (StatefulSet ordinal or Deployment replica) */
  readonly ordinal: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly requests: { readonly cpuMillis: number; readonly memoryBytes: number; readonly gpus: number };
  readonly nodeSelector: Readonly<Record<string, string>>;
  /** required node affinity: every term's key must have one of the values (ANDed) */
  readonly requiredNodeAffinity: readonly { readonly key: string; readonly values: readonly string[] }[];
  readonly tolerations: readonly Toleration[];
  /** required pod anti-affinity against pods of the same app (label app.kubernetes.io/instance) per topology domain */
  readonly antiAffinity?: { readonly topologyKey: string };
  /** hard topology spread (whenUnsatisfiable: DoNotSchedule) of the app's pods */
  readonly spread?: {
    readonly maxSkew: number;
    readonly topologyKey: string;
    /** Honor: nodes whose NoSchedule/NoExecute taints the pod does not tolerate are not domains (Kubernetes default: Ignore) */
    readonly nodeTaintsPolicy?: "Honor" | "Ignore";
  };
  /** the pod's volume is bound to one node once placed (node-local storage) */
  readonly nodeLocalVolume: boolean;
  /** stateless: may run anywhere again right away; stateful: needs its volume */
  readonly stateless: boolean;
  /**
   * the controller that owns it, as the renderer emits it (src/render/apps/placement.ts: podPlan.kind;
   * a per-app Postgres is a StatefulSet, Redis a Deployment). A StatefulSet pod on a node lost without
   * a graceful shutdown is not recreated elsewhere until the node is deleted or marked out-of-service.
   * Absent: a Deployment when stateless, else a StatefulSet.
   */
  readonly controller?: "Deployment" | "StatefulSet";
  /** set on an app's own Postgres/Redis pod: which one (the app needs it to serve) */
  readonly dependency?: string;
  /** the lab app it belongs to, when that is not `app` (an app's own Postgres/Redis: `app` is its own instance name) */
  readonly partOf?: string;
  /** the storage class its volume is on, if it has one */
  readonly storageClass?: string;
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
