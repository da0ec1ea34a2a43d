// `drover upgrade` without --plan: the plan's phases in order, stopping at the first failure.
//   Talos OS: the roll (roll.ts) over the plan's steps.
//   Kubernetes: Talos — the runner's cluster-wide step (talosctl upgrade-k8s), then every Node must
//   report the new kubelet version and be Ready; k3s — the system-upgrade-controller Plans
//   (k3s-plans.ts), or the roll over the plan's per-node steps with a runner that can take them.
//   Cilium: when the plan moves it, the pre-flight (cilium-preflight.ts); the chart itself moves with
//   the push.
// A plan with blockers is refused before anything runs.
import type { Client } from "../../cluster/client.js";
import { apiServerVersion, nodeVersions } from "../../cluster/nodes.js";
import { UserError } from "../../errors.js";
import type { Lab } from "../../lab/types.js";
import type { UpgradePlan } from "./plan.js";
import { roll, type RollEvent, type RollOptions, type RollResult } from "./roll.js";
import type { UpgradeRunner } from "./runner.js";
import { compareVersions, tryParseVersion } from "./version.js";
import type { KubeObject } from "../../cluster/objects.js";
import { runCiliumPreflight, type PreflightResult } from "./cilium-preflight.js";
import { applyK3sPlans, type PlansEvent, type PlansResult } from "./k3s-plans.js";

export interface UpgradeResult {
  readonly talos?: RollResult;
  /** the Cilium pre-flight, when the plan moves Cilium (run after Kubernetes, before the push) */
  readonly cilium?: PreflightResult;
  readonly kubernetes?: RollResult | PlansResult | { readonly ok: boolean; readonly error?: string };
  readonly ok: boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function runUpgrade(lab: Lab, plan: UpgradePlan, o: Parameters<typeof runNodes>[2]): Promise<UpgradeResult> {
  const r = await runNodes(lab, plan, o);
  if (!r.ok || !plan.platform.cilium || !o.ciliumPreflight) return r;
  const cilium = await runCiliumPreflight(o.client, await o.ciliumPreflight(), { ...(o.pollMs ? { pollMs: o.pollMs } : {}), ...(o.onPreflightEvent ? { onEvent: o.onPreflightEvent } : {}) });
  return { ...r, cilium, ok: cilium.ok };
}

async function runNodes(lab: Lab, plan: UpgradePlan, o: Omit<RollOptions, "runner"> & { runner: UpgradeRunner; kubernetesTimeoutMs?: number; k3sPlans?: boolean; onPlansEvent?: (e: PlansEvent) => void; ciliumPreflight?: () => Promise<KubeObject[]>; onPreflightEvent?: (what: string) => void }): Promise<UpgradeResult> {
  if (!plan.ok) {
    throw new UserError(`the upgrade plan has ${plan.blockers.length} blocker${plan.blockers.length === 1 ? "" : "s"}; nothing was changed:\n${plan.blockers.map((b) => `  - ${b.node ? `${b.node}: ` : ""}${b.reason}\n    ${b.hint}`).join("\n")}`, "fix them and run drover upgrade --plan again");
  }
  let talos: RollResult | undefined;
  if (plan.talos?.steps.length) {
    talos = await roll(lab, plan.talos.steps, o);
    if (!talos.ok) return { talos, ok: false };
  }
  const k = plan.kubernetes;
  if (!k) return { ...(talos ? { talos } : {}), ok: true };
  if (k.mode === "node-by-node") {
    if (o.k3sPlans) {
      const r = await applyK3sPlans(o.client, lab, k, { ...(o.kubernetesTimeoutMs ? { timeoutMs: o.kubernetesTimeoutMs } : {}), ...(o.pollMs ? { pollMs: o.pollMs } : {}), ...(o.onPlansEvent ? { onEvent: o.onPlansEvent } : {}) });
      return { ...(talos ? { talos } : {}), kubernetes: r, ok: r.ok };
    }
    const r = await roll(lab, k.steps, o);
    return { ...(talos ? { talos } : {}), kubernetes: r, ok: r.ok };
  }
  if (!o.runner.cluster) throw new Error("internal: the runner cannot upgrade Kubernetes cluster-wide");
  o.onEvent?.({ type: "cluster", phase: k } satisfies RollEvent);
  try {
    await o.runner.cluster(k);
  } catch (e) {
    return { ...(talos ? { talos } : {}), kubernetes: { ok: false, error: (e as Error).message }, ok: false };
  }
  // every kubelet and the API server at the new version, every node Ready
  const to = tryParseVersion(k.to)!;
  const deadline = Date.now() + (o.kubernetesTimeoutMs ?? 30 * 60_000);
  for (;;) {
    const nodes = await nodeVersions(o.client).catch(() => []);
    const api = await apiServerVersion(o.client).catch(() => undefined);
    const behind = nodes.filter((n) => !n.ready || !n.kubeletVersion || compareVersions(tryParseVersion(n.kubeletVersion) ?? to, to) !== 0 || !tryParseVersion(n.kubeletVersion));
    const apiOk = api !== undefined && tryParseVersion(api) !== undefined && compareVersions(tryParseVersion(api)!, to) === 0;
    if (!behind.length && apiOk) return { ...(talos ? { talos } : {}), kubernetes: { ok: true }, ok: true };
    if (Date.now() > deadline) {
      return { ...(talos ? { talos } : {}), kubernetes: { ok: false, error: `after talosctl upgrade-k8s, ${apiOk ? "" : `the API server reports ${api ?? "nothing"} and `}${behind.length} node(s) are not Ready at ${k.to}: ${behind.map((n) => `${n.name} ${n.kubeletVersion ?? "?"}${n.ready ? "" : " NotReady"}`).join(", ")}` }, ok: false };
    }
    await sleep(o.pollMs ?? 2000);
  }
}
