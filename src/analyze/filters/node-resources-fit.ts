import type { Filter } from "./index.js";

/** Requests against what is left of allocatable CPU, memory, pod slots and GPUs. */
export const nodeResourcesFit: Filter = (pod, node, state) => {
  const i = state.index.get(node.name)!;
  const a = node.allocatable, r = pod.requests;
  const pods = state.usedPods[i]! + 1 > a.pods, cpu = state.usedCpu[i]! + r.cpuMillis > a.cpuMillis, mem = state.usedMem[i]! + r.memoryBytes > a.memoryBytes, gpu = r.gpus > 0 && state.usedGpus[i]! + r.gpus > a.gpus;
  if (!pods && !cpu && !mem && !gpu) return undefined;
  const reasons: string[] = [];
  if (pods) reasons.push("Too many pods");
  if (cpu) reasons.push("Insufficient cpu");
  if (mem) reasons.push("Insufficient memory");
  if (gpu) reasons.push("Insufficient nvidia.com/gpu");
  return reasons.join(", ");
};
