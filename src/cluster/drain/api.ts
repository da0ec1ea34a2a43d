// What a drain needs from the Kubernetes API, in drain terms. The implementation over Drover's HTTP
// client is in client-api.ts; keeping the seam this narrow keeps the drain logic readable.
import type { Pod } from "./types.js";
import type { DaemonSetLookup } from "./filters/index.js";

export interface NodeObject {
  readonly metadata: { readonly name: string; readonly uid?: string; readonly labels?: Readonly<Record<string, string>> };
  readonly spec?: { readonly unschedulable?: boolean };
  readonly status?: { readonly conditions?: readonly { readonly type: string; readonly status: string }[] };
}

/** The answer to one Eviction (policy/v1) or DELETE request. */
export type EvictOutcome =
  | { readonly kind: "accepted" }
  /** the pod is already gone (404) */
  | { readonly kind: "gone" }
  /** 429: a PodDisruptionBudget does not allow it now */
  | { readonly kind: "too-many-requests"; readonly message: string; readonly retryAfterSeconds?: number }
  /** 403 with cause NamespaceTerminating */
  | { readonly kind: "namespace-terminating"; readonly message: string }
  | { readonly kind: "failed"; readonly status: number; readonly message: string };

export interface DrainApi {
  /** the API server URL, for messages */
  readonly endpoint: string;
  getNode(name: string): Promise<NodeObject | undefined>;
  /** sets spec.unschedulable (cordon/uncordon) */
  setUnschedulable(name: string, unschedulable: boolean): Promise<void>;
  /** every pod bound to the node (all namespaces), optionally narrowed by a label selector; follows `continue` */
  listPodsOnNode(node: string, labelSelector?: string): Promise<Pod[]>;
  daemonSetExists: DaemonSetLookup;
  evict(pod: Pod, gracePeriodSeconds: number | undefined): Promise<EvictOutcome>;
  deletePod(pod: Pod, gracePeriodSeconds: number | undefined): Promise<EvictOutcome>;
  getPod(namespace: string, name: string): Promise<Pod | undefined>;
}
