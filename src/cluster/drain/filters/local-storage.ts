// Pods with emptyDir volumes lose that data when evicted: refused unless --delete-emptydir-data.
// Finished pods may go. kubectl's localStorageFilter.
import type { DrainOptions, Pod, PodDeleteStatus } from "../types.js";
import { error, isFinished, okay, warning } from "../types.js";

export const LOCAL_STORAGE_FATAL = "Pods with local storage (use --delete-emptydir-data to override)";
export const LOCAL_STORAGE_WARNING = "deleting Pods with local storage";

export function hasLocalStorage(pod: Pod): boolean {
  return (pod.spec.volumes ?? []).some((v) => v.emptyDir !== undefined && v.emptyDir !== null);
}

export function localStorageFilter(pod: Pod, opts: DrainOptions): PodDeleteStatus {
  if (!hasLocalStorage(pod)) return okay();
  if (isFinished(pod)) return okay();
  if (!opts.deleteEmptyDirData) return error(LOCAL_STORAGE_FATAL);
  return warning(true, LOCAL_STORAGE_WARNING);
}
