import type { Filter } from "./index.js";

/** Requests against what is left of allocatable CPU, memory, pod slots and GPUs. */
export const nodeResourcesFit: Filter = (pod, node, state) => {
  const used = state.used(node.name);
  const reasons: string[] = [];
  if (used.pods + 1 > node.allocatable.pods) reasons.push("Too many pods");
  if (used.cpuMillis + pod.requests.cpuMillis > node.allocatable.cpuMillis) reasons.push("Insufficient cpu");
  if (used.memoryBytes + pod.requests.memoryBytes > node.allocatable.memoryBytes) reasons.push("Insufficient memory");
  if (pod.requests.gpus > 0 && used.gpus + pod.requests.gpus > node.allocatable.gpus) reasons.push("Insufficient nvidia.com/gpu");
  return reasons.length ? reasons.join(", ") : undefined;
};
