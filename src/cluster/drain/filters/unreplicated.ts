// Pods no controller owns would not come back anywhere once evicted: refused unless --force.
// Finished pods may go. kubectl's unreplicatedFilter.
import type { DrainOptions, Pod, PodDeleteStatus } from "../types.js";
import { controllerOf, error, isFinished, okay, warning } from "../types.js";

export const UNMANAGED_FATAL = "cannot delete Pods that declare no controller (use --force to override)";
export const UNMANAGED_WARNING = "deleting Pods that declare no controller";

export function unreplicatedFilter(pod: Pod, opts: DrainOptions): PodDeleteStatus {
  if (isFinished(pod)) return okay();
  if (controllerOf(pod)) return okay();
  if (opts.force) return warning(true, UNMANAGED_WARNING);
  return error(UNMANAGED_FATAL);
}
