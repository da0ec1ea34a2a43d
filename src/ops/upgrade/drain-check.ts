// The what-if check of one upgrade step: the node is drained (every pod evicted through the Eviction
// API, PodDisruptionBudgets honoured) and is away while it reboots. Its pods are re-placed on the other
// nodes by the scheduling simulation (analyze/whatIf with `drain`), and the step is judged:
//  - an app with a PodDisruptionBudget (Drover renders one for every stateless app of 2+ replicas,
//    maxUnavailable 1) must keep serving: it blocks the step when it would be down, or when more of
//    its replicas than the budget allows could not be placed elsewhere (the drain would wait forever);
//  - an app without one (a single replica, or stateful) restarts elsewhere: expected, listed;
//  - a control plane's step must leave etcd a quorum (a single control plane only warns: the API is
//    away while it reboots, as with any one-node control plane).
import type { Lab } from "../../lab/types.js";
import { whatIf, type Baseline } from "../../analyze/whatif.js";
import { ownerOf } from "../../analyze/model.js";
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

/** node → the apps with a pod on it in the baseline placement (the only apps a drain of it can touch) */
export function appsByNode(b: Baseline): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [id, node] of b.placed) {
    const p = b.state.pod(id);
    if (!p) continue;
    let set = out.get(node);
    if (!set) out.set(node, (set = new Set()));
    set.add(ownerOf(p));
  }
  return out;
}

export function checkDrain(b: Baseline, node: string, guarded: ReadonlyMap<string, number> = protectedApps(b.lab), onNode: ReadonlyMap<string, ReadonlySet<string>> = appsByNode(b)): StepCheck {
  const r = whatIf(b, [], { drain: [node], firstFit: true });
  const lab = b.lab;
  const problems: string[] = [];
  const warnings: string[] = [];
  const kept: string[] = [];
  const restarts: string[] = [];
  if (lab.node(node).role === "controlplane" && !r.etcd.ok) {
    if (r.etcd.members === 1) warnings.push(`${node} is the only control plane: the Kubernetes API is unavailable while it reboots (running pods keep running)`);
    else problems.push(`etcd would lose quorum while ${node} reboots: ${r.etcd.remaining} of ${r.etcd.members} members left, ${r.etcd.quorum} needed`);
  }
  const pendingOf = new Map<string, number>();
  for (const id of Object.keys(r.pending)) {
    const p = b.state.pod(id);
    if (!p || p.dependency) continue;
    pendingOf.set(ownerOf(p), (pendingOf.get(ownerOf(p)) ?? 0) + 1);
  }
  let moved = 0;
  for (const name of onNode.get(node) ?? []) {
    const a = r.apps[b.appIndex.get(name)!]!;
    if (a.outcome === "unaffected") continue;
    moved += a.moved;
    const budget = guarded.get(a.app);
    const stuck = pendingOf.get(a.app) ?? 0;
    if (budget !== undefined) {
      if (a.after === 0) problems.push(`${a.app} (PodDisruptionBudget maxUnavailable ${budget}) would be down: ${a.reason ?? "no node fits its pods"}`);
      else if (stuck > budget) problems.push(`draining ${node} would wait forever on ${a.app}'s PodDisruptionBudget (maxUnavailable ${budget}): ${stuck} replicas cannot be placed elsewhere${a.reason ? ` (${a.reason})` : ""}`);
      else kept.push(a.app);
    } else if (a.outcome === "down") {
      warnings.push(`${a.app} is down until ${node} is back: ${a.reason ?? "its pod fits nowhere else"}`);
    } else {
      restarts.push(a.app);
    }
  }
  return { ok: problems.length === 0, problems, warnings, kept, restarts, moved };
}
