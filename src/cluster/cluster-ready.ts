// Waiting for a new cluster: its API answering, then every Node Ready (and as many as the lab has).
import type { Client } from "./client.js";
import type { KubeObject } from "./objects.js";
import { UserError } from "../errors.js";

export interface NodeReadiness {
  readonly name: string;
  readonly ready: boolean;
  /** why not: the Ready condition's reason/message, or "not registered" */
  readonly message: string;
}

const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((r) => {
  const t = setTimeout(r, ms);
  signal?.addEventListener("abort", () => { clearTimeout(t); r(); }, { once: true });
});

/** Polls GET /version until the API server answers; the last error when it never does. */
export async function waitApi(client: Client, o: { timeoutMs: number; pollMs?: number; signal?: AbortSignal; onWait?: (error: string) => void }): Promise<string> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    try {
      return (await client.version()).gitVersion;
    } catch (e) {
      const msg = (e as Error).message;
      o.onWait?.(msg);
      if (Date.now() >= deadline || o.signal?.aborted) throw new UserError(`the Kubernetes API did not answer within ${Math.round(o.timeoutMs / 1000)} s: ${msg}`, "check that the control-plane nodes booted and are reachable, then run drover up again");
    }
    await sleep(o.pollMs ?? 2000, o.signal);
  }
}

/** Each expected node's readiness (nodes the cluster has and the lab does not are listed too). */
export async function nodeReadiness(client: Client, expected: readonly string[]): Promise<NodeReadiness[]> {
  const items = (await client.list<KubeObject & { status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] } }>("v1", "Node")).items;
  const byName = new Map(items.map((n) => [n.metadata?.name ?? "", n]));
  const names = [...new Set([...expected, ...byName.keys()])].sort();
  return names.map((name) => {
    const n = byName.get(name);
    if (!n) return { name, ready: false, message: "not registered yet" };
    const c = n.status?.conditions?.find((x) => x.type === "Ready");
    return { name, ready: c?.status === "True", message: c ? (c.status === "True" ? "Ready" : `${c.reason ?? "NotReady"}: ${c.message ?? ""}`.trim()) : "no Ready condition yet" };
  });
}

/** Polls until every expected node is registered and Ready; returns the last readiness either way. */
export async function waitNodesReady(client: Client, expected: readonly string[], o: { timeoutMs: number; pollMs?: number; signal?: AbortSignal; onProgress?: (nodes: readonly NodeReadiness[]) => void }): Promise<{ ready: boolean; nodes: NodeReadiness[] }> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    const nodes = await nodeReadiness(client, expected);
    o.onProgress?.(nodes);
    const ready = nodes.every((n) => n.ready);
    if (ready || Date.now() >= deadline || o.signal?.aborted) return { ready, nodes };
    await sleep(o.pollMs ?? 2000, o.signal);
  }
}
