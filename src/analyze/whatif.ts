// "What if these hosts go off?" — place every pod on all nodes, take the hosts' nodes away (VMs
// included), re-place what was displaced, and say per app what happens and why. Also etcd quorum,
// API availability and the platform's single points of failure.
import type { Lab } from "../lab/types.js";
import { hasQuorum, quorumOf } from "../lab/quorum.js";
import type { SimNode, SimPod } from "./model.js";
import { NodeState } from "./state.js";
import { scheduleAll } from "./scheduler.js";
import { simulationInput } from "./workload.js";
import { parseIp, parseRange, parseCidr, cidrContains } from "../net/ip.js";

export type Outcome = "unaffected" | "degraded" | "restarted" | "down";

export interface AppOutcome {
  readonly app: string;
  readonly namespace: string;
  readonly before: number;
  readonly after: number;
  readonly outcome: Outcome;
  readonly reason?: string;
  /** pods that ran on the failed hosts and were placed elsewhere */
  readonly moved: number;
}

export interface WhatIfReport {
  readonly down: readonly string[];
  readonly nodesDown: readonly string[];
  readonly apps: readonly AppOutcome[];
  readonly etcd: { readonly members: number; readonly remaining: number; readonly quorum: number; readonly ok: boolean };
  readonly api: { readonly ok: boolean; readonly reason?: string };
  readonly spofs: readonly { readonly component: string; readonly reason: string }[];
  /** what is left free on the surviving nodes after re-placement */
  readonly headroom: { readonly cpuMillis: number; readonly memoryBytes: number; readonly pods: number };
  /** pod id → reason, for every pod left Pending */
  readonly pending: Readonly<Record<string, string>>;
  /** how bad it is, for ranking: quorum loss ≫ API loss ≫ SPOFs ≫ apps down ≫ restarted ≫ degraded */
  readonly damage: number;
}

/** Expected downtime of a stateless app whose every pod was on failed hosts. */
/** node-monitor-grace-period (50s) + the default not-ready/unreachable toleration (300s) before eviction, then a restart */
export const RESCHEDULE_DELAY = "≈6 min (50s grace + 300s eviction)";

export interface Baseline {
  readonly lab: Lab;
  readonly nodes: readonly SimNode[];
  readonly pods: readonly SimPod[];
  readonly placed: ReadonlyMap<string, string>;
  readonly pending: ReadonlyMap<string, string>;
  readonly order: ReadonlyMap<string, number>;
  readonly podsByApp: ReadonlyMap<string, readonly SimPod[]>;
  /** the placement itself; what-if scenarios change it and undo their changes */
  readonly state: NodeState;
  /** per app, in lab order: the outcome when nothing of it is touched (shared by every report) */
  readonly untouched: readonly AppOutcome[];
  readonly appIndex: ReadonlyMap<string, number>;
}

/** The placement with every host on. Compute once, then ask many what-ifs of it. */
export function baseline(lab: Lab): Baseline {
  const { nodes, pods } = simulationInput(lab);
  const state = new NodeState(nodes, pods);
  const { placed, pending } = scheduleAll(pods, state);
  const podsByApp = new Map<string, SimPod[]>();
  for (const p of pods) {
    const list = podsByApp.get(p.app);
    if (list) list.push(p);
    else podsByApp.set(p.app, [p]);
  }
  const untouched = lab.apps.map((a): AppOutcome => {
    const before = (podsByApp.get(a.name) ?? []).filter((p) => placed.has(p.id)).length;
    return Object.freeze({ app: a.name, namespace: a.namespace, before, after: before, outcome: "unaffected" as const, moved: 0 });
  });
  const appIndex = new Map(lab.apps.map((a, i) => [a.name, i]));
  return { lab, nodes, pods, placed, pending, order: new Map(pods.map((p, i) => [p.id, i])), podsByApp, state, untouched, appIndex };
}

export function whatIf(b: Baseline, hosts: readonly string[]): WhatIfReport {
  const lab = b.lab;
  const state = b.state;
  const failed = new Set(hosts);
  const nodesDown = lab.nodes.filter((n) => failed.has(n.host)).map((n) => n.name);
  const downSet = new Set(nodesDown);
  const podById = (id: string) => state.pod(id)!;

  // take the nodes away (remembering where their pods were, to undo)
  const displaced: [string, string][] = [];
  for (const n of nodesDown) for (const id of state.removeNode(n)) displaced.push([id, n]);

  // storage that lives on a failed host takes its volumes with it
  const deadStorage = storageDown(lab, failed);
  const retry = [...displaced.map(([id]) => id), ...b.pending.keys()].sort((x, y) => b.order.get(x)! - b.order.get(y)!);
  const pending = new Map<string, string>();
  const toSchedule: SimPod[] = [];
  for (const id of retry) {
    const p = podById(id);
    const cls = lab.app(p.app).storageClass;
    const dead = cls ? deadStorage.get(cls) : undefined;
    if (dead) pending.set(id, dead);
    else toSchedule.push(p);
  }
  const unbound = toSchedule.filter((p) => p.nodeLocalVolume && state.volumeNode(p.id) === undefined).map((p) => p.id);
  const r = scheduleAll(toSchedule, state);
  const replaced = r.placed;
  for (const [id, why] of r.pending) pending.set(id, why);

  // apps that keep running but whose storage died
  const affectedApps = new Set<string>([...displaced.map(([id]) => podById(id).app), ...[...pending.keys()].map((id) => podById(id).app)]);
  if (deadStorage.size) {
    for (const a of lab.apps) {
      const dead = a.storageClass ? deadStorage.get(a.storageClass) : undefined;
      if (!dead) continue;
      affectedApps.add(a.name);
      for (const p of b.podsByApp.get(a.name) ?? []) if (!pending.has(p.id)) pending.set(p.id, dead);
    }
  }

  const running = (id: string) => !pending.has(id) && state.assignments().has(id);
  // every app starts as its untouched outcome; only the affected ones are worked out
  const apps: AppOutcome[] = b.untouched.slice();
  for (const name of affectedApps) {
    const a = lab.app(name);
    const pods = b.podsByApp.get(a.name) ?? [];
    const before = b.untouched[b.appIndex.get(name)!]!.before;
    const after = pods.filter((p) => running(p.id)).length;
    const hit = pods.filter((p) => downSet.has(b.placed.get(p.id) ?? ""));
    const moved = hit.filter((p) => replaced.has(p.id)).length;
    const survivors = pods.filter((p) => b.placed.has(p.id) && !downSet.has(b.placed.get(p.id)!) && !pending.has(p.id)).length;
    const reasonOf = () => {
      const p = pods.find((x) => pending.has(x.id));
      return p ? explain(lab, a.name, pending.get(p.id)!, failed) : undefined;
    };
    let outcome: Outcome;
    let reason: string | undefined;
    if (before === 0) {
      outcome = "down";
      reason = `cannot run even with every host on: ${reasonOf() ?? "no node fits"}`;
    } else if (after === 0) {
      outcome = "down";
      reason = reasonOf();
    } else if (hit.length === 0 && after === before) {
      outcome = "unaffected";
    } else if (survivors > 0) {
      outcome = "degraded";
      reason = after < before ? `${before - after} of ${before} replicas cannot be placed: ${reasonOf() ?? ""}`.replace(/: $/, "") : `${hit.length} replica${hit.length === 1 ? "" : "s"} moved; the others kept serving`;
    } else {
      outcome = "restarted";
      reason = `restarted on ${[...new Set(hit.map((p) => replaced.get(p.id)).filter(Boolean))].join(", ")}, down ${RESCHEDULE_DELAY}`;
    }
    apps[b.appIndex.get(name)!] = { app: a.name, namespace: a.namespace, before, after, outcome, ...(reason ? { reason } : {}), moved };
  }
  const changed = [...affectedApps].map((n) => apps[b.appIndex.get(n)!]!);

  const cps = lab.nodes.filter((n) => n.role === "controlplane");
  const remaining = cps.filter((n) => !downSet.has(n.name)).length;
  const quorum = quorumOf(cps.length);
  const etcd = { members: cps.length, remaining, quorum, ok: remaining >= quorum };
  const api = !etcd.ok
    ? { ok: false, reason: `etcd lost quorum (${remaining} of ${cps.length} members, ${quorum} needed)` }
    : lab.endpoint.vip && !cps.some((n) => !downSet.has(n.name) && sameLan(lab, n.address, lab.endpoint.address))
      ? { ok: false, reason: `no surviving control plane can announce the virtual IP ${lab.endpoint.address}` }
      : { ok: true };

  let cpu = 0, mem = 0, podSlots = 0;
  for (const n of state.nodes()) {
    const u = state.used(n.name);
    cpu += n.allocatable.cpuMillis - u.cpuMillis;
    mem += n.allocatable.memoryBytes - u.memoryBytes;
    podSlots += n.allocatable.pods - u.pods;
  }
  const report: WhatIfReport = {
    down: [...hosts].sort(),
    nodesDown,
    apps,
    etcd,
    api,
    spofs: spofs(lab, downSet, deadStorage, changed),
    headroom: { cpuMillis: cpu, memoryBytes: mem, pods: podSlots },
    pending: Object.fromEntries([...pending].sort(([x], [y]) => x.localeCompare(y))),
    damage: 0,
  };
  (report as { damage: number }).damage = damage({ ...report, apps: changed });

  // undo: the baseline is as it was
  for (const id of replaced.keys()) state.unplace(id);
  for (const id of unbound) state.unbindVolume(id);
  for (const n of nodesDown) state.restoreNode(n);
  for (const [id, n] of displaced) state.place(podById(id), n);
  return report;
}

function sameLan(lab: Lab, a: string, b: string): boolean {
  return lab.sites.some((s) => {
    const r = parseCidr(s.lan);
    if (!("cidr" in r)) return false;
    const x = parseIp(a), y = parseIp(b);
    return x !== undefined && y !== undefined && cidrContains(r.cidr, x) && cidrContains(r.cidr, y);
  });
}

/** Storage classes whose server sits on a failed host: class → reason. */
function storageDown(lab: Lab, failed: ReadonlySet<string>): Map<string, string> {
  const out = new Map<string, string>();
  const hostOfAddress = new Map<string, string>();
  for (const h of lab.hosts) if (h.address) hostOfAddress.set(h.address, h.name);
  for (const n of lab.nodes) hostOfAddress.set(n.address, n.host);
  const hostOf = (addr: string) => hostOfAddress.get(addr.replace(/:\d+$/, ""));
  for (const c of lab.storageClasses) {
    const s = c.spec;
    if (s.type === "nfs" || s.type === "iscsi") {
      const server = s.type === "nfs" ? s.server : s.portal;
      const h = hostOf(server);
      if (h && failed.has(h)) out.set(c.name, `storage class ${c.name} is served from ${server} on host ${h}, which is down`);
    } else if (s.type === "ceph-rbd" || s.type === "cephfs") {
      const mons = s.monitors.map(hostOf);
      const lost = mons.filter((h) => h && failed.has(h)).length;
      if (lost > 0 && !hasQuorum(s.monitors.length, s.monitors.length - lost)) out.set(c.name, `storage class ${c.name}: ${lost} of ${s.monitors.length} Ceph monitors are on hosts that are down (no monitor quorum)`);
    } else if (s.type === "longhorn") {
      const alive = lab.nodes.filter((n) => !failed.has(n.host)).length;
      if (alive < 1) out.set(c.name, `storage class ${c.name}: no Longhorn node left`);
    }
  }
  return out;
}

function explain(lab: Lab, app: string, reason: string, failed: ReadonlySet<string>): string {
  const a = lab.app(app);
  if (reason.startsWith("storage class")) return reason;
  if (reason.includes("volume node affinity conflict")) {
    const m = /bound to ([^)]+)/.exec(reason);
    const node = m ? lab.nodes.find((n) => n.name === m[1]) : undefined;
    return `its volume is pinned to ${node ? `host ${node.host} (node ${node.name})` : "a node that is down"}`;
  }
  if (reason.includes("nvidia.com/gpu")) {
    const gpuHosts = lab.hosts.filter((h) => h.gpus > 0).map((h) => h.name);
    const downGpu = gpuHosts.filter((h) => failed.has(h));
    if (downGpu.length && downGpu.length === gpuHosts.length) return `device (GPU) only on ${downGpu.join(", ")}`;
    return "no node with a free GPU";
  }
  if (reason.includes("kubernetes.io/arch")) {
    return `no node of the right architecture (${a.placement.archs.join(", ")}) left`;
  }
  if (reason.includes("drover.dev/host")) return `pinned to host ${a.placement.hosts.join(", ")}`;
  if (reason.includes("Insufficient cpu") || reason.includes("Insufficient memory")) {
    const what = [reason.includes("Insufficient cpu") ? "CPU" : "", reason.includes("Insufficient memory") ? "memory" : ""].filter(Boolean).join(" and ");
    return `not enough ${what} anywhere (${reason})`;
  }
  if (reason.includes("taint")) return `no node it tolerates (${reason})`;
  return reason;
}

function spofs(lab: Lab, downNodes: ReadonlySet<string>, deadStorage: ReadonlyMap<string, string>, apps: readonly AppOutcome[]): { component: string; reason: string }[] {
  const out: { component: string; reason: string }[] = [];
  for (const [, why] of deadStorage) out.push({ component: "storage", reason: why });
  // the load-balancer pool is announced over L2 by a node on the pool's LAN
  if (lab.loadBalancer.pool) {
    const r = parseRange(lab.loadBalancer.pool);
    if ("range" in r) {
      const site = lab.sites.find((s) => { const c = parseCidr(s.lan); return "cidr" in c && cidrContains(c.cidr, r.range.first); });
      if (site && !lab.nodes.some((n) => n.site === site.name && !downNodes.has(n.name))) {
        out.push({ component: "load balancer", reason: `no node left on ${site.lan} to announce ${lab.loadBalancer.pool}: ingress and every LoadBalancer address are unreachable` });
      }
    }
  }
  for (const a of apps) {
    const app = lab.app(a.app);
    if (app.catalog.name === "pihole" && (a.outcome === "down" || a.outcome === "restarted")) {
      out.push({ component: "DNS", reason: `${a.app} ${a.outcome === "down" ? "is down" : "restarts"}: names under ${lab.domains.private} do not resolve${a.outcome === "restarted" ? " meanwhile" : ""}` });
    }
  }
  const workers = lab.nodes.filter((n) => !downNodes.has(n.name));
  if (workers.length === 0) out.push({ component: "cluster", reason: "every node is down" });
  return out;
}

/** Every single-host failure, worst first. */
export function allSingle(b: Baseline): WhatIfReport[] {
  const reports = b.lab.hosts.filter((h) => h.nodes.length > 0).map((h) => whatIf(b, [h.name]));
  return reports.sort((x, y) => y.damage - x.damage || x.down[0]!.localeCompare(y.down[0]!));
}

export function damage(r: Pick<WhatIfReport, "etcd" | "api" | "spofs" | "apps">): number {
  let d = (r.etcd.ok ? 0 : 1e6) + (r.api.ok ? 0 : 1e5) + r.spofs.length * 1e3;
  for (const a of r.apps) d += a.outcome === "down" ? 100 : a.outcome === "restarted" ? 10 : a.outcome === "degraded" ? 1 : 0;
  return d;
}

/** All volatile hosts off at once (the gaming PC and desktop switched off for the evening). */
export function volatileOff(b: Baseline): WhatIfReport {
  return whatIf(b, b.lab.hosts.filter((h) => h.power === "volatile").map((h) => h.name));
}
