// "What if these hosts go off?" — place every pod on all nodes, take the hosts' nodes away (VMs
// included), re-place what was displaced, and say per app what happens and why. Also etcd quorum,
// API availability and the platform's single points of failure.
import { GPU_RESOURCE } from "../lab/gpu.js";
import type { Lab, ServiceAddress, AddressOwner } from "../lab/types.js";
import { hasQuorum, quorumOf } from "../lab/quorum.js";
import { controllerOf, ownerOf, type SimNode, type SimPod } from "./model.js";
import { NodeState } from "./state.js";
import { failNodes, scheduleAll } from "./scheduler.js";
import { simulationInput } from "./workload.js";
import { plannedShutdownAssumes, ungracefulOnPlannedShutdown } from "./shutdown.js";
import { GRACEFUL_SHUTDOWN } from "../lab/shutdown.js";
import { parseIp, parseRange, parseCidr, cidrContains } from "../net/ip.js";
import { driverOf } from "../storage/index.js";

export type Outcome = "unaffected" | "degraded" | "restarted" | "down";

/**
 * How the hosts go off. ungraceful: power cut, crash, or a hypervisor suspending its guests — the
 * kubelet never hears of it; graceful: the planned shutdown the lab is configured for — the kubelet's
 * graceful node shutdown terminates the pods first, and their controllers replace them at once.
 */
export type Shutdown = "ungraceful" | "graceful";

/** What fails as one unit: a host, the hosts of one chassis, every host of a site, or a chosen set. */
export interface FailureUnit {
  readonly kind: "host" | "chassis" | "site" | "hosts";
  readonly name: string;
}

export interface AppOutcome {
  readonly app: string;
  readonly namespace: string;
  readonly before: number;
  readonly after: number;
  readonly outcome: Outcome;
  readonly reason?: string;
  /** pods that ran on the failed hosts and were placed elsewhere */
  readonly moved: number;
  /**
   * the other outcomes other tie-breaks could give: kube-scheduler picks at random among equally
   * scored nodes, so where a pod ran, where it restarts, or whether it still fits can depend on it
   * (the reason says how); absent when the outcome does not depend on ties
   */
  readonly alternatives?: readonly Outcome[];
}

/** A service the lab names by address whose server is down. */
export interface ServiceLost {
  readonly kind: ServiceAddress["kind"];
  readonly name: string;
  readonly what: string;
  readonly address: string;
  /** "host pve3 (guest VM truenas)" or "app pihole" */
  readonly servedBy: string;
  readonly effect: string;
}

export interface WhatIfReport {
  readonly unit: FailureUnit;
  readonly shutdown: Shutdown;
  readonly down: readonly string[];
  readonly nodesDown: readonly string[];
  /** non-Kubernetes guest VMs that go down with their hosts */
  readonly guestsDown: readonly string[];
  readonly apps: readonly AppOutcome[];
  readonly etcd: { readonly members: number; readonly remaining: number; readonly quorum: number; readonly ok: boolean };
  readonly api: { readonly ok: boolean; readonly reason?: string };
  /** whether the controllers and the scheduler can replace lost pods (not without etcd quorum) */
  readonly rescheduling: { readonly ok: boolean; readonly reason?: string };
  readonly spofs: readonly { readonly component: string; readonly reason: string }[];
  /** services named by address in lab.yaml whose server is down */
  readonly services: readonly ServiceLost[];
  /** planned shutdown: the nodes whose loss is ungraceful all the same, and why */
  readonly ungracefulNodes: readonly { readonly node: string; readonly reason: string }[];
  /** planned shutdown: what the answer takes for granted (rendered host-side settings installed) */
  readonly assumes: readonly string[];
  /** lost nodes holding StatefulSet pods that stay Terminating until the node returns or is marked out-of-service, with the command that marks it */
  readonly outOfService: readonly { readonly node: string; readonly command: string }[];
  /** what is left free on the surviving nodes after re-placement */
  readonly headroom: { readonly cpuMillis: number; readonly memoryBytes: number; readonly pods: number };
  /** pod id → reason, for every pod left Pending */
  readonly pending: Readonly<Record<string, string>>;
  /** pod id → reason, for StatefulSet pods stuck Terminating on a lost node (ungraceful loss) */
  readonly stuck: Readonly<Record<string, string>>;
  /**
   * pod id → where each pod that ran on a lost node (or was Pending) runs after the failure: one node, or
   * the equally scored nodes kube-scheduler picks among at random; for a StatefulSet pod stuck on a node
   * lost ungracefully, where it runs once the node is marked out-of-service. Pods that find no node are
   * in `pending` instead.
   */
  readonly moves: Readonly<Record<string, readonly string[]>>;
  /** how bad it is, for ranking: quorum loss ≫ API loss ≫ SPOFs ≫ apps down ≫ restarted ≫ degraded */
  readonly damage: number;
}

/** Expected downtime of a stateless app whose every pod was on failed hosts. */
/** node-monitor-grace-period (50s) + the default not-ready/unreachable toleration (300s) before eviction, then a restart */
export const RESCHEDULE_DELAY = "≈6 min (50s grace + 300s eviction)";
/** graceful node shutdown: the kubelet terminates the pods and their controllers replace them at once */
export const GRACEFUL_RESCHEDULE_DELAY = `≈${GRACEFUL_SHUTDOWN.periodSeconds} s (graceful node shutdown, then a restart)`;

export const OUT_OF_SERVICE_TAINT = "node.kubernetes.io/out-of-service";
export const outOfServiceCommand = (node: string): string => `kubectl taint node ${node} ${OUT_OF_SERVICE_TAINT}=nodeshutdown:NoExecute`;

/** why nothing is replaced while etcd has no quorum */
const FROZEN = "etcd lost quorum: without the API nothing is rescheduled";

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

/** kube-scheduler's minFeasibleNodesToFind: with fewer nodes it scores every feasible one */
export const EXACT_BELOW_NODES = 100;

/** The placement with every host on. Compute once, then ask many what-ifs of it. */
export function baseline(lab: Lab, opts: { readonly trackTies?: boolean } = {}): Baseline {
  const { nodes, pods } = simulationInput(lab);
  const state = new NodeState(nodes, pods);
  // below 100 nodes kube-scheduler scores every feasible node: only ties make a placement uncertain,
  // and they are tracked; from 100 on it scores a rotating sample of them (percentageOfNodesToScore),
  // so which node a pod lands on is one of many it could pick: Drover's is a best estimate, and ties
  // are not reported (whether the pods fit is what such a lab's answers say)
  state.tracking = state.trackScenarios = opts.trackTies ?? nodes.length < EXACT_BELOW_NODES;
  const { placed, pending } = scheduleAll(pods, state);
  const podsByApp = new Map<string, SimPod[]>();
  for (const p of pods) {
    const list = podsByApp.get(ownerOf(p));
    if (list) list.push(p);
    else podsByApp.set(ownerOf(p), [p]);
  }
  const untouched = lab.apps.map((a): AppOutcome => {
    const before = (podsByApp.get(a.name) ?? []).filter((p) => !p.dependency && placed.has(p.id)).length;
    return Object.freeze({ app: a.name, namespace: a.namespace, before, after: before, outcome: "unaffected" as const, moved: 0 });
  });
  const appIndex = new Map(lab.apps.map((a, i) => [a.name, i]));
  return { lab, nodes, pods, placed, pending, order: new Map(pods.map((p, i) => [p.id, i])), podsByApp, state, untouched, appIndex };
}

export interface WhatIfOptions {
  /** default ungraceful (a failure); graceful for a planned shutdown */
  readonly shutdown?: Shutdown;
  /** what the hosts are (default: the chosen hosts, or the one host) */
  readonly unit?: FailureUnit;
  /** a planned shutdown during which these of the hosts lose power without warning all the same (not on a UPS) */
  readonly cut?: readonly string[];
}

export function whatIf(b: Baseline, hosts: readonly string[], opts: WhatIfOptions = {}): WhatIfReport {
  const lab = b.lab;
  const state = b.state;
  const shutdown = opts.shutdown ?? "ungraceful";
  const unit = opts.unit ?? (hosts.length === 1 ? { kind: "host" as const, name: hosts[0]! } : { kind: "hosts" as const, name: [...hosts].sort().join(",") });
  const failed = new Set(hosts);
  const nodesDown = nodesOf(lab, failed);
  const downSet = new Set(nodesDown);
  // a planned shutdown is graceful only where the kubelet hears of it
  const cut = new Set(opts.cut ?? []);
  const ungracefulNodes = shutdown === "graceful"
    ? nodesDown.map((n) => ({ node: n, reason: cut.has(lab.node(n).host) ? `host ${lab.node(n).host} is on no UPS: its power is cut` : ungracefulOnPlannedShutdown(lab, lab.node(n)) })).filter((x): x is { node: string; reason: string } => x.reason !== undefined)
    : [];
  const ungraceful = new Set(shutdown === "graceful" ? ungracefulNodes.map((x) => x.node) : nodesDown);
  const { etcd, api, rescheduling } = controlPlaneAfter(lab, downSet);

  const deadStorage = storageDown(lab, failed);
  // The displaced pods come back in no fixed order: each controller recreates its own, and a replacement
  // first bound to a node that is shutting down is refused and made again later. Where the order decides
  // a placement, the answer is not certain: the re-placement is tried in the reverse order too, and a pod
  // that lands elsewhere (or fits in one order only) is in doubt as a scoring tie is. The reverse order
  // catches pods competing for the same room, not every order. Only where ties are tracked.
  const reversed = state.trackScenarios ? replacementInReverse(b, nodesDown, ungraceful, deadStorage, etcd.ok) : undefined;

  // The scenario changes the shared baseline's state; the finally below puts it back even when something
  // throws half-way (the dashboard keeps one baseline for every question it is asked).
  const undo: Undo = { displaced: [], scheduled: [], unbound: [] };
  state.beginScenario();
  try {
    const moved = replacePods(b, nodesDown, ungraceful, deadStorage, etcd.ok, undo, { otherOrder: reversed });
    const { pending, stuck, lostOn } = moved;
    const affected = new Set<string>();
    for (const [id] of undo.displaced) affected.add(ownerOf(state.pod(id)!));
    for (const id of pending.keys()) affected.add(ownerOf(state.pod(id)!));
    for (const id of moved.maybeHit) affected.add(ownerOf(state.pod(id)!));
    // apps that keep running but whose storage died
    if (deadStorage.size) {
      for (const a of lab.apps) {
        for (const p of b.podsByApp.get(a.name) ?? []) {
          if (pending.has(p.id)) continue;
          const dead = p.storageClass ? deadStorage.get(p.storageClass) : undefined;
          if (!dead) continue;
          affected.add(a.name);
          pending.set(p.id, dead);
        }
      }
    }

    // every app starts as its untouched outcome; only the affected ones are worked out
    const apps: AppOutcome[] = b.untouched.slice();
    const scenario: Scenario = { failed, downSet, ungraceful, pending, stuck, replaced: moved.replaced, maybeHit: moved.maybeHit, doubts: moved.doubts };
    for (const name of affected) apps[b.appIndex.get(name)!] = appOutcome(b, name, scenario);
    const changed = [...affected].map((n) => apps[b.appIndex.get(n)!]!);

    const stuckNodes = [...new Set([...stuck.keys()].map((id) => lostOn.get(id)!))].sort();
    const appDown = (n: string) => apps[b.appIndex.get(n) ?? -1]?.outcome === "down";
    const services = servicesLost(lab, failed, appDown);
    const report: WhatIfReport = {
      unit,
      shutdown,
      down: [...hosts].sort(),
      nodesDown,
      guestsDown: hostsInOrder(lab, failed).flatMap((h) => h.guests.map((g) => g.name)),
      apps,
      etcd,
      api,
      rescheduling,
      ungracefulNodes,
      assumes: shutdown === "graceful" ? plannedShutdownAssumes(lab, nodesDown.map((n) => lab.node(n)).filter((n) => !cut.has(n.host))) : [],
      spofs: spofs(lab, downSet, deadStorage, changed, services),
      services,
      outOfService: stuckNodes.map((node) => ({ node, command: outOfServiceCommand(node) })),
      headroom: headroomOf(state),
      pending: record([...pending].sort(byKey)),
      stuck: record([...stuck].sort(byKey)),
      moves: record([...moved.moves].sort(byKey)),
      damage: 0,
    };
    (report as { damage: number }).damage = damage({ ...report, apps: changed });
    return report;
  } finally {
    undoScenario(state, undo, nodesDown);
  }
}

/** What whatIf looks up in a lab per question, worked out once per lab. */
interface LabIndex {
  /** host name → its position in lab.hosts */
  readonly hostAt: ReadonlyMap<string, number>;
  /** per host position: the positions of its nodes in lab.nodes */
  readonly nodesAt: readonly (readonly number[])[];
  readonly controlPlanes: readonly Lab["nodes"][number][];
}
const labIndexes = new WeakMap<Lab, LabIndex>();

function indexOf(lab: Lab): LabIndex {
  let x = labIndexes.get(lab);
  if (!x) {
    const hostAt = new Map(lab.hosts.map((h, i) => [h.name, i]));
    const nodesAt: number[][] = lab.hosts.map(() => []);
    lab.nodes.forEach((n, i) => { const h = hostAt.get(n.host); if (h !== undefined) nodesAt[h]!.push(i); });
    x = { hostAt, nodesAt, controlPlanes: lab.nodes.filter((n) => n.role === "controlplane") };
    labIndexes.set(lab, x);
  }
  return x;
}

/** the hosts of the lab among these names, in lab order */
function hostsInOrder(lab: Lab, hosts: ReadonlySet<string>): Lab["hosts"][number][] {
  const at = indexOf(lab).hostAt;
  return [...hosts].map((h) => at.get(h)).filter((i): i is number => i !== undefined).sort((x, y) => x - y).map((i) => lab.hosts[i]!);
}

/** the names of the nodes on these hosts, in lab order */
function nodesOf(lab: Lab, hosts: ReadonlySet<string>): string[] {
  const x = indexOf(lab);
  const at: number[] = [];
  for (const h of hosts) { const i = x.hostAt.get(h); if (i !== undefined) at.push(...x.nodesAt[i]!); }
  return at.sort((p, q) => p - q).map((i) => lab.nodes[i]!.name);
}

/** etcd quorum, the API (and its virtual IP) and whether anything can be rescheduled, with these nodes down */
function controlPlaneAfter(lab: Lab, downSet: ReadonlySet<string>): Pick<WhatIfReport, "etcd" | "api" | "rescheduling"> {
  const cps = indexOf(lab).controlPlanes;
  const remaining = cps.filter((n) => !downSet.has(n.name)).length;
  const quorum = quorumOf(cps.length);
  const etcd = { members: cps.length, remaining, quorum, ok: remaining >= quorum };
  const api = !etcd.ok
    ? { ok: false, reason: `etcd lost quorum (${remaining} of ${cps.length} members, ${quorum} needed)` }
    : lab.endpoint.vip && !cps.some((n) => !downSet.has(n.name) && sameLan(lab, n.address, lab.endpoint.address))
      ? { ok: false, reason: `no surviving control plane can announce the virtual IP ${lab.endpoint.address}` }
      : { ok: true };
  const rescheduling = etcd.ok
    ? { ok: true }
    : { ok: false, reason: `no controller replaces a pod and the scheduler places none; pods on the surviving nodes keep running only as long as their node's kubelet does (a container that exits is restarted there, but a node that restarts comes back without its pods)` };
  return { etcd, api, rescheduling };
}

/** what a scenario changed in the shared placement, for whatIf's finally to put back */
/** puts the baseline back as it was (every re-placed pod was unplaced before the scenario placed it) */
function undoScenario(state: NodeState, undo: Undo, nodesDown: readonly string[]): void {
  for (const p of undo.scheduled) state.unplace(p.id);
  for (const id of undo.unbound) state.unbindVolume(id);
  for (const n of nodesDown) state.restoreNode(n);
  for (const [id, n] of undo.displaced) state.place(state.pod(id)!, n);
  state.endScenario();
}

/** where each re-placed pod lands (undefined: Pending) when the displaced pods come back in the reverse order; undefined when fewer than two are re-placed */
function replacementInReverse(b: Baseline, nodesDown: readonly string[], ungraceful: ReadonlySet<string>, deadStorage: ReadonlyMap<string, string>, etcdOk: boolean): ReadonlyMap<string, string | undefined> | undefined {
  const undo: Undo = { displaced: [], scheduled: [], unbound: [] };
  b.state.beginScenario();
  try {
    const moved = replacePods(b, nodesDown, ungraceful, deadStorage, etcdOk, undo, { reverse: true });
    return undo.scheduled.length < 2 ? undefined : new Map(undo.scheduled.map((p) => [p.id, moved.replaced.get(p.id)]));
  } finally {
    undoScenario(b.state, undo, nodesDown);
  }
}

interface Undo {
  /** pod id → the lost node it ran on */
  readonly displaced: [string, string][];
  scheduled: SimPod[];
  unbound: string[];
}

interface Replacement {
  /** pod id → the lost node it ran on */
  readonly lostOn: ReadonlyMap<string, string>;
  /** pod id → where it runs now */
  readonly replaced: ReadonlyMap<string, string>;
  /** pod id → why it is not running */
  readonly pending: Map<string, string>;
  /** pod id → why it stays Terminating on its lost node */
  readonly stuck: ReadonlyMap<string, string>;
  /** pods whose node is a tie: they may have been on a lost node (or, if they were, may have been elsewhere) */
  readonly maybeHit: ReadonlySet<string>;
  /** pod id → the doubt about where it runs after the failure (its node names), for pods whose outcome depends on ties */
  readonly doubts: ReadonlyMap<string, PodDoubt>;
  /** pod id → the node it is placed on after the failure, or the equally scored nodes it may land on */
  readonly moves: ReadonlyMap<string, readonly string[]>;
}

/** What other tie-breaks could make of one pod, by node name. */
interface PodDoubt {
  /** the nodes it may run on (up to a few; else undefined, with count) */
  readonly nodes: readonly string[] | undefined;
  readonly count: number;
  readonly possiblyPending: boolean;
  readonly possiblyPlaced: boolean;
}

/** Take the nodes away and re-place what they ran (and what was pending), as the controllers and the scheduler would. */
function replacePods(b: Baseline, nodesDown: readonly string[], ungraceful: ReadonlySet<string>, deadStorage: ReadonlyMap<string, string>, etcdOk: boolean, undo: Undo, order: { reverse?: boolean; otherOrder?: ReadonlyMap<string, string | undefined> } = {}): Replacement {
  const state = b.state;
  const { displaced, maybeHit } = failNodes(state, nodesDown);
  undo.displaced.push(...displaced);
  const lostOn = new Map(undo.displaced);
  const retry = [...undo.displaced.map(([id]) => id), ...b.pending.keys()].sort((x, y) => b.order.get(x)! - b.order.get(y)!);
  const pending = new Map<string, string>();
  const stuck = new Map<string, string>();
  const toSchedule: SimPod[] = [];
  // StatefulSet pods on a node lost without a graceful shutdown: their old pod stays Terminating, and
  // the StatefulSet creates no new one until the node is deleted or marked out-of-service; where they
  // go once it is marked is still worked out (after everything else: the operator marks it later)
  const afterMarking: SimPod[] = [];
  for (const id of retry) {
    const p = state.pod(id)!;
    // storage that lives on a failed host takes its volumes with it
    const dead = p.storageClass ? deadStorage.get(p.storageClass) : undefined;
    if (dead) pending.set(id, dead);
    else if (!etcdOk) pending.set(id, lostOn.has(id) ? `${FROZEN} (its node ${lostOn.get(id)} is down)` : b.pending.get(id)!);
    else if (lostOn.has(id) && ungraceful.has(lostOn.get(id)!) && controllerOf(p) === "StatefulSet" && !p.nodeLocalVolume) afterMarking.push(p);
    else toSchedule.push(p);
  }
  undo.scheduled = [...toSchedule, ...afterMarking];
  undo.unbound = undo.scheduled.filter((p) => p.nodeLocalVolume && state.volumeNode(p.id) === undefined).map((p) => p.id);
  const r = scheduleAll(order.reverse ? [...toSchedule].reverse().concat([...afterMarking].reverse()) : undo.scheduled, state);
  for (const [id, why] of r.pending) pending.set(id, why);
  for (const p of afterMarking) {
    const node = lostOn.get(p.id)!;
    const then = r.placed.has(p.id) ? `restarts on ${r.placed.get(p.id)}` : `stays Pending: ${r.pending.get(p.id)}`;
    stuck.set(p.id, `StatefulSet pod ${p.id} stays Terminating on ${node}: down until the node returns or is marked out-of-service (then it ${then})`);
  }
  const doubts = new Map<string, PodDoubt>();
  const nodeNames = state.allNodes();
  for (const p of undo.scheduled) {
    const d = state.doubtOf(p.id);
    if (d) doubts.set(p.id, { nodes: d.nodes && d.count <= 4 ? d.nodes.map((i) => nodeNames[i]!.name) : undefined, count: d.count, possiblyPending: d.possiblyPending, possiblyPlaced: d.possiblyPlaced });
  }
  // where the order the displaced pods come back in decides their placement (see whatIf)
  for (const p of undo.scheduled) {
    if (!order.otherOrder?.has(p.id)) continue;
    const here = r.placed.get(p.id), there = order.otherOrder.get(p.id);
    if (here === there) continue;
    const d = doubts.get(p.id);
    const nodes = d && !d.nodes ? undefined : [...new Set([...(d?.nodes ?? (here ? [here] : [])), ...(there ? [there] : [])])];
    doubts.set(p.id, {
      nodes, count: Math.max(d?.count ?? 1, nodes?.length ?? 0),
      possiblyPending: (d?.possiblyPending ?? false) || (here !== undefined && there === undefined),
      possiblyPlaced: (d?.possiblyPlaced ?? false) || (here === undefined && there !== undefined),
    });
  }
  const moves = new Map<string, readonly string[]>();
  for (const [id, node] of r.placed) { const d = doubts.get(id); moves.set(id, d?.nodes && d.count > 1 ? d.nodes : [node]); }
  return { lostOn, replaced: r.placed, pending, stuck, maybeHit, doubts, moves };
}

interface Scenario {
  readonly failed: ReadonlySet<string>;
  readonly downSet: ReadonlySet<string>;
  readonly ungraceful: ReadonlySet<string>;
  readonly pending: ReadonlyMap<string, string>;
  readonly stuck: ReadonlyMap<string, string>;
  readonly replaced: ReadonlyMap<string, string>;
  readonly maybeHit: ReadonlySet<string>;
  readonly doubts: ReadonlyMap<string, PodDoubt>;
}

/** One affected app: how many replicas run after, and whether it is degraded, restarted or down, and why. */
function appOutcome(b: Baseline, name: string, s: Scenario): AppOutcome {
  const { failed, downSet, ungraceful, pending, stuck, replaced } = s;
  const lab = b.lab;
  const assigned = b.state.assignments();
  const running = (id: string) => !pending.has(id) && !stuck.has(id) && assigned.has(id);
  const a = lab.app(name);
  const all = b.podsByApp.get(a.name) ?? [];
  const before = b.untouched[b.appIndex.get(name)!]!.before;
  // one pass over the app's pods (this runs for every affected app of every scenario)
  let replicas = 0, runningReplicas = 0, hits = 0, hitReplicas = 0, moved = 0, survivors = 0, ungracefulHit = false;
  // the app serves only while every pod it needs (its own Postgres and Redis) runs
  let depDown: SimPod | undefined, hitDep: SimPod | undefined, replicaDown: SimPod | undefined;
  for (const p of all) {
    const at = b.placed.get(p.id);
    const hit = at !== undefined && downSet.has(at);
    const run = running(p.id);
    if (p.dependency) {
      if (!depDown && !run) depDown = p;
      if (hit && !hitDep) hitDep = p;
    } else {
      replicas++;
      if (run) runningReplicas++;
      if (hit) hitReplicas++;
      if (at !== undefined && !hit && run) survivors++;
      if (!replicaDown && !run && (pending.has(p.id) || stuck.has(p.id))) replicaDown = p;
    }
    if (hit) {
      hits++;
      if (ungraceful.has(at)) ungracefulHit = true;
      if (replaced.has(p.id) && !stuck.has(p.id)) moved++;
    }
  }
  const after = depDown ? 0 : runningReplicas;
  const delay = ungracefulHit ? RESCHEDULE_DELAY : GRACEFUL_RESCHEDULE_DELAY;
  const whyNot = (p: SimPod): string => {
    // a pod that finds no node even once its lost node is marked out-of-service: the cause is why it finds none
    const why = pending.has(p.id) ? explain(lab, a.name, pending.get(p.id)!, failed) : stuck.get(p.id) ?? explain(lab, a.name, "", failed);
    return p.dependency ? `its ${p.dependency} (${p.id}) is down: ${why}` : why;
  };
  const reasonOf = () => {
    const p = depDown ?? replicaDown;
    return p ? whyNot(p) : undefined;
  };
  let outcome: Outcome;
  let reason: string | undefined;
  if (before === 0) {
    outcome = "down";
    reason = `cannot run even with every host on: ${reasonOf() ?? "no node fits"}`;
  } else if (after === 0) {
    outcome = "down";
    reason = reasonOf();
  } else if (hits === 0 && after === before) {
    outcome = "unaffected";
  } else if (hits > hitReplicas) {
    // its own Postgres/Redis was on a lost node and starts elsewhere: the app cannot serve meanwhile
    outcome = "restarted";
    const d = hitDep!;
    reason = `its ${d.dependency} (${d.id}) restarted on ${replaced.get(d.id)}: the app cannot serve meanwhile, ${delay}`;
  } else if (survivors > 0) {
    outcome = "degraded";
    reason = after < before ? `${before - after} of ${before} replicas down: ${reasonOf() ?? ""}`.replace(/: $/, "") : `${hitReplicas} replica${hitReplicas === 1 ? "" : "s"} moved; the others kept serving`;
  } else {
    outcome = "restarted";
    const where = [...new Set(all.filter((p) => downSet.has(b.placed.get(p.id) ?? "")).map((p) => whereText(p.id, replaced.get(p.id), s.doubts)).filter(Boolean))].join(", ");
    reason = `restarted on ${where}, down ${delay}`;
  }
  // other tie-breaks: the pod may have run elsewhere (or on a lost node), or may fit or not after the failure
  let alternatives: Set<Outcome> | undefined;
  const notes: string[] = [];
  const lone = replicas <= 1;
  if (s.maybeHit.size || s.doubts.size) {
    alternatives = new Set();
    for (const p of all) {
      if (s.maybeHit.has(p.id)) {
        const on = downSet.has(b.placed.get(p.id) ?? "");
        alternatives.add(on ? (hits === 1 ? "unaffected" : "degraded") : p.dependency || lone ? "restarted" : "degraded");
        notes.push(on ? `${p.id} may have run elsewhere` : `${p.id} may have run on ${[...downSet].join(", ")}`);
      }
      const d = s.doubts.get(p.id);
      if (d?.possiblyPending) { alternatives.add(p.dependency || lone ? "down" : "degraded"); notes.push(`${p.id} may not fit`); }
      if (d?.possiblyPlaced) { alternatives.add(p.dependency || lone ? "restarted" : "degraded"); notes.push(`${p.id} may find a node`); }
    }
    alternatives.delete(outcome);
  }
  if (alternatives?.size) {
    const alt = [...alternatives].sort();
    reason = `${reason ? `${reason}; or ` : ""}${alt.join(" or ")}, depending on placement (${notes.slice(0, 3).join(", ")}${notes.length > 3 ? ", …" : ""}: kube-scheduler breaks ties between equally scored nodes at random, and displaced pods come back in no fixed order)`;
  }
  const out: { -readonly [K in keyof AppOutcome]: AppOutcome[K] } = reason
    ? { app: a.name, namespace: a.namespace, before, after, outcome, reason, moved }
    : { app: a.name, namespace: a.namespace, before, after, outcome, moved };
  if (alternatives?.size) out.alternatives = [...alternatives].sort();
  return out;
}

/** "w4", "w4 or w5" (a tie), "w4 (or one of 12 equally good nodes)" */
function whereText(id: string, node: string | undefined, doubts: ReadonlyMap<string, PodDoubt>): string | undefined {
  if (node === undefined) return undefined;
  const d = doubts.get(id);
  if (!d || d.count <= 1) return node;
  if (d.nodes) return d.nodes.length === 2 ? `${d.nodes[0]} or ${d.nodes[1]}` : `${d.nodes.slice(0, -1).join(", ")} or ${d.nodes.at(-1)}`;
  return `${node} (or one of ${d.count - 1} other equally good nodes)`;
}

/** what is left free on the nodes still up */
function headroomOf(state: NodeState): WhatIfReport["headroom"] {
  let cpuMillis = 0, memoryBytes = 0, pods = 0;
  const all = state.allNodes();
  for (let i = 0; i < all.length; i++) {
    if (!state.liveFlags[i]) continue;
    const a = all[i]!.allocatable;
    cpuMillis += a.cpuMillis - state.usedCpu[i]!;
    memoryBytes += a.memoryBytes - state.usedMem[i]!;
    pods += a.pods - state.usedPods[i]!;
  }
  return { cpuMillis, memoryBytes, pods };
}

/**
 * An object of these entries (Object.fromEntries), made a dictionary first: its keys are pod ids,
 * different in every report, and added one by one to an ordinary new object each would make V8 build
 * a hidden class (thousands over an allSingle); same keys, same order, same prototype.
 */
function record<T>(entries: readonly (readonly [string, T])[]): Record<string, T> {
  const o: Record<string, T> = { "\0a": undefined as T, "\0b": undefined as T };
  delete o["\0a"]; // deleting a property other than the last one turns the object into a dictionary
  for (const [k, v] of entries) o[k] = v;
  delete o["\0b"];
  return o;
}

/** code-point order of [key, value] entries (deterministic whatever the locale, and cheaper than localeCompare) */
const byKey = ([x]: [string, unknown], [y]: [string, unknown]): number => (x < y ? -1 : x > y ? 1 : 0);

function sameLan(lab: Lab, a: string, b: string): boolean {
  return lab.sites.some((s) => {
    const r = parseCidr(s.lan);
    if (!("cidr" in r)) return false;
    const x = parseIp(a), y = parseIp(b);
    return x !== undefined && y !== undefined && cidrContains(r.cidr, x) && cidrContains(r.cidr, y);
  });
}

/** Storage classes whose server sits on a failed host (itself, a node on it or a guest VM on it): class → reason. */
function storageDown(lab: Lab, failed: ReadonlySet<string>): Map<string, string> {
  const out = new Map<string, string>();
  const hostOf = (addr: string) => lab.ownerOf(addr)?.host;
  for (const c of lab.storageClasses) {
    const d = driverOf(c).failureDomain(c);
    if (d.kind === "server") {
      const owner = lab.ownerOf(d.address);
      const h = owner?.host;
      if (h && failed.has(h)) out.set(c.name, `storage class ${c.name} is served from ${d.address} by ${servedByText(owner!)}, which is down`);
    } else if (d.kind === "quorum") {
      const lost = d.addresses.map(hostOf).filter((h) => h && failed.has(h)).length;
      if (lost > 0 && !hasQuorum(d.addresses.length, d.addresses.length - lost)) out.set(c.name, `storage class ${c.name}: ${lost} of ${d.addresses.length} ${d.members} are on hosts that are down (no monitor quorum)`);
    } else if (d.kind === "cluster-nodes") {
      const alive = lab.nodes.filter((n) => !failed.has(n.host)).length;
      if (alive < 1) out.set(c.name, `storage class ${c.name}: no ${d.label} node left`);
    }
  }
  return out;
}

/** "host pve3 (guest VM truenas)", "host nuc1 (node talos01)", "host nuc1", "app pihole" */
function servedByText(o: AddressOwner): string {
  if (o.app) return `app ${o.app}`;
  return `host ${o.host}${o.guest ? ` (guest VM ${o.guest})` : o.node ? ` (node ${o.node})` : ""}`;
}

const SERVICE_EFFECT: Record<ServiceAddress["kind"], (s: ServiceAddress, lab: Lab) => string> = {
  storage: (s) => `every volume of storage class ${s.name} is unreachable: the apps on it stop`,
  "storage-api": (s) => `new volumes of storage class ${s.name} cannot be provisioned`,
  "ceph-monitor": (s) => `one Ceph monitor of ${s.name} fewer (the class stops when the monitors lose quorum)`,
  dns: (s, lab) => `names do not resolve for nodes and clients at site ${s.name} that use it${lab.site(s.name).dns.length > 1 ? " (unless another DNS server of the site answers)" : ""}: image pulls and anything that looks up a name fail`,
  gateway: (s) => `no route off site ${s.name}'s LAN: the internet, other sites and public ingress are cut off`,
  "dns-update": () => "external-dns cannot update records",
  "object-store": (s) => `the S3 endpoint ${s.name} is unreachable: what stores objects there fails`,
  git: () => "Flux cannot pull changes until it returns (what runs keeps running)",
  backup: (s) => `backups to target ${s.name} fail until it returns`,
};

/** Services the lab names by address whose server is down (a failed host, a guest VM on it, or an app that is down). */
function servicesLost(lab: Lab, failed: ReadonlySet<string>, appDown: (app: string) => boolean): ServiceLost[] {
  const out: ServiceLost[] = [];
  for (const s of lab.services) {
    const o = s.servedBy;
    if (!o) continue;
    if (o.host ? !failed.has(o.host) : !(o.app && appDown(o.app))) continue;
    out.push({ kind: s.kind, name: s.name, what: s.what, address: s.address, servedBy: servedByText(o), effect: SERVICE_EFFECT[s.kind](s, lab) });
  }
  return out;
}

function explain(lab: Lab, app: string, reason: string, failed: ReadonlySet<string>): string {
  const a = lab.app(app);
  if (reason.startsWith("storage class") || reason.startsWith(FROZEN)) return reason;
  if (reason.includes("volume node affinity conflict")) {
    const m = /bound to ([^)]+)/.exec(reason);
    const node = m ? lab.nodes.find((n) => n.name === m[1]) : undefined;
    return `its volume is pinned to ${node ? `host ${node.host} (node ${node.name})` : "a node that is down"}`;
  }
  // the host pin is the cause whenever every pinned host is down, whatever else fails on other nodes
  const pins = a.placement.hosts;
  if (pins.length && pins.every((h) => failed.has(h))) return `pinned to host ${pins.join(", ")}, which ${pins.length === 1 ? "is" : "are"} down`;
  if (reason.includes("drover.dev/host")) return `pinned to host ${pins.join(", ")}`;
  if (reason.includes(GPU_RESOURCE)) {
    const gpuHosts = [...new Set(lab.nodes.filter((n) => n.advertisedGpus > 0).map((n) => n.host))];
    const downGpu = gpuHosts.filter((h) => failed.has(h));
    if (downGpu.length && downGpu.length === gpuHosts.length) return `device (GPU) only on ${downGpu.join(", ")}`;
    return "no node with a free GPU";
  }
  if (reason.includes("kubernetes.io/arch")) {
    return `no node of the right architecture (${a.placement.archs.join(", ")}) left`;
  }
  if (reason.includes("Insufficient cpu") || reason.includes("Insufficient memory")) {
    const what = [reason.includes("Insufficient cpu") ? "CPU" : "", reason.includes("Insufficient memory") ? "memory" : ""].filter(Boolean).join(" and ");
    return `not enough ${what} anywhere (${reason})`;
  }
  if (reason.includes("taint")) return `no node it tolerates (${reason})`;
  return reason;
}

function spofs(lab: Lab, downNodes: ReadonlySet<string>, deadStorage: ReadonlyMap<string, string>, apps: readonly AppOutcome[], services: readonly ServiceLost[]): { component: string; reason: string }[] {
  const out: { component: string; reason: string }[] = [];
  for (const [, why] of deadStorage) out.push({ component: "storage", reason: why });
  // a site's name service and its route out are everyone's at that site: lost when every one of them is down
  for (const site of lab.sites) {
    const dns = lab.services.filter((s) => s.kind === "dns" && s.name === site.name);
    const lostDns = services.filter((s) => s.kind === "dns" && s.name === site.name);
    if (dns.length && lostDns.length === dns.length) out.push({ component: "DNS", reason: `${lostDns.map((s) => `${s.address} (${s.servedBy})`).join(", ")}, the DNS server${dns.length === 1 ? "" : "s"} of site ${site.name}, ${dns.length === 1 ? "is" : "are"} down: ${lostDns[0]!.effect}` });
    const gw = services.find((s) => s.kind === "gateway" && s.name === site.name);
    if (gw) out.push({ component: "gateway", reason: `${gw.address} (${gw.servedBy}) is down: ${gw.effect}` });
  }
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
  // (the nodes down are nodes of the lab)
  if (lab.nodes.length - downNodes.size === 0) out.push({ component: "cluster", reason: "every node is down" });
  return out;
}

/**
 * The units that fail together, each as it fails (without warning): every host with a node or a guest
 * VM, every chassis of more than one host (one board or power supply), and every site when there are
 * more than one (a power cut or a lost WAN link: from the rest of the cluster its nodes are gone).
 */
export function failureUnits(lab: Lab): { unit: FailureUnit; hosts: string[] }[] {
  const out: { unit: FailureUnit; hosts: string[] }[] = [];
  for (const h of lab.hosts) if (h.nodes.length > 0 || h.guests.length > 0) out.push({ unit: { kind: "host", name: h.name }, hosts: [h.name] });
  const chassis = new Map<string, string[]>();
  for (const h of lab.hosts) if (h.chassis) (chassis.get(h.chassis) ?? chassis.set(h.chassis, []).get(h.chassis)!).push(h.name);
  for (const [name, hosts] of chassis) if (hosts.length > 1) out.push({ unit: { kind: "chassis", name }, hosts });
  if (lab.sites.length > 1) for (const s of lab.sites) if (s.hosts.length) out.push({ unit: { kind: "site", name: s.name }, hosts: [...s.hosts] });
  return out;
}

/** Every single failure unit (host, chassis, site), worst first. */
export function allSingle(b: Baseline): WhatIfReport[] {
  const reports = failureUnits(b.lab).map((u) => whatIf(b, u.hosts, { unit: u.unit }));
  const rank = { host: 0, chassis: 1, site: 2, hosts: 3 } as const;
  return reports.sort((x, y) => y.damage - x.damage || rank[x.unit.kind] - rank[y.unit.kind] || x.unit.name.localeCompare(y.unit.name));
}

export function damage(r: Pick<WhatIfReport, "etcd" | "api" | "spofs" | "apps">): number {
  let d = (r.etcd.ok ? 0 : 1e6) + (r.api.ok ? 0 : 1e5) + r.spofs.length * 1e3;
  for (const a of r.apps) d += a.outcome === "down" ? 100 : a.outcome === "restarted" ? 10 : a.outcome === "degraded" ? 1 : 0;
  return d;
}

/** The volatile hosts, switched off as planned (the gaming PC and desktop off for the evening). */
export function volatileHosts(lab: Lab): string[] {
  return lab.hosts.filter((h) => h.power === "volatile").map((h) => h.name);
}

/** All volatile hosts off at once, shut down as planned (graceful node shutdown). */
export function volatileOff(b: Baseline): WhatIfReport {
  return whatIf(b, volatileHosts(b.lab), { shutdown: "graceful", unit: { kind: "hosts", name: "volatile hosts" } });
}
