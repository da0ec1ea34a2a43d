// Whether Flux has reconciled the lab: every Kustomization and HelmRelease Ready for its current
// generation, and for those that are not, why (the Ready condition's reason and message, or "not
// reconciled yet"). Read with the API only, like `flux get kustomizations` does.
import type { Client } from "./client.js";
import type { KubeObject } from "./objects.js";
import { ApiError } from "./client.js";
import { NotFound } from "../errors.js";

export interface FluxObjectStatus {
  readonly kind: "Kustomization" | "HelmRelease";
  readonly namespace: string;
  readonly name: string;
  readonly ready: boolean;
  /** the Ready condition's reason, "Suspended", or "NotReconciled" */
  readonly reason: string;
  readonly message: string;
  /** it cannot become Ready as things are (a judge passed to fluxStatus said so): reason and message are the stall's */
  readonly stalled?: boolean;
}

/** Says whether an object that is not Ready can no longer become Ready, and why. */
export type FluxStallJudge = (kind: FluxObjectStatus["kind"], o: KubeObject) => { readonly reason: string; readonly message: string } | undefined;

export const FLUX_KINDS = [
  { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization" },
  { apiVersion: "helm.toolkit.fluxcd.io/v2", kind: "HelmRelease" },
] as const;

interface Condition { type?: string; status?: string; reason?: string; message?: string; observedGeneration?: number }

/** The status of one Flux object as `flux get` would show it. */
export function fluxObjectStatus(kind: FluxObjectStatus["kind"], o: KubeObject): FluxObjectStatus {
  const meta = o.metadata ?? {};
  const status = (o as { status?: { observedGeneration?: number; conditions?: Condition[] } }).status ?? {};
  const spec = (o as { spec?: { suspend?: boolean } }).spec ?? {};
  const base = { kind, namespace: meta.namespace ?? "", name: meta.name ?? "" };
  if (spec.suspend) return { ...base, ready: false, reason: "Suspended", message: "suspended (flux resume, or spec.suspend: false)" };
  const ready = status.conditions?.find((c) => c.type === "Ready");
  const gen = meta.generation ?? 0;
  const observed = ready?.observedGeneration ?? status.observedGeneration ?? -1;
  if (!ready) return { ...base, ready: false, reason: "NotReconciled", message: "not reconciled yet (is the controller running?)" };
  if (observed < gen) return { ...base, ready: false, reason: ready.reason ?? "Progressing", message: `generation ${gen} not reconciled yet${ready.message ? ` (last: ${ready.message})` : ""}` };
  return { ...base, ready: ready.status === "True", reason: ready.reason ?? "", message: ready.message ?? "" };
}

/** Every Kustomization and HelmRelease of the cluster with its readiness; kinds the cluster does not serve count as none. */
export async function fluxStatus(client: Client, judge?: FluxStallJudge): Promise<FluxObjectStatus[]> {
  const out: FluxObjectStatus[] = [];
  for (const k of FLUX_KINDS) {
    let items: KubeObject[];
    try {
      items = (await client.list(k.apiVersion, k.kind)).items;
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) continue;
      if (e instanceof NotFound) continue; // the kind is not served (Flux's CRDs not installed yet)
      throw e;
    }
    for (const o of items) {
      const st = fluxObjectStatus(k.kind, o);
      const stall = st.ready ? undefined : judge?.(k.kind, o);
      out.push(stall ? { ...st, reason: stall.reason, message: stall.message, stalled: true } : st);
    }
  }
  return out.sort((a, b) => (a.kind + a.namespace + a.name < b.kind + b.namespace + b.name ? -1 : 1));
}

export interface FluxWaitResult {
  readonly ready: boolean;
  readonly objects: readonly FluxObjectStatus[];
  readonly timedOut: boolean;
  /** it stopped early: an object cannot become Ready (FluxObjectStatus.stalled) */
  readonly stalled: boolean;
}

const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((r) => {
  const t = setTimeout(r, ms);
  signal?.addEventListener("abort", () => { clearTimeout(t); r(); }, { once: true });
});

/**
 * Polls until every Kustomization and HelmRelease is Ready (at least `expect` Kustomizations exist:
 * the root one makes the others), until the timeout, or until the judge says an object can no longer
 * become Ready; reports each round.
 */
export async function waitFluxReady(client: Client, o: { timeoutMs: number; pollMs?: number; expectKustomizations?: number; signal?: AbortSignal; onProgress?: (objects: readonly FluxObjectStatus[]) => void; judge?: FluxStallJudge }): Promise<FluxWaitResult> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    const objects = await fluxStatus(client, o.judge);
    o.onProgress?.(objects);
    const ks = objects.filter((x) => x.kind === "Kustomization").length;
    const ready = objects.length > 0 && objects.every((x) => x.ready) && ks >= (o.expectKustomizations ?? 1);
    if (ready) return { ready, objects, timedOut: false, stalled: false };
    if (objects.some((x) => x.stalled)) return { ready: false, objects, timedOut: false, stalled: true };
    if (Date.now() >= deadline || o.signal?.aborted) return { ready: false, objects, timedOut: !o.signal?.aborted, stalled: false };
    await sleep(o.pollMs ?? 2000, o.signal);
  }
}

/**
 * Whether Flux reconciles this cluster: the root Kustomization (flux-system/flux-system, as Drover and
 * `flux bootstrap` name it) exists and is Ready. False when Flux's kinds are not served.
 */
export async function fluxRunsCluster(client: Client): Promise<boolean> {
  try {
    const k = await client.get({ apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", namespace: "flux-system", name: "flux-system" });
    return !!k && fluxObjectStatus("Kustomization", k).ready;
  } catch (e) {
    if (e instanceof NotFound) return false;
    throw e;
  }
}
