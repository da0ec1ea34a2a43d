import type { Filter } from "./index.js";

/** the reason for each combination of short resources (bit 1 pods, 2 cpu, 4 memory, 8 GPUs), built once */
const REASONS: readonly string[] = Array.from({ length: 16 }, (_, m) =>
  [m & 1 ? "Too many pods" : "", m & 2 ? "Insufficient cpu" : "", m & 4 ? "Insufficient memory" : "", m & 8 ? "Insufficient nvidia.com/gpu" : ""].filter(Boolean).join(", "));

/** Requests against what is left of allocatable CPU, memory, pod slots and GPUs. */
export const nodeResourcesFit: Filter = (pod, node, state) => {
  const i = state.index.get(node.name)!;
  const a = node.allocatable, r = pod.requests;
  const short = (state.usedPods[i]! + 1 > a.pods ? 1 : 0) | (state.usedCpu[i]! + r.cpuMillis > a.cpuMillis ? 2 : 0) | (state.usedMem[i]! + r.memoryBytes > a.memoryBytes ? 4 : 0) | (r.gpus > 0 && state.usedGpus[i]! + r.gpus > a.gpus ? 8 : 0);
  return short === 0 ? undefined : REASONS[short];
};
