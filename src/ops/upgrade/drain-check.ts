// The what-if check of one upgrade step: the node is drained (every pod evicted through the Eviction
// API, PodDisruptionBudgets honoured) and is away while it reboots. Its pods are re-placed on the other
// nodes by the scheduling simulation (the baseline placement of analyze/, first node that passes
// kube-scheduler's filters), and the step is judged:
//  - an app with a PodDisruptionBudget (Drover renders one for every stateless app of 2+ replicas,
//    maxUnavailable 1) must keep serving: it blocks the step when it would be down, or when more of
//    its replicas than the budget allows could not be placed elsewhere (the drain would wait forever);
//  - an app without one (a single replica, or stateful) restarts elsewhere: expected, listed;
//  - a control plane's step must leave etcd a quorum (a single control plane only warns: the API is
//    away while it reboots, as with any one-node control plane).
import type { Lab } from "../../lab/types.js";
import type { Baseline } from "../../analyze/whatif.js";
import { ownerOf, type SimPod } from "../../analyze/model.js";
import { scheduleFirstFit } from "../../analyze/scheduler.js";
import { hasQuorum, quorumOf } from "../../lab/quorum.js";
import { podPlan } from "../../lab/pods.js";
import { podDisruptionBudget } from "../../render/apps/disruption.js";

export interface StepCheck {
  readonly ok: boolean;
  /** why the step is refused */
  readonly problems: readonly string[];
  readonly warnings: readonly string[];
  /** apps with a PodDisruptionBudget that keep serving while replicas move */
  readonly kept: readonly string[];
  /** apps without one that restart elsewhere (a short outage, expected) */
  readonly restarts: readonly string[];
  /** pods re-placed on other nodes */
  readonly moved: number;
}

/** The apps Drover renders a PodDisruptionBudget for, with its maxUnavailable. */
export function protectedApps(lab: Lab): Map<string, number> {
  const out = new Map<string, number>();
  const archs = new Set(lab.nodes.map((n) => n.arch));
  for (const a of lab.apps) {
    const pdb = podDisruptionBudget(a, podPlan(lab, a, archs)) as { spec: { maxUnavailable: number } } | undefined;
    if (pdb) out.set(a.name, pdb.spec.maxUnavailable);
  }
  return out;
}

/**
 * The drain of one node in the simulation: its pods taken off and re-placed (first node that passes
 * kube-scheduler's filters; pods whose volume is bound to the node stay pending), counted per app,
 * and the baseline put back. Only what an upgrade step needs — cheaper than a full what-if report,
 * which a plan would build once per node.
 */
function simulateDrain(b: Baseline, node: string): { displaced: SimPod[]; pending: Map<string, string> } {
  const state = b.state;
  const displaced: SimPod[] = [];
  let placed = new Map<string, string>();
  const pending = new Map<string, string>();
  let unbound: string[] = [];
  state.beginScenario();
  try {
    for (const id of state.removeNode(node)) displaced.push(state.pod(id)!);
    displaced.sort((x, y) => b.order.get(x.id)! - b.order.get(y.id)!);
    unbound = displaced.filter((p) => p.nodeLocalVolume && state.volumeNode(p.id) === undefined).map((p) => p.id);
    const r = scheduleFirstFit(displaced, state);
    placed = r.placed;
    for (const [id, why] of r.pending) pending.set(id, why);
    return { displaced, pending };
  } finally {
    for (const id of placed.keys()) state.unplace(id);
    for (const id of unbound) state.unbindVolume(id);
    state.restoreNode(node);
    for (const p of displaced) state.place(p, node);
    state.endScenario();
  }
}

export function checkDrain(b: Baseline, node: string, guarded: ReadonlyMap<string, number> = protectedApps(b.lab)): StepCheck {
  const lab = b.lab;
  const problems: string[] = [];
  const warnings: string[] = [];
  const kept: string[] = [];
  const restarts: string[] = [];
  if (lab.node(node).role === "controlplane") {
    const members = lab.controlPlanes().length;
    if (!hasQuorum(members, members - 1)) {
      if (members === 1) warnings.push(`${node} is the only control plane: the Kubernetes API is unavailable while it reboots (running pods keep running)`);
      else problems.push(`etcd would lose quorum while ${node} reboots: ${members - 1} of ${members} members left, ${quorumOf(members)} needed`);
    }
  }
  const { displaced, pending } = simulateDrain(b, node);
  const apps = new Map<string, { moved: number; stuck: number; dep: string | undefined; why: string | undefined }>();
  for (const p of displaced) {
    const app = ownerOf(p);
    const a = apps.get(app) ?? { moved: 0, stuck: 0, dep: undefined, why: undefined };
    const why = pending.get(p.id);
    if (p.dependency) {
      if (why) a.dep = `its ${p.dependency} (${p.id}) cannot be placed elsewhere: ${why}`;
    } else if (why) {
      a.stuck++;
      a.why ??= why;
    } else a.moved++;
    apps.set(app, a);
  }
  for (const [app, a] of apps) {
    // (its replicas placed in the baseline: what the baseline's untouched outcome counts as before)
    const at = b.appIndex.get(app);
    const replicas = at !== undefined ? b.untouched[at]!.before : (b.podsByApp.get(app) ?? []).filter((p) => !p.dependency && b.placed.has(p.id)).length;
    const after = a.dep ? 0 : replicas - a.stuck;
    const reason = a.dep ?? (a.why ? `${a.stuck} replica${a.stuck === 1 ? "" : "s"} cannot be placed elsewhere: ${a.why}` : undefined);
    const budget = guarded.get(app);
    if (budget !== undefined) {
      if (after <= 0) problems.push(`${app} (PodDisruptionBudget maxUnavailable ${budget}) would be down while ${node} is away: ${reason ?? "no node fits its pods"}`);
      else if (a.stuck > budget) problems.push(`draining ${node} would wait forever on ${app}'s PodDisruptionBudget (maxUnavailable ${budget}): ${reason}`);
      else kept.push(app);
    } else if (after <= 0) {
      warnings.push(`${app} is down until ${node} is back: ${reason ?? "its pod fits nowhere else"}`);
    } else restarts.push(app);
  }
  const moved = [...apps.values()].reduce((n, a) => n + a.moved, 0);
  return { ok: problems.length === 0, problems, warnings, kept: kept.sort(), restarts: restarts.sort(), moved };
}
