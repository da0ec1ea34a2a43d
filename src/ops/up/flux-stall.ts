// Whether a Flux Kustomization or HelmRelease can no longer become Ready without a change, so `drover
// up` stops waiting for it at once instead of for the whole --flux-timeout. Read from the conditions
// Flux writes (kstatus: Ready, Reconciling, Stalled), as its controllers write them at the pinned
// release (kustomize-controller 1.9.5, helm-controller 1.6.4):
//   Stalled=True      both kinds; the controller will not retry until the object changes (HelmRelease:
//                     reason RetriesExceeded, "Failed to install after 4 attempt(s)", when its install or
//                     upgrade remediation retries are used up; either kind: InvalidCELExpression,
//                     AccessDenied, FeatureGateDisabled)
//   Ready=False, reason BuildFailed   Kustomization: kustomize build (or SOPS decryption) of the revision
//                     failed; retrying the same revision fails the same way (Reconciling stays True,
//                     reason ProgressingWithRetry, so kstatus alone calls it in progress)
// Everything else keeps the wait going: a source not fetched yet (ArtifactFailed), a dependency not
// Ready, a failed apply (CRDs another object installs may still come), failed health checks, a Helm
// install with retries left — those can still become Ready.
// A stall counts only when it is about what `up` pushed, so a second run never stops on an old failure
// that its own push is about to fix: the status answers the object's current generation; the object's
// spec in the cluster is the rendered one (every field the render sets has that value; fields the
// API server defaulted are ignored); and a build failure is of the commit `up` pushed. An object that
// is not in the render (Flux is about to prune it) never stops the wait.
import type { KubeObject } from "../../cluster/objects.js";

export type FluxKind = "Kustomization" | "HelmRelease";

export interface FluxStall {
  /** the condition's reason: RetriesExceeded, BuildFailed, AccessDenied… */
  readonly reason: string;
  /** what Flux says, the Ready condition's message after the Stalled one's when they differ */
  readonly message: string;
}

/** What `up` expects of one object: its rendered spec, and the commit it pushed. */
export interface FluxExpectation {
  /** the object's spec in the render; undefined: not in the render */
  readonly spec: unknown;
  /** the commit `up` pushed (40 or 64 hex digits); undefined: not known */
  readonly revision?: string;
}

interface Condition { type?: string; status?: string; reason?: string; message?: string; observedGeneration?: number }
interface FluxStatus { observedGeneration?: number; conditions?: Condition[]; lastAttemptedRevision?: string }

/** Every field (and list item) of `want` has the same value in `got`; more fields in `got` are defaults. */
export function specIncludes(got: unknown, want: unknown): boolean {
  if (Array.isArray(want)) return Array.isArray(got) && got.length === want.length && want.every((w, i) => specIncludes(got[i], w));
  if (want !== null && typeof want === "object") {
    if (got === null || typeof got !== "object" || Array.isArray(got)) return false;
    return Object.entries(want as Record<string, unknown>).every(([k, w]) => specIncludes((got as Record<string, unknown>)[k], w));
  }
  return got === want;
}

/** "main@sha1:<hash>" (Flux's revision form) or a bare hash names this commit. */
export function revisionIs(revision: string | undefined, commit: string): boolean {
  if (!revision) return false;
  const hash = revision.slice(revision.lastIndexOf(":") + 1);
  return hash.toLowerCase() === commit.toLowerCase();
}

/** The stall that keeps this object from ever becoming Ready as things are, or undefined. */
export function fluxStall(kind: FluxKind, o: KubeObject, expect: FluxExpectation): FluxStall | undefined {
  if (expect.spec === undefined) return undefined;
  const spec = (o as { spec?: unknown }).spec;
  if ((spec as { suspend?: boolean } | undefined)?.suspend) return undefined; // fluxObjectStatus says "Suspended"; the user's choice, and flux resume ends it
  if (!specIncludes(spec, expect.spec)) return undefined; // Flux has not applied the rendered object yet
  const status: FluxStatus = (o as { status?: FluxStatus }).status ?? {};
  const gen = o.metadata?.generation ?? 0;
  const current = (c: Condition) => (c.observedGeneration ?? status.observedGeneration ?? -1) >= gen;
  const conds = status.conditions ?? [];
  const ready = conds.find((c) => c.type === "Ready");
  if (ready?.status === "True") return undefined;
  const stalled = conds.find((c) => c.type === "Stalled" && c.status === "True");
  if (stalled && current(stalled)) {
    const messages = [stalled.message, ready?.message].filter((m): m is string => !!m);
    return { reason: stalled.reason || "Stalled", message: [...new Set(messages)].join("; ") || "stalled" };
  }
  if (kind === "Kustomization" && ready?.status === "False" && ready.reason === "BuildFailed" && current(ready)
    && expect.revision !== undefined && revisionIs(status.lastAttemptedRevision, expect.revision)) {
    return { reason: "BuildFailed", message: ready.message || "kustomize build failed" };
  }
  return undefined;
}

/** How to look further into an object (flux and kubectl commands), and how to retry it once fixed. */
export function stallAdvice(kind: FluxKind, namespace: string, name: string): string {
  const look = `flux events -n ${namespace} --for ${kind}/${name}; flux logs --kind=${kind} -n ${namespace} --name=${name}; kubectl -n ${namespace} describe ${kind.toLowerCase()} ${name}`;
  return kind === "HelmRelease"
    ? `${look}; once fixed, run drover up again (or flux reconcile helmrelease ${name} -n ${namespace} --reset: its retries are used up)`
    : `${look}; once fixed, run drover up again`;
}
