// What is placed where during a simulation, indexed so that every filter is O(1) or O(domains),
// and nodes can be taken away and given back (what-if scenarios run on one shared state).
import { nonZeroCpu, nonZeroMemory, type SimNode, type SimPod } from "./model.js";
import { tolerates } from "./filters/taint-toleration.js";
import { termMatches } from "./filters/node-affinity.js";

/** The nodes that are spread domains for pods of one shape (see NodeState.domainShape). */
interface DomainShape {
  /** node indexes (removed nodes included) */
  readonly idx: Int32Array;
  /** per entry: its domain, as an index into names */
  readonly dom: Int32Array;
  readonly names: readonly string[];
  /** how many domains the live nodes make up; -1 until worked out after the nodes changed */
  live: number;
}

interface Used { cpuMillis: number; memoryBytes: number; pods: number; gpus: number }

/**
 * A placement decision that other tie-breaks could have made differently: kube-scheduler picks at
 * random among the nodes with the top score, so the pod may be on any of `nodes` (or, `wide`, on any
 * node that passed its filters), and, where the room left depends on earlier ties, it may have stayed
 * Pending (`possiblyPending`) or, when Pending here, have found a node (`possiblyPlaced`).
 */
export interface Doubt {
  /** node indexes it may be on (this placement's node included); undefined: any of its candidate nodes */
  readonly nodes: readonly number[] | undefined;
  /** how many nodes it may be on */
  readonly count: number;
  readonly possiblyPending: boolean;
  readonly possiblyPlaced: boolean;
}

export class NodeState {
  private readonly nodesByName = new Map<string, SimNode>();
  /** every node, in the order given (its index in the usage arrays) */
  private readonly all: readonly SimNode[];
  /** the live ones, in the same order (worked out when asked for, after a change) */
  private live: readonly SimNode[] | undefined;
  private readonly podsById = new Map<string, SimPod>();
  /** node name → index into the usage arrays */
  readonly index = new Map<string, number>();
  readonly usedCpu: Float64Array;
  readonly usedMem: Float64Array;
  readonly usedPods: Int32Array;
  readonly usedGpus: Int32Array;
  /** CPU and memory as NodeResourcesFit's scoring counts them (unset requests count 100m / 200 MiB) */
  readonly usedNzCpu: Float64Array;
  readonly usedNzMem: Float64Array;
  /** per node index: its topology.kubernetes.io/zone as a small number (-1: none) */
  readonly zoneId: Int32Array;
  readonly zoneCount: number;
  /**
   * per node index: 1 when what runs there may differ from this placement with other tie-breaks
   * (a tied pod may be there, or may not); decisions that look at such a node are in doubt too
   */
  readonly dirty: Uint8Array;
  private dirtyNodes = 0;
  /** instances with a pod in doubt: their spread counts and volume bindings may differ */
  private readonly dirtyApps = new Set<string>();
  /** pod id → its placement, when other tie-breaks could have made it differently */
  private readonly doubts = new Map<string, Doubt>();
  /** the largest CPU and memory request of a pod in doubt (what a node may hold more than here) */
  private doubtCpu = 0;
  private doubtMem = 0;
  /** while a scenario runs: how to undo each change of the doubt bookkeeping, newest last */
  private journal: (() => void)[] | undefined;
  /**
   * whether decisions are checked for ties (and doubt propagated); off, the placement is taken as
   * given. whatIf tracks it below 100 nodes, where kube-scheduler scores every feasible node, so
   * only ties make a placement uncertain (see whatif.ts EXACT_BELOW_NODES).
   */
  tracking = true;
  /** whether scenarios (beginScenario … endScenario) track ties */
  trackScenarios = true;
  private trackingBefore = true;
  private readonly assign = new Map<string, string>();
  private readonly onNode = new Map<string, Set<string>>();
  /** instance → how many of its pods are placed */
  private readonly placedOfApp = new Map<string, number>();
  /** instance → the ids of its pods (placed or not) */
  private readonly podsOfApp = new Map<string, string[]>();
  private readonly boundVolume = new Map<string, string>();
  /** app → topologyKey → domain → pods of the app there (maintained incrementally once built) */
  private readonly appDomains = new Map<string, Map<string, Map<string, number>>>();
  /** affinity key → the indexes of the nodes whose labels match (static: labels never change) */
  private readonly eligibleStatic = new Map<string, Int32Array>();
  /** shape key → the nodes that are spread domains for such pods, with their domains */
  private readonly domainShapes = new Map<string, DomainShape>();
  private readonly minCache = new Map<string, number>();

  constructor(nodes: readonly SimNode[], pods: readonly SimPod[]) {
    this.usedCpu = new Float64Array(nodes.length);
    this.usedMem = new Float64Array(nodes.length);
    this.usedPods = new Int32Array(nodes.length);
    this.usedGpus = new Int32Array(nodes.length);
    this.usedNzCpu = new Float64Array(nodes.length);
    this.usedNzMem = new Float64Array(nodes.length);
    this.dirty = new Uint8Array(nodes.length);
    this.zoneId = new Int32Array(nodes.length);
    const zones = new Map<string, number>();
    nodes.forEach((n, i) => {
      const z = n.labels[ZONE];
      if (z === undefined) this.zoneId[i] = -1;
      else { let id = zones.get(z); if (id === undefined) { id = zones.size; zones.set(z, id); } this.zoneId[i] = id; }
      this.nodesByName.set(n.name, n);
      this.index.set(n.name, i);
      this.onNode.set(n.name, new Set());
    });
    this.zoneCount = zones.size;
    this.all = [...nodes];
    this.live = this.all;
    this.liveFlags = new Uint8Array(nodes.length).fill(1);
    for (const p of pods) this.register(p);
  }

  node(name: string): SimNode | undefined {
    const i = this.index.get(name);
    return i !== undefined && this.liveFlags[i] ? this.all[i] : undefined;
  }
  pod(id: string): SimPod | undefined { return this.podsById.get(id); }
  private register(p: SimPod): void {
    this.podsById.set(p.id, p);
    const ids = this.podsOfApp.get(p.app);
    if (ids) ids.push(p.id); else this.podsOfApp.set(p.app, [p.id]);
  }
  /** the live nodes, in a stable order */
  nodes(): readonly SimNode[] { return (this.live ??= this.all.filter((_, i) => this.liveFlags[i])); }
  /** every node, removed ones included, in the same order */
  allNodes(): readonly SimNode[] { return this.all; }
  /** per node index: 1 while the node is live, 0 once removed (the scheduler's inner loop reads it) */
  readonly liveFlags: Uint8Array;
  used(node: string): Used {
    const i = this.index.get(node)!;
    return { cpuMillis: this.usedCpu[i]!, memoryBytes: this.usedMem[i]!, pods: this.usedPods[i]!, gpus: this.usedGpus[i]! };
  }
  assignments(): ReadonlyMap<string, string> { return this.assign; }
  volumeNode(podId: string): string | undefined { return this.boundVolume.get(podId); }
  /** forgets a node-local volume's binding (undoing a what-if scenario that bound it) */
  unbindVolume(podId: string): void { this.boundVolume.delete(podId); }
  podsOn(node: string): ReadonlySet<string> { return this.onNode.get(node) ?? new Set(); }

  /** the indexes of every node (removed ones too) whose labels satisfy the pod's selector and required affinity; static */
  private eligibleIndexes(pod: SimPod): Int32Array {
    const key = affinityKey(pod);
    let out = this.eligibleStatic.get(key);
    if (out) return out;
    const selector = Object.entries(pod.nodeSelector);
    const found: number[] = [];
    for (let i = 0; i < this.all.length; i++) {
      const labels = this.all[i]!.labels;
      let ok = true;
      for (const [k, v] of selector) if (labels[k] !== v) { ok = false; break; }
      if (ok) for (const t of pod.requiredNodeAffinity) if (!termMatches(t, labels)) { ok = false; break; }
      if (ok) found.push(i);
    }
    out = Int32Array.from(found);
    this.eligibleStatic.set(key, out);
    return out;
  }

  /** how many pods of an app sit in each domain of a topology key */
  appCounts(app: string, topologyKey: string): Map<string, number> {
    let byKey = this.appDomains.get(app);
    if (!byKey) { byKey = new Map(); this.appDomains.set(app, byKey); }
    let counts = byKey.get(topologyKey);
    if (!counts) {
      counts = new Map();
      for (const podId of this.podsOfApp.get(app) ?? []) {
        const at = this.assign.get(podId);
        if (at === undefined) continue;
        const d = this.nodesByName.get(at)?.labels[topologyKey];
        if (d !== undefined) counts.set(d, (counts.get(d) ?? 0) + 1);
      }
      byKey.set(topologyKey, counts);
    }
    return counts;
  }

  /** the smallest count of the app's pods over the eligible domains of a topology key (cached until the next change) */
  minDomainCount(pod: SimPod, topologyKey: string): number {
    const key = domainKey(pod, topologyKey);
    const hit = this.minCache.get(key);
    if (hit !== undefined) return hit;
    const counts = this.appCounts(pod.app, topologyKey);
    const sh = this.domainShape(pod, topologyKey);
    if (sh.live < 0) {
      // how many domains the live nodes make up (until the nodes change)
      const seen = new Uint8Array(sh.names.length);
      let live = 0;
      for (let e = 0; e < sh.idx.length; e++) if (this.liveFlags[sh.idx[e]!] && !seen[sh.dom[e]!]) { seen[sh.dom[e]!] = 1; live++; }
      sh.live = live;
    }
    let min = Infinity;
    // a domain without any of the app's pods makes the minimum 0 (the common case: no need to look)
    if (counts.size < sh.live) min = 0;
    else {
      for (let e = 0; e < sh.idx.length; e++) {
        if (!this.liveFlags[sh.idx[e]!]) continue;
        const c = counts.get(sh.names[sh.dom[e]!]!) ?? 0;
        if (c < min) min = c;
        if (min === 0) break;
      }
    }
    if (min === Infinity) min = 0;
    this.minCache.set(key, min);
    return min;
  }

  /**
   * the spread domains (values of topologyKey) of the nodes eligible for the pod (its selector and
   * required affinity, and its tolerations under nodeTaintsPolicy: Honor): every node's, removed ones
   * too (static), shared by every pod that selects the same nodes whatever its app
   */
  private domainShape(pod: SimPod, topologyKey: string): DomainShape {
    const key = shapeKey(pod, topologyKey);
    let sh = this.domainShapes.get(key);
    if (sh) return sh;
    const honorTaints = pod.spread?.nodeTaintsPolicy === "Honor";
    const idx: number[] = [], dom: number[] = [];
    const ids = new Map<string, number>();
    for (const i of this.eligibleIndexes(pod)) {
      const n = this.all[i]!;
      if (honorTaints && n.taints.some((t) => t.effect !== "PreferNoSchedule" && !tolerates(pod.tolerations, t))) continue;
      const d = n.labels[topologyKey];
      if (d === undefined) continue;
      let id = ids.get(d);
      if (id === undefined) { id = ids.size; ids.set(d, id); }
      idx.push(i);
      dom.push(id);
    }
    sh = { idx: Int32Array.from(idx), dom: Int32Array.from(dom), names: [...ids.keys()], live: -1 };
    this.domainShapes.set(key, sh);
    return sh;
  }

  /**
   * every change of a node's usage or liveness, by node index, in order (schedulers keeping per-node
   * scores bring them up to date from here); `changes` entries are valid
   */
  changeLog = new Int32Array(1024);
  changes = 0;
  private logChange(i: number): void {
    if (this.changes === this.changeLog.length) { const bigger = new Int32Array(this.changeLog.length * 2); bigger.set(this.changeLog); this.changeLog = bigger; }
    this.changeLog[this.changes++] = i;
  }

  place(pod: SimPod, node: string): void {
    if (!this.podsById.has(pod.id)) this.register(pod);
    const i = this.index.get(node)!;
    this.logChange(i);
    this.usedCpu[i] = this.usedCpu[i]! + pod.requests.cpuMillis;
    this.usedMem[i] = this.usedMem[i]! + pod.requests.memoryBytes;
    this.usedPods[i] = this.usedPods[i]! + 1;
    this.usedGpus[i] = this.usedGpus[i]! + pod.requests.gpus;
    this.usedNzCpu[i] = this.usedNzCpu[i]! + nonZeroCpu(pod);
    this.usedNzMem[i] = this.usedNzMem[i]! + nonZeroMemory(pod);
    this.assign.set(pod.id, node);
    this.onNode.get(node)!.add(pod.id);
    this.placedOfApp.set(pod.app, (this.placedOfApp.get(pod.app) ?? 0) + 1);
    if (pod.nodeLocalVolume && !this.boundVolume.has(pod.id)) this.boundVolume.set(pod.id, node);
    this.bump(pod, node, +1);
  }

  unplace(podId: string): void {
    const node = this.assign.get(podId);
    const pod = this.podsById.get(podId);
    if (node === undefined || !pod) return;
    const i = this.index.get(node)!;
    this.logChange(i);
    this.usedCpu[i] = this.usedCpu[i]! - pod.requests.cpuMillis;
    this.usedMem[i] = this.usedMem[i]! - pod.requests.memoryBytes;
    this.usedPods[i] = this.usedPods[i]! - 1;
    this.usedGpus[i] = this.usedGpus[i]! - pod.requests.gpus;
    this.usedNzCpu[i] = this.usedNzCpu[i]! - nonZeroCpu(pod);
    this.usedNzMem[i] = this.usedNzMem[i]! - nonZeroMemory(pod);
    this.assign.delete(podId);
    this.onNode.get(node)!.delete(podId);
    this.placedOfApp.set(pod.app, this.placedOfApp.get(pod.app)! - 1);
    this.bump(pod, node, -1);
  }

  /** a node goes away: its pods are unplaced (their node-local volumes stay bound to it); returns them */
  removeNode(name: string): string[] {
    const displaced = [...(this.onNode.get(name) ?? [])];
    for (const p of displaced) this.unplace(p);
    const i = this.index.get(name);
    if (i !== undefined && this.liveFlags[i]) {
      this.liveFlags[i] = 0;
      this.logChange(i);
      this.changedNodes();
    }
    return displaced;
  }

  /** gives a removed node back (empty) */
  restoreNode(name: string): void {
    const i = this.index.get(name);
    if (i === undefined || this.liveFlags[i]) return;
    this.liveFlags[i] = 1;
    this.logChange(i);
    this.changedNodes();
  }

  /** how many of an instance's pods are placed */
  placedCount(app: string): number { return this.placedOfApp.get(app) ?? 0; }

  // ---- doubt: what other tie-breaks could have placed differently ----

  /** whether any node's contents are in doubt */
  get anyDirty(): boolean { return this.dirtyNodes > 0; }
  isDirtyApp(app: string): boolean { return this.dirtyApps.has(app); }
  doubtOf(podId: string): Doubt | undefined { return this.doubts.get(podId); }
  /** every pod in doubt */
  doubted(): ReadonlyMap<string, Doubt> { return this.doubts; }
  /** the largest CPU and memory request of a pod in doubt */
  doubtMargin(): { cpuMillis: number; memoryBytes: number } { return { cpuMillis: this.doubtCpu, memoryBytes: this.doubtMem }; }

  markDirty(i: number): void {
    if (this.dirty[i]) return;
    this.dirty[i] = 1;
    this.dirtyNodes++;
    this.journal?.push(() => { this.dirty[i] = 0; this.dirtyNodes--; });
  }

  markDirtyApp(app: string): void {
    if (this.dirtyApps.has(app)) return;
    this.dirtyApps.add(app);
    this.journal?.push(() => this.dirtyApps.delete(app));
  }

  /** records (or clears, with undefined) the doubt about a pod's placement */
  setDoubt(pod: SimPod, d: Doubt | undefined): void {
    const prev = this.doubts.get(pod.id);
    if (prev === d) return;
    if (d) this.doubts.set(pod.id, d); else this.doubts.delete(pod.id);
    const cpu = this.doubtCpu, mem = this.doubtMem;
    if (d) { this.doubtCpu = Math.max(cpu, pod.requests.cpuMillis); this.doubtMem = Math.max(mem, pod.requests.memoryBytes); }
    this.journal?.push(() => {
      if (prev) this.doubts.set(pod.id, prev); else this.doubts.delete(pod.id);
      this.doubtCpu = cpu; this.doubtMem = mem;
    });
  }

  /** from here on, changes of the doubt bookkeeping can be undone by endScenario */
  beginScenario(): void { this.journal = []; this.trackingBefore = this.tracking; this.tracking = this.trackScenarios; }
  endScenario(): void {
    const j = this.journal ?? [];
    this.journal = undefined;
    this.tracking = this.trackingBefore;
    for (let k = j.length - 1; k >= 0; k--) j[k]!();
  }

  private changedNodes(): void {
    this.live = undefined;
    for (const sh of this.domainShapes.values()) sh.live = -1;
    if (this.minCache.size) this.minCache.clear();
  }

  private bump(pod: SimPod, node: string, delta: number): void {
    // (a Map's clear allocates a new table: not when there is nothing to clear)
    if (this.minCache.size) this.minCache.clear();
    const byKey = this.appDomains.get(pod.app);
    if (!byKey) return;
    const labels = this.nodesByName.get(node)?.labels;
    for (const [key, counts] of byKey) {
      const d = labels?.[key];
      if (d !== undefined) counts.set(d, (counts.get(d) ?? 0) + delta);
    }
  }
}

export const ZONE = "topology.kubernetes.io/zone";
export const HOSTNAME = "kubernetes.io/hostname";

const affinityKeys = new WeakMap<SimPod, string>();
const domainKeys = new WeakMap<SimPod, { topologyKey: string; key: string }>();
const shapeKeys = new WeakMap<SimPod, { topologyKey: string; key: string }>();

/** Pods with equal keys select the same nodes (node selector and required node affinity); memoised per pod. */
export function affinityKey(pod: SimPod): string {
  let k = affinityKeys.get(pod);
  if (k === undefined) {
    k = JSON.stringify([pod.nodeSelector, pod.requiredNodeAffinity]);
    affinityKeys.set(pod, k);
  }
  return k;
}

/** Pods with equal keys see the same spread domains (adds tolerations under nodeTaintsPolicy: Honor); memoised per pod. */
function shapeKey(pod: SimPod, topologyKey: string): string {
  // the same string instance every time: V8 keeps a string's hash, so Map lookups stay cheap
  const hit = shapeKeys.get(pod);
  if (hit !== undefined && hit.topologyKey === topologyKey) return hit.key;
  const key = `${affinityKey(pod)}${pod.spread?.nodeTaintsPolicy === "Honor" ? `\0${JSON.stringify(pod.tolerations)}` : ""}\0${topologyKey}`;
  shapeKeys.set(pod, { topologyKey, key });
  return key;
}

/** Pods with equal keys see the same spread domains for their app: the shape key and the app; memoised per pod. */
function domainKey(pod: SimPod, topologyKey: string): string {
  const hit = domainKeys.get(pod);
  if (hit !== undefined && hit.topologyKey === topologyKey) return hit.key;
  const key = `${pod.app}\0${shapeKey(pod, topologyKey)}`;
  domainKeys.set(pod, { topologyKey, key });
  return key;
}
