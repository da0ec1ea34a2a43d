// Pods already being deleted for longer than --skip-wait-for-delete-timeout are skipped
// (kubectl's skipDeletedFilter): useful when the node is gone and their kubelet will never confirm.
import type { DrainOptions, Pod, PodDeleteStatus } from "../types.js";
import { okay, skip } from "../types.js";

export function shouldSkipPod(pod: Pod, skipSeconds: number, now: number): boolean {
  const ts = pod.metadata.deletionTimestamp;
  return skipSeconds > 0 && !!ts && Math.trunc((now - Date.parse(ts)) / 1000) > skipSeconds;
}

export function skipDeletedFilter(pod: Pod, opts: DrainOptions, now: number): PodDeleteStatus {
  return shouldSkipPod(pod, opts.skipWaitForDeleteTimeoutSeconds ?? 0, now) ? skip() : okay();
}
