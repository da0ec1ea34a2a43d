// The roll: the plan's node steps one at a time, each
//   1. checked live first: the node exists, and for a control plane every other etcd member is Ready
//      (so quorum holds while this one is away);
//   2. drained like kubectl drain (cluster/drain: Eviction API, PodDisruptionBudgets honoured);
//   3. upgraded by the runner;
//   4. waited for: Ready again and reporting the new version;
//   5. uncordoned, then waited for until every PodDisruptionBudget is satisfied again, so the next
//      drain starts from a healthy cluster.
// The first failure stops the roll: nothing after it runs, the node is left cordoned, and the report
// says which step, why, and what was done before it.
import type { Client } from "../../cluster/client.js";
import { drainApi } from "../../cluster/drain/client-api.js";
import { drainNode, uncordon, type DrainEvent, type DrainOptions } from "../../cluster/drain/index.js";
import { budgetShortfalls, nodeVersionOf, nodeVersions, type BudgetShortfall, type NodeVersion } from "../../cluster/nodes.js";
import { hasQuorum, quorumOf } from "../../lab/quorum.js";
import type { Lab } from "../../lab/types.js";
import type { KubernetesPhase, NodeStep } from "./plan.js";
import { talosFromOsImage } from "./plan.js";
import type { UpgradeRunner } from "./runner.js";
import { tryParseVersion, compareVersions } from "./version.js";

export type RollEvent =
  | { readonly type: "step"; readonly index: number; readonly total: number; readonly step: NodeStep }
  | { readonly type: "drain"; readonly node: string; readonly event: DrainEvent }
  | { readonly type: "upgrading"; readonly node: string }
  | { readonly type: "ready"; readonly node: string; readonly version: string }
  | { readonly type: "uncordoned"; readonly node: string }
  | { readonly type: "healthy"; readonly node: string; readonly waitedMs: number }
  | { readonly type: "cluster"; readonly phase: KubernetesPhase };

export interface RollOptions {
  readonly client: Client;
  readonly runner: UpgradeRunner;
  readonly drain?: DrainOptions;
  /** how long a node may take to come back Ready at the new version (default 15 min) */
  readonly readyTimeoutMs?: number;
  /** how long the budgets may take to be satisfied again after a step (default 10 min) */
  readonly healthyTimeoutMs?: number;
  readonly pollMs?: number;
  readonly onEvent?: (e: RollEvent) => void;
}

export interface StepReport {
  readonly node: string;
  readonly kind: NodeStep["kind"];
  readonly evicted: number;
  readonly ms: number;
}

export interface RollResult {
  readonly ok: boolean;
  readonly done: readonly StepReport[];
  /** the step that failed, and why; the steps after it were not started */
  readonly failed?: { readonly node: string; readonly stage: "check" | "drain" | "upgrade" | "ready" | "healthy"; readonly error: string; readonly cordoned: boolean };
  readonly notStarted: readonly string[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Whether the node reports the step's target version. */
export function atVersion(step: NodeStep, n: NodeVersion): boolean {
  const reported = step.kind === "talos" ? talosFromOsImage(n.osImage) : n.kubeletVersion;
  const a = reported ? tryParseVersion(reported) : undefined;
  const b = tryParseVersion(step.to);
  if (!a || !b) return false;
  // k3s reports "v1.35.4+k3s1": the suffix must match too
  if (step.kind === "k3s-server" || step.kind === "k3s-agent") return reported!.replace(/^v/, "") === step.to.replace(/^v/, "");
  return compareVersions(a, b) === 0;
}

async function until<T>(what: string, timeoutMs: number, pollMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() >= deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(pollMs);
  }
}

const describeShortfalls = (s: readonly BudgetShortfall[]) => s.map((x) => `${x.budget} ${x.currentHealthy}/${x.desiredHealthy} healthy`).join(", ");

export async function roll(lab: Lab, steps: readonly NodeStep[], o: RollOptions): Promise<RollResult> {
  const emit = o.onEvent ?? (() => {});
  const poll = o.pollMs ?? 500;
  const api = drainApi(o.client);
  const done: StepReport[] = [];
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    const t0 = Date.now();
    const notStarted = steps.slice(i + 1).map((s) => s.node);
    const fail = (stage: NonNullable<RollResult["failed"]>["stage"], e: unknown, cordoned: boolean): RollResult =>
      ({ ok: false, done, failed: { node: step.node, stage, error: (e as Error).message ?? String(e), cordoned }, notStarted });
    emit({ type: "step", index: i, total: steps.length, step });

    // 1. live checks
    try {
      const nodes = await nodeVersions(o.client);
      const me = nodes.find((n) => n.name === step.node);
      if (!me) throw new Error(`node ${step.node} is not in the cluster`);
      if (step.role === "controlplane") {
        const cps = lab.controlPlanes().map((c) => c.name);
        const othersReady = nodes.filter((n) => cps.includes(n.name) && n.name !== step.node && n.ready).length;
        if (cps.length > 1 && !hasQuorum(cps.length, othersReady)) {
          throw new Error(`etcd would lose quorum while ${step.node} is away: ${othersReady} other control plane${othersReady === 1 ? "" : "s"} Ready of ${cps.length} members, ${quorumOf(cps.length)} needed`);
        }
      }
    } catch (e) {
      return fail("check", e, false);
    }

    // 2. drain
    let evicted = 0;
    if (step.drain) {
      try {
        const r = await drainNode(api, step.node, { ignoreDaemonSets: true, deleteEmptyDirData: true, ...o.drain }, (event) => emit({ type: "drain", node: step.node, event }));
        evicted = r.evicted.length;
      } catch (e) {
        return fail("drain", e, true);
      }
    }

    // 3. upgrade
    emit({ type: "upgrading", node: step.node });
    try {
      await o.runner.node(step);
    } catch (e) {
      return fail("upgrade", e, step.drain);
    }

    // 4. back, Ready, at the new version
    try {
      const n = await until(`${step.node} to be Ready at ${step.to}`, o.readyTimeoutMs ?? 15 * 60_000, poll, async () => {
        const v = await nodeVersionOf(o.client, step.node);
        return v && v.ready && atVersion(step, v) ? v : undefined;
      });
      emit({ type: "ready", node: step.node, version: step.kind === "talos" ? talosFromOsImage(n.osImage)! : n.kubeletVersion! });
    } catch (e) {
      return fail("ready", e, step.drain);
    }

    // 5. uncordon; every budget satisfied again before the next step
    if (step.drain) {
      await uncordon(api, step.node);
      emit({ type: "uncordoned", node: step.node });
    }
    const h0 = Date.now();
    let last: BudgetShortfall[] = [];
    try {
      await until("every PodDisruptionBudget to be satisfied", o.healthyTimeoutMs ?? 10 * 60_000, poll, async () => {
        last = await budgetShortfalls(o.client);
        return last.length === 0 ? true : undefined;
      });
    } catch (e) {
      return fail("healthy", new Error(`${(e as Error).message}: ${describeShortfalls(last)}`), false);
    }
    emit({ type: "healthy", node: step.node, waitedMs: Date.now() - h0 });
    done.push({ node: step.node, kind: step.kind, evicted, ms: Date.now() - t0 });
  }
  return { ok: true, done, notStarted: [] };
}
