// What is placed where during a simulation, indexed so that every filter is O(1) or O(domains).
import type { SimNode, SimPod } from "./model.js";

interface Used { cpuMillis: number; memoryBytes: number; pods: number; gpus: number }

export class NodeState {
  private readonly nodesByName = new Map<string, SimNode>();
  private readonly podsById = new Map<string, SimPod>();
  private readonly usedBy = new Map<string, Used>();
  private readonly assign = new Map<string, string>();
  private readonly boundVolume = new Map<string, string>();
  /** app → topologyKey → domain → pods of the app there */
  private readonly appDomains = new Map<string, Map<string, Map<string, number>>>();

  constructor(nodes: readonly SimNode[], pods: readonly SimPod[]) {
    for (const n of nodes) { this.nodesByName.set(n.name, n); this.usedBy.set(n.name, { cpuMillis: 0, memoryBytes: 0, pods: 0, gpus: 0 }); }
    for (const p of pods) this.podsById.set(p.id, p);
  }

  node(name: string): SimNode | undefined { return this.nodesByName.get(name); }
  pod(id: string): SimPod | undefined { return this.podsById.get(id); }
  nodes(): IterableIterator<SimNode> { return this.nodesByName.values(); }
  used(node: string): Used { return this.usedBy.get(node)!; }
  assignments(): ReadonlyMap<string, string> { return this.assign; }
  volumeNode(podId: string): string | undefined { return this.boundVolume.get(podId); }

  private readonly eligibleCache = new Map<string, SimNode[]>();

  /** nodes whose labels satisfy the pod's selector and required affinity (spread's eligible domains) */
  eligibleNodes(pod: SimPod): SimNode[] {
    const key = JSON.stringify([pod.nodeSelector, pod.requiredNodeAffinity]);
    const hit = this.eligibleCache.get(key);
    if (hit) return hit;
    const out: SimNode[] = [];
    for (const n of this.nodesByName.values()) {
      if (Object.entries(pod.nodeSelector).every(([k, v]) => n.labels[k] === v) && pod.requiredNodeAffinity.every((t) => t.values.includes(n.labels[t.key] ?? "\0"))) out.push(n);
    }
    this.eligibleCache.set(key, out);
    return out;
  }

  /** how many pods of an app sit in each domain of a topology key */
  appCounts(app: string, topologyKey: string): Map<string, number> {
    let byKey = this.appDomains.get(app);
    if (!byKey) { byKey = new Map(); this.appDomains.set(app, byKey); }
    let counts = byKey.get(topologyKey);
    if (!counts) {
      counts = new Map();
      for (const [podId, nodeName] of this.assign) {
        if (this.podsById.get(podId)?.app !== app) continue;
        const d = this.nodesByName.get(nodeName)?.labels[topologyKey];
        if (d !== undefined) counts.set(d, (counts.get(d) ?? 0) + 1);
      }
      byKey.set(topologyKey, counts);
    }
    return counts;
  }

  private readonly minCache = new Map<string, number>();

  /** the smallest count of the app's pods over the eligible domains of a topology key (cached until the next change) */
  minDomainCount(pod: SimPod, topologyKey: string): number {
    const key = `${pod.app}\0${topologyKey}\0${JSON.stringify([pod.nodeSelector, pod.requiredNodeAffinity])}`;
    const hit = this.minCache.get(key);
    if (hit !== undefined) return hit;
    const counts = this.appCounts(pod.app, topologyKey);
    let min = Infinity;
    for (const n of this.eligibleNodes(pod)) {
      const d = n.labels[topologyKey];
      if (d !== undefined) min = Math.min(min, counts.get(d) ?? 0);
    }
    if (min === Infinity) min = 0;
    this.minCache.set(key, min);
    return min;
  }

  place(pod: SimPod, node: string): void {
    const u = this.usedBy.get(node)!;
    u.cpuMillis += pod.requests.cpuMillis; u.memoryBytes += pod.requests.memoryBytes; u.pods += 1; u.gpus += pod.requests.gpus;
    this.assign.set(pod.id, node);
    if (pod.nodeLocalVolume && !this.boundVolume.has(pod.id)) this.boundVolume.set(pod.id, node);
    this.bump(pod, node, +1);
  }

  unplace(podId: string): void {
    const node = this.assign.get(podId);
    const pod = this.podsById.get(podId);
    if (node === undefined || !pod) return;
    const u = this.usedBy.get(node);
    if (u) { u.cpuMillis -= pod.requests.cpuMillis; u.memoryBytes -= pod.requests.memoryBytes; u.pods -= 1; u.gpus -= pod.requests.gpus; }
    this.assign.delete(podId);
    this.bump(pod, node, -1);
  }

  /** a node goes away: its pods are unplaced (their node-local volumes stay bound to it) */
  removeNode(name: string): string[] {
    const displaced = [...this.assign].filter(([, n]) => n === name).map(([p]) => p);
    for (const p of displaced) this.unplace(p);
    this.nodesByName.delete(name);
    this.usedBy.delete(name);
    this.eligibleCache.clear();
    for (const byKey of this.appDomains.values()) byKey.clear(); // domains changed; recount lazily
    this.minCache.clear();
    return displaced;
  }

  private bump(pod: SimPod, node: string, delta: number): void {
    this.minCache.clear();
    const byKey = this.appDomains.get(pod.app);
    if (!byKey) return;
    const labels = this.nodesByName.get(node)?.labels;
    for (const [key, counts] of byKey) {
      const d = labels?.[key];
      if (d !== undefined) counts.set(d, (counts.get(d) ?? 0) + delta);
    }
  }
}
