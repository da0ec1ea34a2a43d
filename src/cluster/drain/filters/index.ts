// kubectl drain's pod filters, applied in kubectl's order; the first that says "don't delete" decides
// (so, as in kubectl, only the last filter's warning survives). Every pod is kept in the list with its
// status: errors refuse the drain, warnings are printed, the rest are evicted.
import type { DrainOptions, Pod, PodDeleteStatus } from "../types.js";
import { podKey } from "../types.js";
import { skipDeletedFilter } from "./skip-deleted.js";
import { daemonSetFilter, type DaemonSetLookup } from "./daemonset.js";
import { mirrorPodFilter } from "./mirror-pod.js";
import { localStorageFilter } from "./local-storage.js";
import { unreplicatedFilter } from "./unreplicated.js";

export type PodFilter = (pod: Pod) => PodDeleteStatus | Promise<PodDeleteStatus>;

export function makeFilters(opts: DrainOptions, lookup: DaemonSetLookup, now: number): PodFilter[] {
  return [
    (p) => skipDeletedFilter(p, opts, now),
    (p) => daemonSetFilter(p, opts, lookup),
    (p) => mirrorPodFilter(p),
    (p) => localStorageFilter(p, opts),
    (p) => unreplicatedFilter(p, opts),
  ];
}

export interface PodDelete {
  readonly pod: Pod;
  readonly status: PodDeleteStatus;
}

export async function filterPods(pods: readonly Pod[], filters: readonly PodFilter[]): Promise<PodDelete[]> {
  return Promise.all(pods.map(async (pod) => {
    let status: PodDeleteStatus = { delete: true, reason: "Okay" };
    for (const f of filters) {
      status = await f(pod);
      if (!status.delete) break;
    }
    return { pod, status };
  }));
}

/** The pods to evict. */
export const podsToDelete = (list: readonly PodDelete[]): Pod[] => list.filter((i) => i.status.delete).map((i) => i.pod);

function grouped(list: readonly PodDelete[], reason: "Warning" | "Error"): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const i of list) {
    if (i.status.reason !== reason) continue;
    const msg = ("message" in i.status && i.status.message) || "unexpected error";
    out.set(msg, [...(out.get(msg) ?? []), podKey(i.pod)]);
  }
  return out;
}

/** "ignoring DaemonSet-managed Pods: kube-system/a, kube-system/b; …" (kubectl's Warnings()) */
export function warnings(list: readonly PodDelete[]): string {
  return [...grouped(list, "Warning")].map(([m, ps]) => `${m}: ${ps.join(", ")}`).join("; ");
}

/** One refusal per reason: "cannot delete Pods with local storage (…): ns/a, ns/b" (kubectl's errors()) */
export function refusals(list: readonly PodDelete[]): { message: string; pods: string[] }[] {
  return [...grouped(list, "Error")].map(([m, pods]) => ({ message: `cannot delete ${m}: ${pods.join(", ")}`, pods }));
}

export { skipDeletedFilter, shouldSkipPod } from "./skip-deleted.js";
export { daemonSetFilter, DAEMONSET_FATAL, DAEMONSET_WARNING, type DaemonSetLookup } from "./daemonset.js";
export { mirrorPodFilter, MIRROR_POD_ANNOTATION } from "./mirror-pod.js";
export { localStorageFilter, LOCAL_STORAGE_FATAL, LOCAL_STORAGE_WARNING } from "./local-storage.js";
export { unreplicatedFilter, UNMANAGED_FATAL, UNMANAGED_WARNING } from "./unreplicated.js";
