// `drover up`, Flux: installs the vendored Flux release from the render (CRDs first, then the
// controllers), creates the two Secrets Flux needs and Git cannot hold — `sops-age` (the age identity
// that decrypts the lab's Secrets) and, for an SSH remote, `flux-system` (the deploy key and the
// remote's host key) — then the GitRepository and root Kustomization, and waits until every
// Kustomization and HelmRelease is Ready, saying which are not and why.
// Install is skipped once Flux runs the lab (its root Kustomization is Ready): from then on Flux
// applies its own flux-system folder from Git, and `up` only pushes.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Lab } from "../../lab/types.js";
import type { LabSecrets } from "../../secrets/types.js";
import { UserError } from "../../errors.js";
import type { Client } from "../../cluster/client.js";
import type { KubeObject } from "../../cluster/objects.js";
import { refOf } from "../../cluster/objects.js";
import { waitCrds } from "../../cluster/apply.js";
import { fluxRunsCluster, waitFluxReady, type FluxObjectStatus } from "../../cluster/flux-status.js";
import { FLUX_CRDS_DIR, FLUX_SYSTEM_DIR } from "../../render/flux/flux-system.js";
import { gitSource } from "../../render/flux/git-source.js";
import { parseManifests } from "../cluster-input.js";
import { failure, type Runner } from "./runner.js";
import type { UpReport } from "./progress.js";
import { RENDERED_CLUSTER_DIR } from "./git-tree.js";
import { fluxStall, stallAdvice, type FluxKind } from "./flux-stall.js";

export const SOPS_AGE_SECRET = "sops-age";
export const DEPLOY_KEY_SECRET = "flux-system";
const FLUX_NS = "flux-system";

export interface FluxOptions {
  readonly lab: Lab;
  readonly secrets: LabSecrets;
  readonly outDir: string;
  readonly client: Client;
  /** the age identities (AGE-SECRET-KEY-1…) Flux decrypts the lab's Secrets with */
  readonly ageIdentities: readonly string[];
  readonly runner: Runner;
  readonly sshKeyscan: string;
  /** known_hosts lines for the Git remote (else ssh-keyscan asks it) */
  readonly knownHosts?: string;
  readonly wait: boolean;
  readonly timeoutMs: number;
  /** the commit `up` pushed: a build failure of it stops the wait (flux-stall.ts) */
  readonly revision?: string;
  readonly pollMs?: number;
  readonly report: UpReport;
  readonly signal?: AbortSignal;
}

export interface FluxResult {
  readonly installed: boolean;
  /** objects created or changed by the install */
  readonly changed: number;
  readonly ready: boolean;
  readonly objects: readonly FluxObjectStatus[];
  /** the wait stopped early: the objects marked stalled cannot become Ready without a change */
  readonly stalled: boolean;
  /** the deploy key to add, read-only, to the Git host (SSH remotes) */
  readonly deployKey?: string;
}

function folderObjects(dir: string): KubeObject[] {
  return readdirSync(dir).filter((f) => /\.ya?ml$/.test(f) && f !== "kustomization.yaml").sort()
    .flatMap((f) => parseManifests(readFileSync(join(dir, f), "utf8"), join(dir, f)));
}

/**
 * Applies with server-side apply and counts what changed: a new object, a new generation (a spec
 * change) or, for kinds without one, a new resourceVersion. (Flux's kinds default status.observedGeneration
 * to -1, which the API server writes again on every apply until a controller has written a status: a new
 * resourceVersion with nothing changed.)
 */
async function applyCounting(client: Client, objs: readonly KubeObject[], report: UpReport): Promise<number> {
  let changed = 0;
  for (const o of objs) {
    const before = await client.get(refOf(o));
    const after = await client.apply(o, { force: true });
    const differs = !before || (before.metadata?.generation !== undefined ? before.metadata.generation !== after.metadata?.generation : before.metadata?.resourceVersion !== after.metadata?.resourceVersion);
    if (differs) {
      changed++;
      report({ phase: "flux", status: "trace", message: `${o.kind} ${o.metadata?.namespace ?? ""}/${o.metadata?.name} ${before ? "changed" : "created"}` });
    }
  }
  return changed;
}

/** The host and port of an ssh:// Git URL. */
export function sshHost(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname.replace(/^\[|\]$/g, ""), port: u.port ? Number(u.port) : 22 };
}

/** The Secrets Flux reads: the age identity, and the deploy key with the remote's host keys. */
export async function fluxSecrets(o: FluxOptions): Promise<KubeObject[]> {
  if (!o.ageIdentities.length) throw new UserError("no age identity to give Flux", "pass --age-key with the lab's age key file");
  const out: KubeObject[] = [{
    apiVersion: "v1", kind: "Secret",
    metadata: { name: SOPS_AGE_SECRET, namespace: FLUX_NS, labels: { "app.kubernetes.io/managed-by": "drover" } },
    type: "Opaque",
    data: { "age.agekey": Buffer.from(o.ageIdentities.join("\n") + "\n").toString("base64") },
  } as KubeObject];
  const src = gitSource(o.lab);
  if (src.credentials === "ssh") {
    const key = o.secrets.ssh?.deploy;
    if (!key) throw new Error("internal: the secrets store has no deploy key");
    let known = o.knownHosts;
    if (known === undefined) {
      const { host, port } = sshHost(src.url);
      const r = await o.runner.run(o.sshKeyscan, ["-T", "10", "-p", String(port), host], { timeoutMs: 30_000 });
      known = r.stdout.split("\n").filter((l) => l.trim() && !l.startsWith("#")).join("\n");
      if (!known) throw new UserError(`cannot read the SSH host key of ${host}:${port} for Flux's known_hosts: ${failure(r)}`, "check that the Git host is reachable, or pass --known-hosts <file>");
    }
    out.push({
      apiVersion: "v1", kind: "Secret",
      metadata: { name: DEPLOY_KEY_SECRET, namespace: FLUX_NS, labels: { "app.kubernetes.io/managed-by": "drover" } },
      type: "Opaque",
      data: {
        identity: Buffer.from(key.privateKey).toString("base64"),
        "identity.pub": Buffer.from(key.publicKey + "\n").toString("base64"),
        known_hosts: Buffer.from(known.trimEnd() + "\n").toString("base64"),
      },
    } as KubeObject);
  }
  return out;
}

/**
 * How many Flux Kustomizations the render has (the root one included): the wait expects them all. Not
 * kustomize's own kustomization.yaml files, which say `kind: Kustomization` too (kustomize.config.k8s.io).
 */
export function renderedKustomizations(outDir: string, specs = renderedFluxSpecs(outDir)): number {
  return [...specs.keys()].filter((k) => k.startsWith("Kustomization/")).length;
}

/** The rendered Kustomizations (Flux's kind) and HelmReleases, by kind/namespace/name, with their spec. */
export function renderedFluxSpecs(outDir: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (/\.ya?ml$/.test(e.name)) {
        const text = readFileSync(join(d, e.name), "utf8");
        if (!/^kind: (Kustomization|HelmRelease)$/m.test(text)) continue;
        for (const o of parseManifests(text, join(d, e.name))) {
          if ((o.kind === "Kustomization" && o.apiVersion?.startsWith("kustomize.toolkit.fluxcd.io/")) || (o.kind === "HelmRelease" && o.apiVersion?.startsWith("helm.toolkit.fluxcd.io/"))) {
            out.set(`${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name}`, (o as { spec?: unknown }).spec ?? {});
          }
        }
      }
    }
  };
  walk(join(outDir, RENDERED_CLUSTER_DIR));
  return out;
}

export async function upFlux(o: FluxOptions): Promise<FluxResult> {
  const { client, report } = o;
  const base = join(o.outDir, RENDERED_CLUSTER_DIR);
  let installed = false;
  let changed = 0;
  if (await fluxRunsCluster(client)) {
    report({ phase: "flux", status: "skip", message: "Flux runs the lab (Kustomization flux-system is Ready): it applies its own updates from Git" });
  } else {
    report({ phase: "flux", status: "start", message: "installing Flux from the render (CRDs first)" });
    const crds = folderObjects(join(base, FLUX_CRDS_DIR));
    changed += await applyCounting(client, crds, report);
    await waitCrds(client, crds, (n) => report({ phase: "flux", status: "wait", message: `waiting for ${n} Flux CRD${n === 1 ? "" : "s"} to be established` }), 120_000, () => !!o.signal?.aborted);
    const system = folderObjects(join(base, FLUX_SYSTEM_DIR));
    const isSync = (x: KubeObject) => x.kind === "GitRepository" || x.kind === "Kustomization";
    const ns = system.filter((x) => x.kind === "Namespace");
    changed += await applyCounting(client, ns, report);
    changed += await applyCounting(client, system.filter((x) => x.kind !== "Namespace" && !isSync(x)), report);
    changed += await applyCounting(client, await fluxSecrets(o), report);
    changed += await applyCounting(client, system.filter(isSync), report);
    installed = true;
    report({ phase: "flux", status: changed ? "done" : "skip", message: changed ? `Flux installed: ${changed} object${changed === 1 ? "" : "s"} created or changed` : "Flux is installed (nothing to change)" });
  }
  const deployKey = gitSource(o.lab).credentials === "ssh" ? o.secrets.ssh?.deploy.publicKey : undefined;
  if (!o.wait) return { installed, changed, ready: false, objects: [], stalled: false, ...(deployKey ? { deployKey } : {}) };
  const rendered = renderedFluxSpecs(o.outDir);
  const expect = renderedKustomizations(o.outDir, rendered);
  report({ phase: "flux", status: "start", message: `waiting for ${expect} Kustomizations and every HelmRelease to be Ready` });
  const r = await waitFluxReady(client, {
    timeoutMs: o.timeoutMs, expectKustomizations: expect, ...(o.pollMs ? { pollMs: o.pollMs } : {}), ...(o.signal ? { signal: o.signal } : {}),
    judge: (kind, x) => fluxStall(kind, x, { spec: rendered.get(`${kind}/${x.metadata?.namespace ?? ""}/${x.metadata?.name}`), ...(o.revision ? { revision: o.revision } : {}) }),
    onProgress: (objs) => {
      const notReady = objs.filter((x) => !x.ready);
      report({ phase: "flux", status: "wait", message: `${objs.length - notReady.length}/${Math.max(objs.length, expect)} Ready${notReady[0] ? ` — ${notReady[0].kind} ${notReady[0].namespace}/${notReady[0].name}: ${notReady[0].message || notReady[0].reason}` : ""}` });
    },
  });
  if (r.ready) report({ phase: "flux", status: "done", message: `every Kustomization and HelmRelease is Ready (${r.objects.length})` });
  for (const x of r.objects.filter((y) => y.stalled)) {
    report({ phase: "flux", status: "warn", message: `${x.kind} ${x.namespace}/${x.name} cannot become Ready without a change (${x.reason}: ${x.message}); stopped waiting. Look further: ${stallAdvice(x.kind as FluxKind, x.namespace, x.name)}` });
  }
  return { installed, changed, ready: r.ready, objects: r.objects, stalled: r.stalled, ...(deployKey ? { deployKey } : {}) };
}
