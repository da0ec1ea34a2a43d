// The slice of the Kubernetes objects a drain reads, and the options it takes (kubectl drain's flags).
export interface OwnerReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid?: string;
  readonly controller?: boolean;
}

export interface Pod {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly uid: string;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly labels?: Readonly<Record<string, string>>;
    readonly ownerReferences?: readonly OwnerReference[];
    readonly deletionTimestamp?: string;
  };
  readonly spec: { readonly nodeName?: string; readonly volumes?: readonly { readonly name: string; readonly emptyDir?: unknown }[] };
  readonly status?: { readonly phase?: string };
}

export interface DrainOptions {
  /** delete pods that declare no controller, and DaemonSet pods whose DaemonSet is gone (kubectl --force) */
  readonly force?: boolean;
  /** leave DaemonSet-managed pods in place instead of refusing (kubectl --ignore-daemonsets) */
  readonly ignoreDaemonSets?: boolean;
  /** evict pods with emptyDir volumes, losing that data (kubectl --delete-emptydir-data) */
  readonly deleteEmptyDirData?: boolean;
  /** seconds each pod gets to terminate; negative: the pod's own (kubectl --grace-period, default -1) */
  readonly gracePeriodSeconds?: number;
  /** give up after this many milliseconds; 0: never (kubectl --timeout, default 0) */
  readonly timeoutMs?: number;
  /** skip pods deleted more than this many seconds ago (kubectl --skip-wait-for-delete-timeout) */
  readonly skipWaitForDeleteTimeoutSeconds?: number;
  /** only these pods (a label selector, kubectl --pod-selector) */
  readonly podSelector?: string;
  /** DELETE instead of the Eviction API: bypasses PodDisruptionBudgets (kubectl --disable-eviction) */
  readonly disableEviction?: boolean;
  /** first wait after a 429 (PodDisruptionBudget); doubles up to maxRetryDelayMs */
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  /** how often to look for evicted pods being gone */
  readonly pollIntervalMs?: number;
  /** the clock (tests) */
  readonly now?: () => number;
}

/** What a filter decides for one pod (kubectl's PodDeleteStatus). */
export type PodDeleteStatus =
  | { readonly delete: true; readonly reason: "Okay" }
  | { readonly delete: false; readonly reason: "Skip" }
  | { readonly delete: boolean; readonly reason: "Warning"; readonly message: string }
  | { readonly delete: false; readonly reason: "Error"; readonly message: string };

export const okay = (): PodDeleteStatus => ({ delete: true, reason: "Okay" });
export const skip = (): PodDeleteStatus => ({ delete: false, reason: "Skip" });
export const warning = (del: boolean, message: string): PodDeleteStatus => ({ delete: del, reason: "Warning", message });
export const error = (message: string): PodDeleteStatus => ({ delete: false, reason: "Error", message });

export const podKey = (p: Pod): string => `${p.metadata.namespace}/${p.metadata.name}`;

export const isFinished = (p: Pod): boolean => p.status?.phase === "Succeeded" || p.status?.phase === "Failed";

/** The owner reference marked controller (metav1.GetControllerOf). */
export const controllerOf = (p: Pod): OwnerReference | undefined => p.metadata.ownerReferences?.find((r) => r.controller === true);
