// Placing pods one at a time the way kube-scheduler 1.35 does (pkg/scheduler/schedule_one.go): filter
// every node, score the feasible ones with the default score plugins, normalised and weighted as its
// default configuration says (apis/config/v1/default_plugins.go), and bind to the best.
//
// The default score plugins, and what they come to for the pods Drover renders:
//   TaintToleration ×3      untolerated PreferNoSchedule taints, normalised reversed (100 when none anywhere)
//   NodeAffinity ×2         preferred node affinity terms: Drover renders none (the plugin skips)
//   NodeResourcesFit ×1     LeastAllocated, cpu and memory weight 1: per resource
//                           ⌊(allocatable − requested) · 100 / allocatable⌋, averaged with integer division;
//                           requested counts 100m CPU / 200 MiB for a container without requests
//   PodTopologySpread ×2    pods without constraints of their own get the system default constraints
//                           (hostname maxSkew 3, zone maxSkew 5, ScheduleAnyway) over the pods their
//                           Service/ReplicaSet/StatefulSet selects (the instance's pods): per node
//                           round(count_host · ln(feasible nodes + 2) + 2 + count_zone · ln(zones + 2) + 4),
//                           normalised 100 · (max + min − s) / max; pods with only hard constraints skip
//   InterPodAffinity ×2     no pod (anti-)affinity terms are rendered: the plugin skips
//   BalancedAllocation ×1   ⌊(1 − |cpu fraction − memory fraction| / 2) · 100⌋ on the actual requests
//                           (fractions capped at 1; a pod without requests skips)
//   ImageLocality ×1        0: no node holds an app's image yet (a fresh cluster, and kwok nodes)
// Ties at the top score are broken at random by the real scheduler. Here the node listed first wins,
// and the decision is recorded as in doubt (NodeState.setDoubt) with every node it could have taken;
// a later decision that looks at a node whose contents depend on such a tie is in doubt too.
// Filters that depend only on the pod's spec and the node's labels/taints (static) are evaluated
// once per pod "signature" and cached; the others run per pod.
import { nonZeroCpu, nonZeroMemory, type SimNode, type SimPod } from "./model.js";
import { nodeResourcesFit } from "./filters/node-resources-fit.js";
import type { Doubt, NodeState } from "./state.js";
import { affinityKey, HOSTNAME, ZONE } from "./state.js";
import { staticFilters, dynamicFilters } from "./filters/index.js";
import { tolerates } from "./filters/taint-toleration.js";

export interface ScheduleResult {
  readonly node?: string;
  /** "0/5 nodes are available: 3 Insufficient cpu, 2 node(s) had untolerated taint …" */
  readonly reason?: string;
  /** set when other tie-breaks could have decided differently */
  readonly doubt?: Doubt;
  /** with a doubt: the indexes of every node the pod could have taken */
  readonly possible?: readonly number[];
}

const MAX_NODE_SCORE = 100;
const WEIGHT = { taintToleration: 3, nodeResourcesFit: 1, podTopologySpread: 2, balancedAllocation: 1 } as const;
/** node lists of a decision in doubt are kept up to this size; beyond, "any of its candidate nodes" */
const DOUBT_LIST_MAX = 64;

/**
 * The nodes that pass the static filters for pods of one signature, computed once over every node
 * (removed ones too): the static filters look only at the pod and the node, never at what runs where,
 * and a what-if only takes nodes away, so the scheduler skips the removed ones (state.liveFlags)
 * instead of filtering again whenever the node set changes.
 */
interface Candidates {
  nodes: SimNode[];
  /** per candidate: index into the state's usage arrays, and allocatable */
  idx: Int32Array;
  cpu: Float64Array;
  mem: Float64Array;
  pods: Int32Array;
  gpus: Int32Array;
  /** per candidate: PreferNoSchedule taints the pods do not tolerate (TaintToleration's score) */
  preferTaints: Int32Array;
  anyPreferTaints: boolean;
  /** node index → candidate position, -1 when the static filters reject it */
  pos: Int32Array;
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
  const pos = new Int32Array(state.allNodes().length).fill(-1);
  for (const node of state.allNodes()) {
    let rejected: string | undefined;
    for (const [, f] of staticFilters) { rejected = f(pod, node, state); if (rejected) break; }
    if (rejected) failed.push([state.index.get(node.name)!, rejected]);
    else { pos[state.index.get(node.name)!] = nodes.length; nodes.push(node); }
  }
  // TaintToleration's score looks at the tolerations whose effect is PreferNoSchedule or empty
  const preferTolerations = pod.tolerations.filter((t) => t.effect === undefined || t.effect === "PreferNoSchedule");
  const preferTaints = Int32Array.from(nodes, (n) => n.taints.filter((t) => t.effect === "PreferNoSchedule" && !tolerates(preferTolerations, t)).length);
  const c: Candidates = {
    nodes, failed, pos, preferTaints,
    anyPreferTaints: preferTaints.some((x) => x > 0),
    idx: Int32Array.from(nodes, (n) => state.index.get(n.name)!),
    cpu: Float64Array.from(nodes, (n) => n.allocatable.cpuMillis),
    mem: Float64Array.from(nodes, (n) => n.allocatable.memoryBytes),
    pods: Int32Array.from(nodes, (n) => n.allocatable.pods),
    gpus: Int32Array.from(nodes, (n) => n.allocatable.gpus),
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

/** NodeResourcesFit, LeastAllocated: ⌊(allocatable − requested) · 100 / allocatable⌋ per resource, integer mean */
export function leastAllocated(cpuRequested: number, cpuAllocatable: number, memRequested: number, memAllocatable: number): number {
  let sum = 0, weights = 0;
  if (cpuAllocatable !== 0) { sum += cpuRequested > cpuAllocatable ? 0 : Math.floor(((cpuAllocatable - cpuRequested) * MAX_NODE_SCORE) / cpuAllocatable); weights++; }
  if (memAllocatable !== 0) { sum += memRequested > memAllocatable ? 0 : Math.floor(((memAllocatable - memRequested) * MAX_NODE_SCORE) / memAllocatable); weights++; }
  return weights === 0 ? 0 : Math.floor(sum / weights);
}

/** NodeResourcesBalancedAllocation: int64((1 − |(cpu fraction − memory fraction) / 2|) · 100), fractions capped at 1 */
export function balancedAllocation(cpuRequested: number, cpuAllocatable: number, memRequested: number, memAllocatable: number): number {
  if (cpuAllocatable === 0 || memAllocatable === 0) return MAX_NODE_SCORE; // one resource: std 0
  let fc = cpuRequested / cpuAllocatable, fm = memRequested / memAllocatable;
  if (fc > 1) fc = 1;
  if (fm > 1) fm = 1;
  const std = Math.abs((fc - fm) / 2);
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

// scratch space for one decision, grown as needed (the scheduler is not re-entrant)
let feasK = new Int32Array(64);
let total = new Float64Array(64);
let raw = new Float64Array(64);
let tieK = new Int32Array(64);
function grow(n: number): void {
  if (feasK.length >= n) return;
  const size = Math.max(n, feasK.length * 2);
  feasK = new Int32Array(size); total = new Float64Array(size); raw = new Float64Array(size); tieK = new Int32Array(size);
}

/**
 * Per candidate set and pod shape (requests): every candidate's LeastAllocated + BalancedAllocation
 * score, -1 where the pod does not fit or the node is gone, brought up to date from the state's
 * change log, with a tournament tree over them (the best score, the first candidate with it and how
 * many have it, at the root). A pod with no constraint beyond resources, scored by no normalised
 * plugin, needs only the best of these: no pass over every node's filters and scores per pod.
 */
interface Board {
  readonly score: Int16Array;
  /** the state's change log is applied up to here */
  synced: number;
  /** leaves from `size` on (one per candidate, then padding); node p's children are 2p and 2p + 1 */
  readonly size: number;
  readonly max: Int16Array;
  /** the first candidate with the subtree's best score, and how many have it */
  readonly at: Int32Array;
  readonly ties: Int32Array;
}
const boards = new WeakMap<Candidates, Map<string, Board>>();
const boardKeys = new WeakMap<SimPod, string>();
/** below any score: padding leaves */
const NO_LEAF = -32768;

function newBoard(n: number): Board {
  let size = 1;
  while (size < n) size *= 2;
  const b: Board = { score: new Int16Array(n), synced: 0, size, max: new Int16Array(2 * size).fill(NO_LEAF), at: new Int32Array(2 * size), ties: new Int32Array(2 * size) };
  return b;
}

/** recomputes tree node p from its children (the left one wins ties: the first candidate) */
function pull(b: Board, p: number): void {
  const l = 2 * p, r = l + 1;
  const ml = b.max[l]!, mr = b.max[r]!;
  if (ml > mr) { b.max[p] = ml; b.at[p] = b.at[l]!; b.ties[p] = b.ties[l]!; }
  else if (mr > ml) { b.max[p] = mr; b.at[p] = b.at[r]!; b.ties[p] = b.ties[r]!; }
  else { b.max[p] = ml; b.at[p] = b.at[l]!; b.ties[p] = b.ties[l]! + b.ties[r]!; }
}

/** sets candidate k's value in the tree (its score, or -1 to leave it out of a query) */
function setLeaf(b: Board, k: number, v: number): void {
  let p = b.size + k;
  b.max[p] = v;
  for (p >>= 1; p >= 1; p >>= 1) pull(b, p);
}

function boardScore(pod: SimPod, cand: Candidates, state: NodeState, k: number): number {
  const i = cand.idx[k]!;
  if (!state.liveFlags[i]) return -1;
  const { cpuMillis, memoryBytes, gpus } = pod.requests;
  const ucpu = state.usedCpu[i]! + cpuMillis, umem = state.usedMem[i]! + memoryBytes;
  if (state.usedPods[i]! + 1 > cand.pods[k]! || ucpu > cand.cpu[k]! || umem > cand.mem[k]! || (gpus > 0 && state.usedGpus[i]! + gpus > cand.gpus[k]!)) return -1;
  const ac = cand.cpu[k]!, am = cand.mem[k]!;
  return WEIGHT.nodeResourcesFit * leastAllocated(state.usedNzCpu[i]! + nonZeroCpu(pod), ac, state.usedNzMem[i]! + nonZeroMemory(pod), am)
    + (cpuMillis === 0 && memoryBytes === 0 ? 0 : WEIGHT.balancedAllocation * balancedAllocation(ucpu, ac, umem, am));
}

function board(pod: SimPod, cand: Candidates, state: NodeState): Board {
  let m = boards.get(cand);
  if (!m) { m = new Map(); boards.set(cand, m); }
  let key = boardKeys.get(pod);
  if (key === undefined) {
    const r = pod.requests;
    key = `${r.cpuMillis}/${r.memoryBytes}/${r.gpus}/${pod.unsetRequests?.cpu ? 1 : 0}${pod.unsetRequests?.memory ? 1 : 0}`;
    boardKeys.set(pod, key);
  }
  let b = m.get(key);
  const n = cand.nodes.length;
  if (!b || state.changes - b.synced > n) {
    b ??= newBoard(n);
    for (let k = 0; k < n; k++) {
      const s = boardScore(pod, cand, state, k);
      b.score[k] = s;
      b.max[b.size + k] = s; b.at[b.size + k] = k; b.ties[b.size + k] = 1;
    }
    for (let p = b.size - 1; p >= 1; p--) pull(b, p);
    b.synced = state.changes;
    m.set(key, b);
    return b;
  }
  const log = state.changeLog;
  for (let c = b.synced; c < state.changes; c++) {
    const k = cand.pos[log[c]!]!;
    if (k < 0) continue;
    const s = boardScore(pod, cand, state, k);
    if (s !== b.score[k]) { b.score[k] = s; setLeaf(b, k, s); }
  }
  b.synced = state.changes;
  return b;
}

export function scheduleOne(pod: SimPod, state: NodeState): ScheduleResult {
  const cand = staticCandidates(pod, state);
  // the quick way: resources only, nothing normalised that varies, no doubt to work out
  if (!pod.spread && !pod.antiAffinity && !pod.nodeLocalVolume && !cand.anyPreferTaints && state.placedCount(pod.app) === 0 && !(state.tracking && (state.anyDirty || state.isDirtyApp(pod.app)))) {
    const b = board(pod, cand, state);
    if (b.max[1]! >= 0 && !(state.tracking && b.ties[1]! > 1)) return { node: cand.nodes[b.at[1]!]!.name };
  }
  return scheduleScored(pod, state, cand);
}

/**
 * Per candidate set and topology key: each candidate's domain (the key's value on it) as a small
 * number, -1 where the label is missing, and the number of each domain. Static, like the candidates.
 */
interface Domains {
  readonly ids: Int32Array;
  readonly byName: ReadonlyMap<string, number>;
  /** whether a candidate lacks the label */
  readonly missing: boolean;
  /** the candidates of domain d: members[start[d] … start[d + 1]) */
  readonly start: Int32Array;
  readonly members: Int32Array;
}
const domainTables = new WeakMap<Candidates, Map<string, Domains>>();

function candidateDomains(cand: Candidates, topologyKey: string): Domains {
  let m = domainTables.get(cand);
  if (!m) { m = new Map(); domainTables.set(cand, m); }
  let d = m.get(topologyKey);
  if (!d) {
    const byName = new Map<string, number>();
    const ids = Int32Array.from(cand.nodes, (n) => {
      const v = n.labels[topologyKey];
      if (v === undefined) return -1;
      let id = byName.get(v);
      if (id === undefined) { id = byName.size; byName.set(v, id); }
      return id;
    });
    const start = new Int32Array(byName.size + 1);
    for (const id of ids) if (id >= 0) start[id + 1]!++;
    for (let x = 0; x < byName.size; x++) start[x + 1]! += start[x]!;
    const fill = start.slice(0, byName.size);
    const members = new Int32Array(start[byName.size]!);
    ids.forEach((id, k) => { if (id >= 0) members[fill[id]!++] = k; });
    d = { ids, byName, missing: ids.includes(-1), start, members };
    m.set(topologyKey, d);
  }
  return d;
}

/**
 * The domains where PodTopologySpread rejects the pod: those whose count of the instance's pods, plus
 * this one, would exceed the minimum by more than maxSkew (a handful at most: only domains holding
 * pods of the instance can). Candidates without the label are rejected too (ids -1).
 */
function spreadRejects(pod: SimPod, spread: NonNullable<SimPod["spread"]>, state: NodeState, dom: Domains): number[] {
  const counts = state.appCounts(pod.app, spread.topologyKey);
  const out: number[] = [];
  if (counts.size === 0) return out;
  const min = state.minDomainCount(pod, spread.topologyKey);
  for (const [domain, count] of counts) {
    if (count + 1 - min <= spread.maxSkew) continue;
    const id = dom.byName.get(domain);
    if (id !== undefined) out.push(id);
  }
  return out;
}

/** Every live candidate filtered and scored, with the normalised plugins and the doubt about the decision. */
function scheduleScored(pod: SimPod, state: NodeState, cand: Candidates): ScheduleResult {
  grow(cand.nodes.length);
  let rejections: Map<string, number> | undefined;
  // NodeResourcesFit with its scores from the candidates' board, VolumeBinding and PodTopologySpread
  // worked out once for the pod: a node they all pass is feasible; a node one of them rejects goes
  // through the filters in kube-scheduler's order, for the reason it counts. A pod with
  // anti-affinity (tests) goes through the filters on every node.
  const quick = !pod.antiAffinity;
  const bd = quick ? board(pod, cand, state) : undefined;
  const sc = bd?.score;
  const bound = state.volumeNode(pod.id);
  const boundIdx = bound === undefined ? -1 : state.index.get(bound) ?? -2;
  const spread = pod.spread;
  const dom = quick && spread ? candidateDomains(cand, spread.topologyKey) : undefined;
  const spreadOut = dom ? spreadRejects(pod, spread!, state, dom) : [];
  const tracking = state.tracking;
  // without doubt to work out or a normalised plugin that varies, the decision is the best feasible
  // score on the board: the nodes of the domains spread rejects left out for the query
  if (bd && !tracking && !cand.anyPreferTaints && bound === undefined && !(dom?.missing) && !(!spread && state.placedCount(pod.app) > 0)) {
    const b = bd;
    const masked: number[] = [];
    if (dom) for (const d of spreadOut) for (let x = dom.start[d]!; x < dom.start[d + 1]!; x++) { const k = dom.members[x]!; if (b.score[k]! >= 0) { setLeaf(b, k, -1); masked.push(k); } }
    const best = b.max[1]!, first = b.at[1]!;
    for (const k of masked) setLeaf(b, k, b.score[k]!);
    if (best >= 0) return { node: cand.nodes[first]!.name };
  }
  const { cpuMillis, memoryBytes } = pod.requests;
  const nzCpu = nonZeroCpu(pod), nzMem = nonZeroMemory(pod);
  const bestEffort = cpuMillis === 0 && memoryBytes === 0;
  const { usedCpu, usedMem, usedNzCpu, usedNzMem, liveFlags, dirty } = state;
  const checkDirty = tracking && state.anyDirty;
  let dirtyCandidates = 0;
  let n = 0;
  for (let k = 0; k < cand.nodes.length; k++) {
    const i = cand.idx[k]!;
    if (!liveFlags[i]) continue;
    if (checkDirty && dirty[i] && fitsEmpty(pod, cand, k)) dirtyCandidates++;
    if (sc) {
      const s = sc[k]!;
      if (s >= 0 && (bound === undefined || i === boundIdx) && (!dom || (dom.ids[k]! >= 0 && (spreadOut.length === 0 || !spreadOut.includes(dom.ids[k]!))))) {
        total[n] = s;
        feasK[n] = k;
        n++;
        continue;
      }
    }
    let rejected: string | undefined;
    for (const [, f] of dynamicFilters) { rejected = f(pod, cand.nodes[k]!, state); if (rejected) break; }
    if (rejected) {
      rejections ??= staticRejections(cand, liveFlags);
      rejections.set(rejected, (rejections.get(rejected) ?? 0) + 1);
      continue;
    }
    const ac = cand.cpu[k]!, am = cand.mem[k]!;
    total[n] = WEIGHT.nodeResourcesFit * leastAllocated(usedNzCpu[i]! + nzCpu, ac, usedNzMem[i]! + nzMem, am)
      + (bestEffort ? 0 : WEIGHT.balancedAllocation * balancedAllocation(usedCpu[i]! + cpuMillis, ac, usedMem[i]! + memoryBytes, am));
    feasK[n] = k;
    n++;
  }
  // the normalised plugins vary from node to node only with PreferNoSchedule taints, or for spread
  // with pods of the instance already placed (else every node gets the same 100)
  const spreadScored = !pod.spread && state.placedCount(pod.app) > 0;
  if (n > 0 && cand.anyPreferTaints) addTaintToleration(cand, n);
  if (n > 0 && spreadScored) addSpread(pod, cand, state, n);

  let best = -Infinity, ties = 0;
  for (let j = 0; j < n; j++) {
    const s = total[j]!;
    if (s > best) { best = s; ties = 0; tieK[ties++] = feasK[j]!; }
    else if (s === best) tieK[ties++] = feasK[j]!;
  }
  const node = ties > 0 ? cand.nodes[tieK[0]!]!.name : undefined;
  const d = tracking && (ties > 1 || dirtyCandidates > 0 || state.isDirtyApp(pod.app)) ? doubtOf(pod, cand, state, n, ties, spreadScored || cand.anyPreferTaints, dirtyCandidates) : undefined;
  if (node !== undefined) return d ? { node, ...d } : { node };
  const all = rejections ?? staticRejections(cand, liveFlags);
  const parts = [...all].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([r, c]) => `${c} ${r}`);
  const reason = `0/${state.nodes().length} nodes are available${parts.length ? `: ${parts.join(", ")}` : ""}`;
  return d ? { reason, ...d } : { reason };
}

/** TaintToleration ×3: untolerated PreferNoSchedule taints, DefaultNormalizeScore reversed */
function addTaintToleration(cand: Candidates, n: number): void {
  let max = 0;
  for (let j = 0; j < n; j++) max = Math.max(max, cand.preferTaints[feasK[j]!]!);
  if (max === 0) return; // every node 100: the same for all
  for (let j = 0; j < n; j++) {
    const s = MAX_NODE_SCORE - Math.floor((MAX_NODE_SCORE * cand.preferTaints[feasK[j]!]!) / max);
    total[j] = total[j]! + WEIGHT.taintToleration * s;
  }
}

/** PodTopologySpread ×2 with the system default constraints (hostname maxSkew 3, then zone maxSkew 5) */
function addSpread(pod: SimPod, cand: Candidates, state: NodeState, n: number): void {
  const hostCounts = state.appCounts(pod.app, HOSTNAME);
  const zoneCounts = state.appCounts(pod.app, ZONE);
  // the zones among the feasible nodes (a node without the label is in the zone "")
  const seen = new Uint8Array(state.zoneCount + 1);
  let zones = 0;
  for (let j = 0; j < n; j++) {
    const z = state.zoneId[cand.idx[feasK[j]!]!]! + 1;
    if (!seen[z]) { seen[z] = 1; zones++; }
  }
  const hostWeight = Math.log(n + 2), zoneWeight = Math.log(zones + 2);
  let min = Infinity, max = 0;
  for (let j = 0; j < n; j++) {
    const node = cand.nodes[feasK[j]!]!;
    let score = 0;
    const host = node.labels[HOSTNAME];
    if (host !== undefined) score += (hostCounts.get(host) ?? 0) * hostWeight + (3 - 1);
    const zone = node.labels[ZONE];
    if (zone !== undefined) score += (zoneCounts.get(zone) ?? 0) * zoneWeight + (5 - 1);
    const s = Math.round(score);
    raw[j] = s;
    if (s < min) min = s;
    if (s > max) max = s;
  }
  for (let j = 0; j < n; j++) {
    const s = max === 0 ? MAX_NODE_SCORE : Math.floor((MAX_NODE_SCORE * (max + min - raw[j]!)) / max);
    total[j] = total[j]! + WEIGHT.podTopologySpread * s;
  }
}

/**
 * What other tie-breaks could have made of this decision. The nodes whose contents are not in doubt
 * score the same whatever the earlier ties did, so the pod goes to one of their top-scoring nodes or
 * to a node in doubt; when the normalised plugins vary, or the instance itself has a pod in doubt,
 * any feasible node could win.
 */
function doubtOf(pod: SimPod, cand: Candidates, state: NodeState, n: number, ties: number, normalised: boolean, dirtyCandidates: number): { doubt: Doubt; possible: number[] } | undefined {
  const dirty = state.dirty, live = state.liveFlags;
  const appDirty = state.isDirtyApp(pod.app);
  const constrained = appDirty && (!!pod.spread || !!pod.antiAffinity || pod.nodeLocalVolume);
  if (dirtyCandidates === 0 && !appDirty) {
    if (ties <= 1) return undefined;
    return doubtFrom(Array.from(tieK.subarray(0, ties), (k) => cand.idx[k]!), false, false);
  }
  const possible: number[] = [];
  // every node in doubt that passed the static filters may take it, unless it could not even when empty
  for (let k = 0; k < cand.nodes.length; k++) { const i = cand.idx[k]!; if (live[i] && dirty[i] && fitsEmpty(pod, cand, k)) possible.push(i); }
  let cleanFeasible = 0;
  if (appDirty || normalised) {
    for (let j = 0; j < n; j++) { const i = cand.idx[feasK[j]!]!; if (!dirty[i]) { possible.push(i); cleanFeasible++; } }
  } else {
    let best = -Infinity;
    for (let j = 0; j < n; j++) { const i = cand.idx[feasK[j]!]!; if (!dirty[i]) { cleanFeasible++; if (total[j]! > best) best = total[j]!; } }
    for (let j = 0; j < n; j++) { const i = cand.idx[feasK[j]!]!; if (!dirty[i] && total[j] === best) possible.push(i); }
  }
  let possiblyPending = false, possiblyPlaced = false;
  if (n > 0) {
    // placed here; with other ties the nodes in doubt may hold more: it may not have fitted
    // (a volume bound in doubt may be bound elsewhere; spread and anti-affinity may allow other domains)
    possiblyPending = (appDirty && pod.nodeLocalVolume) || ((cleanFeasible === 0 || constrained) && !roomWithMargin(pod, cand, state, n));
  } else {
    possiblyPlaced = dirtyCandidates > 0 || (constrained && n === 0 && liveCandidates(cand, state) > 0 && !resourcesOnly(pod, cand, state));
  }
  if (possible.length <= 1 && !possiblyPending && !possiblyPlaced) return undefined;
  return doubtFrom(possible, possiblyPending, possiblyPlaced);
}

/** whether the pod's requests fit the candidate's allocatable at all (no tie can make room beyond that) */
function fitsEmpty(pod: SimPod, cand: Candidates, k: number): boolean {
  const r = pod.requests;
  return r.cpuMillis <= cand.cpu[k]! && r.memoryBytes <= cand.mem[k]! && r.gpus <= cand.gpus[k]!;
}

function liveCandidates(cand: Candidates, state: NodeState): number {
  let c = 0;
  for (let k = 0; k < cand.nodes.length; k++) if (state.liveFlags[cand.idx[k]!]) c++;
  return c;
}

/** whether every live candidate rejects the pod for resources alone (which no tie elsewhere changes) */
function resourcesOnly(pod: SimPod, cand: Candidates, state: NodeState): boolean {
  for (let k = 0; k < cand.nodes.length; k++) {
    if (!state.liveFlags[cand.idx[k]!]) continue;
    if (nodeResourcesFit(pod, cand.nodes[k]!, state) === undefined) return false;
  }
  return true;
}

/** whether a feasible node in doubt has room for the pod even with the largest pod in doubt on it too */
function roomWithMargin(pod: SimPod, cand: Candidates, state: NodeState, n: number): boolean {
  const m = state.doubtMargin();
  for (let j = 0; j < n; j++) {
    const k = feasK[j]!, i = cand.idx[k]!;
    if (state.usedCpu[i]! + pod.requests.cpuMillis + m.cpuMillis <= cand.cpu[k]! && state.usedMem[i]! + pod.requests.memoryBytes + m.memoryBytes <= cand.mem[k]!) return true;
  }
  return false;
}

function doubtFrom(nodes: number[], possiblyPending: boolean, possiblyPlaced: boolean): { doubt: Doubt; possible: number[] } {
  nodes.sort((a, b) => a - b);
  return { doubt: { nodes: nodes.length <= DOUBT_LIST_MAX ? nodes : undefined, count: nodes.length, possiblyPending, possiblyPlaced }, possible: nodes };
}

/** whether a live candidate (not one of `except`) has room for the pod beside the largest pod in doubt */
function roomAnywhere(pod: SimPod, state: NodeState, except: readonly number[]): boolean {
  const cand = staticCandidates(pod, state);
  const m = state.doubtMargin();
  for (let k = 0; k < cand.nodes.length; k++) {
    const i = cand.idx[k]!;
    if (!state.liveFlags[i] || except.includes(i)) continue;
    if (state.usedCpu[i]! + pod.requests.cpuMillis + m.cpuMillis <= cand.cpu[k]! && state.usedMem[i]! + pod.requests.memoryBytes + m.memoryBytes <= cand.mem[k]! && state.usedPods[i]! + 1 <= cand.pods[k]!) return true;
  }
  return false;
}

/** Whether a pod in doubt may be on the node (by index) with other tie-breaks. */
export function mayBeOn(pod: SimPod, state: NodeState, nodeIndex: number): boolean {
  const d = state.doubtOf(pod.id);
  if (!d) return false;
  if (d.nodes) return d.nodes.includes(nodeIndex);
  return staticCandidates(pod, state).pos[nodeIndex]! >= 0;
}

/** Records a decision's doubt: the nodes it may have taken become nodes in doubt, and so does its instance. */
function recordDoubt(pod: SimPod, state: NodeState, r: ScheduleResult): void {
  if (!state.tracking) return;
  const d = r.doubt;
  if (!d) { state.setDoubt(pod, undefined); return; }
  for (const i of r.possible ?? []) state.markDirty(i);
  if (r.node !== undefined) state.markDirty(state.index.get(r.node)!);
  state.markDirtyApp(pod.app);
  state.setDoubt(pod, d);
}

/**
 * Schedules pods in order; returns what was placed and why the rest are pending. A pod held back by
 * its spread or anti-affinity is tried again once the others are placed, as kube-scheduler requeues
 * an unschedulable pod when a pod is added (more resources never come from that).
 */
export function scheduleAll(pods: readonly SimPod[], state: NodeState): { placed: Map<string, string>; pending: Map<string, string> } {
  const placed = new Map<string, string>();
  const pending = new Map<string, string>();
  const attempt = (pod: SimPod): boolean => {
    const r = scheduleOne(pod, state);
    recordDoubt(pod, state, r);
    if (r.node) { state.place(pod, r.node); placed.set(pod.id, r.node); pending.delete(pod.id); return true; }
    pending.set(pod.id, r.reason!);
    return false;
  };
  for (const pod of pods) attempt(pod);
  for (let again = true; again && pending.size;) {
    again = false;
    for (const pod of pods) if (pending.has(pod.id) && (pod.spread || pod.antiAffinity) && attempt(pod)) again = true;
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

/**
 * Nodes go away: their pods are unplaced (returned with the node they were on). Pods whose place was a
 * tie may have been on one of these nodes with other tie-breaks, or, when they were, elsewhere; they
 * are returned as maybeHit, and the nodes they are on here and their instances are in doubt from now on.
 */
export function failNodes(state: NodeState, nodes: readonly string[]): { displaced: [string, string][]; maybeHit: Set<string> } {
  const maybeHit = new Set<string>();
  if (state.doubted().size) {
    const down = nodes.map((n) => state.index.get(n)!);
    for (const [id, d] of state.doubted()) {
      const p = state.pod(id)!;
      const at = state.assignments().get(id);
      const on = at !== undefined && nodes.includes(at);
      // on a lost node here: hit unless it may have been on a node that stays; elsewhere: unless it may have been on a lost one
      const mayElsewhere = d.nodes ? d.nodes.some((i) => !down.includes(i)) : d.count > down.length;
      if (on ? !mayElsewhere : !down.some((i) => mayBeOn(p, state, i))) continue;
      maybeHit.add(id);
      if (at !== undefined && !on) {
        // with other tie-breaks it was displaced and re-placed with the rest: it may be anywhere now
        state.markDirty(state.index.get(at)!);
        // (and, re-placed, it may not have fitted: unless there is room for it beside the largest pod in doubt)
        const constrained = !!p.spread || !!p.antiAffinity || p.nodeLocalVolume;
        state.setDoubt(p, { nodes: undefined, count: Math.max(d.count, 2), possiblyPending: d.possiblyPending || constrained || !roomAnywhere(p, state, down), possiblyPlaced: false });
      }
      state.markDirtyApp(p.app);
    }
  }
  const displaced: [string, string][] = [];
  for (const n of nodes) for (const id of state.removeNode(n)) displaced.push([id, n]);
  return { displaced, maybeHit };
}
