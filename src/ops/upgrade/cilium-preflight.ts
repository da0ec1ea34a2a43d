// The Cilium pre-flight, run (cilium.ts plans it): the objects the new chart renders with
// preflight.enabled=true are applied, the cilium-pre-flight-check DaemonSet is waited for until it is
// Ready on every node it is scheduled to and on at least as many as the running cilium DaemonSet (the
// new image pulled everywhere the agents run), then every object is deleted again — also when the
// wait fails, which stops the upgrade before the chart moves.
import type { Client } from "../../cluster/client.js";
import type { KubeObject } from "../../cluster/objects.js";
import { refOf } from "../../cluster/objects.js";
import { PREFLIGHT_DAEMONSET } from "./cilium.js";

type DaemonSet = KubeObject & { metadata: { generation?: number }; status?: { desiredNumberScheduled?: number; numberReady?: number; observedGeneration?: number } };

export interface PreflightResult {
  readonly ok: boolean;
  /** pre-flight pods Ready / the cilium DaemonSet's Ready pods at the end */
  readonly ready: number;
  readonly agents: number | undefined;
  readonly error?: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function runCiliumPreflight(client: Client, objects: readonly KubeObject[], o: { namespace?: string; timeoutMs?: number; pollMs?: number; onEvent?: (what: string) => void } = {}): Promise<PreflightResult> {
  const ns = o.namespace ?? "kube-system";
  const applied: KubeObject[] = [];
  let ready = 0;
  let agents: number | undefined;
  try {
    for (const obj of objects) {
      applied.push(await client.apply({ ...obj, metadata: { ...obj.metadata, ...(obj.metadata.namespace || obj.kind.startsWith("Cluster") ? {} : { namespace: ns }) } } as KubeObject, { force: true }));
    }
    if (!applied.some((a) => a.kind === "DaemonSet" && a.metadata.name === PREFLIGHT_DAEMONSET)) return { ok: false, ready, agents, error: `the pre-flight objects have no DaemonSet ${PREFLIGHT_DAEMONSET}` };
    o.onEvent?.(`created ${applied.length} pre-flight objects`);
    const deadline = Date.now() + (o.timeoutMs ?? 10 * 60_000);
    for (;;) {
      const pf = await client.get<DaemonSet>({ apiVersion: "apps/v1", kind: "DaemonSet", name: PREFLIGHT_DAEMONSET, namespace: ns });
      const cilium = await client.get<DaemonSet>({ apiVersion: "apps/v1", kind: "DaemonSet", name: "cilium", namespace: ns });
      const s = pf?.status ?? {};
      ready = s.numberReady ?? 0;
      agents = cilium?.status?.numberReady;
      const observed = (s.observedGeneration ?? 0) >= (pf?.metadata.generation ?? 1);
      if (observed && (s.desiredNumberScheduled ?? 0) > 0 && ready === s.desiredNumberScheduled && ready >= (agents ?? 0)) {
        o.onEvent?.(`${PREFLIGHT_DAEMONSET} Ready on ${ready} nodes (cilium on ${agents ?? "no"} nodes)`);
        return { ok: true, ready, agents };
      }
      if (Date.now() > deadline) return { ok: false, ready, agents, error: `${PREFLIGHT_DAEMONSET} is Ready on ${ready} of ${s.desiredNumberScheduled ?? 0} nodes (cilium on ${agents ?? "no"} nodes): the new image did not come up everywhere — see kubectl -n ${ns} describe daemonset ${PREFLIGHT_DAEMONSET} before upgrading` };
      await sleep(o.pollMs ?? 2000);
    }
  } finally {
    for (const a of [...applied].reverse()) await client.delete(refOf(a), { propagationPolicy: "Background" }).catch(() => false);
    if (applied.length) o.onEvent?.("deleted the pre-flight objects");
  }
}
