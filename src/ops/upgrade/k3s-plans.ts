// `drover upgrade` on k3s: the system-upgrade-controller does the per-node work (cordon, drain,
// rancher/k3s-upgrade, uncordon); Drover applies its Plans (render/k3s/upgrade-plans.ts) and follows
// the Nodes until every server, then every agent, reports the new kubelet, in that order — an agent at
// the new version while a server is behind is a failure of the controller's prepare step. Refused
// with the install step when the cluster does not serve the Plan CRD (the controller is not installed).
import type { Client } from "../../cluster/client.js";
import type { KubeObject } from "../../cluster/objects.js";
import { nodeVersions, type NodeVersion } from "../../cluster/nodes.js";
import { UserError } from "../../errors.js";
import type { Lab } from "../../lab/types.js";
import { SUC_NAMESPACE, k3sUpgradePlans } from "../../render/k3s/upgrade-plans.js";
import type { KubernetesPhase } from "./plan.js";
import { compareVersions, tryParseVersion } from "./version.js";

export type PlansEvent =
  | { readonly type: "plans"; readonly applied: readonly string[] }
  | { readonly type: "node-upgraded"; readonly node: string; readonly version: string };

export interface PlansResult {
  readonly ok: boolean;
  /** nodes in the order they reported the new version */
  readonly upgraded: readonly string[];
  readonly error?: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export const SUC_INSTALL_HINT = "install the system-upgrade-controller first (its release's crd.yaml and system-upgrade-controller.yaml: kubectl apply -f …), or upgrade node by node with the commands of drover upgrade --plan";

export async function applyK3sPlans(client: Client, lab: Lab, k: KubernetesPhase, o: { timeoutMs?: number; pollMs?: number; onEvent?: (e: PlansEvent) => void } = {}): Promise<PlansResult> {
  try {
    await client.resource("upgrade.cattle.io/v1", "Plan");
  } catch {
    throw new UserError("the cluster does not serve upgrade.cattle.io/v1 Plan: the system-upgrade-controller is not installed", SUC_INSTALL_HINT);
  }
  await client.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: SUC_NAMESPACE } } as KubeObject, { force: true });
  const plans = k3sUpgradePlans(lab);
  for (const p of plans) await client.apply(p as unknown as KubeObject, { force: true });
  o.onEvent?.({ type: "plans", applied: plans.map((p) => `${SUC_NAMESPACE}/${(p.metadata as { name: string }).name}`) });

  const to = tryParseVersion(k.to)!;
  const servers = new Set(lab.controlPlanes().map((n) => n.name));
  const wanted = new Set(lab.nodes.map((n) => n.name));
  const at = (n: NodeVersion) => n.ready && n.kubeletVersion !== undefined && tryParseVersion(n.kubeletVersion) !== undefined && compareVersions(tryParseVersion(n.kubeletVersion)!, to) === 0;
  const upgraded: string[] = [];
  const deadline = Date.now() + (o.timeoutMs ?? 60 * 60_000);
  for (;;) {
    const nodes = (await nodeVersions(client).catch(() => [] as NodeVersion[])).filter((n) => wanted.has(n.name));
    for (const n of nodes) {
      if (!upgraded.includes(n.name) && at(n)) {
        upgraded.push(n.name);
        o.onEvent?.({ type: "node-upgraded", node: n.name, version: n.kubeletVersion! });
      }
    }
    const behind = nodes.filter((n) => !at(n));
    const serversBehind = behind.filter((n) => servers.has(n.name));
    const early = upgraded.filter((n) => !servers.has(n)).length && serversBehind.length ? upgraded.find((n) => !servers.has(n)) : undefined;
    if (early) return { ok: false, upgraded, error: `agent ${early} is at ${k.to} while server${serversBehind.length === 1 ? "" : "s"} ${serversBehind.map((n) => n.name).join(", ")} ${serversBehind.length === 1 ? "is" : "are"} not: the agent plan must wait for the server plan (its prepare step)` };
    if (!behind.length && nodes.length === wanted.size) return { ok: true, upgraded };
    if (Date.now() > deadline) {
      const missing = [...wanted].filter((w) => !nodes.some((n) => n.name === w));
      return { ok: false, upgraded, error: `after applying the Plans, ${behind.length + missing.length} node(s) are not Ready at ${k.to}: ${[...behind.map((n) => `${n.name} ${n.kubeletVersion ?? "?"}${n.ready ? "" : " NotReady"}`), ...missing.map((m) => `${m} (no Node)`)].join(", ")} (kubectl -n ${SUC_NAMESPACE} get plans,jobs says what the controller did)` };
    }
    await sleep(o.pollMs ?? 2000);
  }
}
