// Mirror pods (the API's view of a kubelet's static pods) cannot be deleted through the API: skipped.
import type { Pod, PodDeleteStatus } from "../types.js";
import { okay, skip } from "../types.js";

export const MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror";

export function mirrorPodFilter(pod: Pod): PodDeleteStatus {
  return pod.metadata.annotations && MIRROR_POD_ANNOTATION in pod.metadata.annotations ? skip() : okay();
}
