// DaemonSet-managed pods are never evicted (the DaemonSet controller ignores cordons and would put
// them straight back): refused without --ignore-daemonsets, left with a warning with it. Finished ones
// may go; orphans (their DaemonSet is gone) go with --force. kubectl's daemonSetFilter.
import type { DrainOptions, Pod, PodDeleteStatus } from "../types.js";
import { controllerOf, error, isFinished, okay, warning } from "../types.js";

export const DAEMONSET_FATAL = "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)";
export const DAEMONSET_WARNING = "ignoring DaemonSet-managed Pods";

/** Whether the DaemonSet exists: "found", "not-found", or an error message from the API. */
export type DaemonSetLookup = (namespace: string, name: string) => Promise<"found" | "not-found" | { error: string }>;

export function isControllerRefDaemonSet(pod: Pod): boolean {
  const ref = controllerOf(pod);
  return !!ref && ref.kind === "DaemonSet" && ref.apiVersion === "apps/v1";
}

export async function daemonSetFilter(pod: Pod, opts: DrainOptions, lookup: DaemonSetLookup): Promise<PodDeleteStatus> {
  const ref = controllerOf(pod);
  if (!ref || !isControllerRefDaemonSet(pod)) return okay();
  if (isFinished(pod)) return okay();
  const found = await lookup(pod.metadata.namespace, ref.name);
  if (found !== "found") {
    if (found === "not-found" && opts.force) return warning(true, `daemonsets.apps "${ref.name}" not found`);
    return error(found === "not-found" ? `daemonsets.apps "${ref.name}" not found` : found.error);
  }
  if (!opts.ignoreDaemonSets) return error(DAEMONSET_FATAL);
  return warning(false, DAEMONSET_WARNING);
}
