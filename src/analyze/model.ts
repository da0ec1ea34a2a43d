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
}

export interface Placement {
  /** pod id → node name */
  readonly assigned: ReadonlyMap<string, string>;
  /** pod id → why no node fits */
  readonly pending: ReadonlyMap<string, string>;
}
