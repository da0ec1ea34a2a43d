// Placing pods one at a time the way kube-scheduler does: filter every node, score the feasible
// ones, bind to the best. Deterministic: ties go to the node listed first.
// Filters that depend only on the pod's spec and the node's labels/taints (static) are evaluated
// once per pod "signature" and cached; the others run per pod.
import type { SimNode, SimPod } from "./model.js";
import { nodeResourcesFit } from "./filters/node-resources-fit.js";
import type { NodeState } from "./state.js";
import { affinityKey } from "./state.js";
import { staticFilters, dynamicFilters } from "./filters/index.js";

export interface ScheduleResult {
  readonly node?: string;
  /** "0/5 nodes are available: 3 Insufficient cpu, 2 node(s) had untolerated taint …" */
  readonly reason?: string;
}

/**
 * The nodes that pass the static filters for pods of one signature, computed once over every node
 * (removed ones too): the static filters look only at the pod and the node, never at what runs where,
 * and a what-if only takes nodes away, so the scheduler skips the removed ones (state.liveFlags)
 * instead of filtering again whenever the node set changes.
 */
interface Candidates {
  nodes: SimNode[];
  /** per candidate: index into the state's usage arrays, allocatable, and host (zone) label */
  idx: Int32Array;
  cpu: Float64Array;
  mem: Float64Array;
  /** 1 / allocatable (at least 1), for the scores */
  invCpu: Float64Array;
  invMem: Float64Array;
  pods: Int32Array;
  gpus: Int32Array;
  zone: (string | undefined)[];
  /** the nodes the static filters rejected, with why */
  failed: [number, string][];
}
const cache = new WeakMap<NodeState, Map<string, Candidates>>();
const candidateKeys = new WeakMap<SimPod, string>();

/** pods with equal keys pass the static filters on the same nodes; memoised per pod */
function candidateKey(pod: SimPod): string {
  let k = candidateKeys.get(pod);
  if (k === undefined) {
    k = affinityKey(pod) + JSON.stringify(pod.tolerations);
    candidateKeys.set(pod, k);
  }
  return k;
}

function staticCandidates(pod: SimPod, state: NodeState): Candidates {
  let m = cache.get(state);
  if (!m) { m = new Map(); cache.set(state, m); }
  const key = candidateKey(pod);
  const hit = m.get(key);
  if (hit) return hit;
  const nodes: SimNode[] = [];
  const failed: [number, string][] = [];
  for (const node of state.allNodes()) {
    let rejected: string | undefined;
    for (const [, f] of staticFilters) { rejected = f(pod, node, state); if (rejected) break; }
    if (rejected) failed.push([state.index.get(node.name)!, rejected]);
    else nodes.push(node);
  }
  const c: Candidates = {
    nodes, failed,
    idx: Int32Array.from(nodes, (n) => state.index.get(n.name)!),
    cpu: Float64Array.from(nodes, (n) => n.allocatable.cpuMillis),
    mem: Float64Array.from(nodes, (n) => n.allocatable.memoryBytes),
    invCpu: Float64Array.from(nodes, (n) => 1 / Math.max(1, n.allocatable.cpuMillis)),
    invMem: Float64Array.from(nodes, (n) => 1 / Math.max(1, n.allocatable.memoryBytes)),
    pods: Int32Array.from(nodes, (n) => n.allocatable.pods),
    gpus: Int32Array.from(nodes, (n) => n.allocatable.gpus),
    zone: nodes.map((n) => n.labels["topology.kubernetes.io/zone"]),
  };
  m.set(key, c);
  return c;
}

/** why the live nodes the static filters rejected were rejected (counted only when a pod stays Pending) */
function staticRejections(cand: Candidates, live: Uint8Array): Map<string, number> {
  const out = new Map<string, number>();
  for (const [i, why] of cand.failed) if (live[i]) out.set(why, (out.get(why) ?? 0) + 1);
  return out;
}

export function scheduleOne(pod: SimPod, state: NodeState): ScheduleResult {
  const cand = staticCandidates(pod, state);
  let best: string | undefined;
  let bestScore = -Infinity;
  let rejections: Map<string, number> | undefined;
  const zoneCounts = state.appCounts(pod.app, "topology.kubernetes.io/zone");
  const anyOnHosts = zoneCounts.size > 0;
  // fast path: with no volume, spread or anti-affinity constraint only NodeResourcesFit can reject
  const simple = !pod.nodeLocalVolume && !pod.spread && !pod.antiAffinity;
  const { cpuMillis, memoryBytes, gpus } = pod.requests;
  const { usedCpu, usedMem, usedPods, usedGpus, liveFlags } = state;
  for (let k = 0; k < cand.nodes.length; k++) {
    const i = cand.idx[k]!;
    if (!liveFlags[i]) continue;
    const ucpu = usedCpu[i]! + cpuMillis, umem = usedMem[i]! + memoryBytes;
    let rejected: string | undefined;
    if (simple) {
      if (usedPods[i]! + 1 > cand.pods[k]! || ucpu > cand.cpu[k]! || umem > cand.mem[k]! || (gpus > 0 && usedGpus[i]! + gpus > cand.gpus[k]!)) {
        rejected = nodeResourcesFit(pod, cand.nodes[k]!, state);
      }
    } else {
      for (const [, f] of dynamicFilters) { rejected = f(pod, cand.nodes[k]!, state); if (rejected) break; }
    }
    if (rejected) {
      rejections ??= staticRejections(cand, liveFlags);
      rejections.set(rejected, (rejections.get(rejected) ?? 0) + 1);
      continue;
    }
    const cpuFrac = ucpu * cand.invCpu[k]!;
    const memFrac = umem * cand.invMem[k]!;
    // most apps have no other pod placed: no host to look up
    const zone = anyOnHosts ? cand.zone[k] : undefined;
    const s = score(cpuFrac, memFrac, zone === undefined ? 0 : zoneCounts.get(zone) ?? 0);
    if (s > bestScore) { best = cand.nodes[k]!.name; bestScore = s; }
  }
  if (best !== undefined) return { node: best };
  const all = rejections ?? staticRejections(cand, liveFlags);
  const parts = [...all].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([r, n]) => `${n} ${r}`);
  return { reason: `0/${state.nodes().length} nodes are available${parts.length ? `: ${parts.join(", ")}` : ""}` };
}

/** LeastAllocated + BalancedAllocation (cpu and memory, equal weights) and a soft spread of the app's pods over hosts. */
function score(cpuFrac: number, memFrac: number, sameAppOnHost: number): number {
  const least = (2 - cpuFrac - memFrac) * 50;
  const balanced = (1 - Math.abs(cpuFrac - memFrac)) * 100;
  return least + balanced - sameAppOnHost * 100;
}

/** Schedules pods in order; returns what was placed and why the rest are pending. */
export function scheduleAll(pods: readonly SimPod[], state: NodeState): { placed: Map<string, string>; pending: Map<string, string> } {
  const placed = new Map<string, string>();
  const pending = new Map<string, string>();
  for (const pod of pods) {
    const r = scheduleOne(pod, state);
    if (r.node) { state.place(pod, r.node); placed.set(pod.id, r.node); }
    else pending.set(pod.id, r.reason!);
  }
  return { placed, pending };
}

/**
 * Feasibility only: each pod goes to the first live node (from a cursor that moves on, so pods spread)
 * that passes every filter — kube-scheduler's filters exactly, without the scoring pass over every
 * node. Whether a pod can run somewhere is the same answer as scheduleOne's; which node it lands on is
 * not, so when displaced pods compete for the last room the two can differ. For questions asked many
 * times over a large lab (an upgrade plan checks every node's drain).
 */
export function scheduleFirstFit(pods: readonly SimPod[], state: NodeState): { placed: Map<string, string>; pending: Map<string, string> } {
  const placed = new Map<string, string>();
  const pending = new Map<string, string>();
  let cursor = 0;
  for (const pod of pods) {
    const cand = staticCandidates(pod, state);
    const n = cand.nodes.length;
    let found: string | undefined;
    for (let j = 0; j < n && found === undefined; j++) {
      const k = (cursor + j) % n;
      if (!state.liveFlags[cand.idx[k]!]) continue;
      let rejected: string | undefined;
      for (const [, f] of dynamicFilters) { rejected = f(pod, cand.nodes[k]!, state); if (rejected) break; }
      if (!rejected) { found = cand.nodes[k]!.name; cursor = k + 1; }
    }
    if (found !== undefined) { state.place(pod, found); placed.set(pod.id, found); continue; }
    const r = scheduleOne(pod, state); // the reason, counted as kube-scheduler counts it
    if (r.node) { state.place(pod, r.node); placed.set(pod.id, r.node); }
    else pending.set(pod.id, r.reason!);
  }
  return { placed, pending };
}
