// Placing pods one at a time the way kube-scheduler does: filter every node, score the feasible
// ones, bind to the best. Deterministic: ties go to the node whose name sorts first.
import type { SimPod } from "./model.js";
import type { NodeState } from "./state.js";
import { filters } from "./filters/index.js";

export interface ScheduleResult {
  readonly node?: string;
  /** "0/5 nodes are available: 3 Insufficient cpu, 2 node(s) had untolerated taint …" */
  readonly reason?: string;
  /** filter reason → number of nodes it rejected */
  readonly rejections?: ReadonlyMap<string, number>;
}

export function scheduleOne(pod: SimPod, state: NodeState): ScheduleResult {
  let best: string | undefined;
  let bestScore = -Infinity;
  const rejections = new Map<string, number>();
  let total = 0;
  for (const node of state.nodes()) {
    total++;
    let rejected: string | undefined;
    for (const [, f] of filters) {
      rejected = f(pod, node, state);
      if (rejected) break;
    }
    if (rejected) {
      rejections.set(rejected, (rejections.get(rejected) ?? 0) + 1);
      continue;
    }
    const s = score(pod, node.name, state);
    if (s > bestScore || (s === bestScore && best !== undefined && node.name < best)) {
      best = node.name;
      bestScore = s;
    }
  }
  if (best !== undefined) return { node: best };
  const parts = [...rejections].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([r, n]) => `${n} ${r}`);
  return { reason: `0/${total} nodes are available${parts.length ? `: ${parts.join(", ")}` : ""}`, rejections };
}

/** LeastAllocated + BalancedAllocation (cpu and memory, equal weights) and a soft spread of the app's pods over hosts. */
function score(pod: SimPod, nodeName: string, state: NodeState): number {
  const n = state.node(nodeName)!;
  const u = state.used(nodeName);
  const cpuFrac = (u.cpuMillis + pod.requests.cpuMillis) / Math.max(1, n.allocatable.cpuMillis);
  const memFrac = (u.memoryBytes + pod.requests.memoryBytes) / Math.max(1, n.allocatable.memoryBytes);
  const least = ((1 - cpuFrac) + (1 - memFrac)) * 50;
  const balanced = (1 - Math.abs(cpuFrac - memFrac)) * 100;
  const host = n.labels["topology.kubernetes.io/zone"];
  const sameApp = host === undefined ? 0 : state.appCounts(pod.app, "topology.kubernetes.io/zone").get(host) ?? 0;
  return least + balanced - sameApp * 100;
}

/** Schedules pods in order; returns what was placed and why the rest are pending. */
export function scheduleAll(pods: readonly SimPod[], state: NodeState): { placed: Map<string, string>; pending: Map<string, string> } {
  const placed = new Map<string, string>();
  const pending = new Map<string, string>();
  for (const pod of pods) {
    const r = scheduleOne(pod, state);
    if (r.node) {
      state.place(pod, r.node);
      placed.set(pod.id, r.node);
    } else pending.set(pod.id, r.reason!);
  }
  return { placed, pending };
}
