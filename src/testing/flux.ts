// Real Flux for tests (issues 14 and 15, Tier 3): source-, kustomize- and helm-controller at the pinned
// Flux release, built from the Go module proxy by `scripts/tools/install.sh flux`, run as processes on
// this machine against a test control plane (src/testing/cluster.ts) through its kubeconfig, exactly as
// they run in a cluster except: no leader election, no metrics, health probes and source-controller's
// artifact server on loopback (artifacts are advertised at 127.0.0.1:<port>), no notification-controller
// (events go to the API server only), more concurrent workers (see below), and every request to the outside through the refusing egress
// proxy (src/testing/egress.ts), so an unreachable chart repository fails the same way on every machine.
//
//   const c = await startCluster({ nodes });
//   installFluxCrds(c);                                // or apply the rendered flux-system/crds
//   const flux = await startFluxControllers(c);
//   ...create the sops-age Secret, a GitRepository pointing at src/testing/git-server.ts, Kustomizations...
//   await waitForFlux(c, "everything Ready", (objs) => objs.every((o) => o.ready === "True"));
//   await flux.stop();
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, type TestCluster } from "./cluster.js";
import { startEgressProxy, type Egress } from "./egress.js";
import { ROOT, TOOLS_CACHE, toolVersions } from "./paths.js";
import { fluxCrds } from "../render/flux/crds.js";

export const FLUX_CONTROLLER_NAMES = ["source-controller", "kustomize-controller", "helm-controller"] as const;
export type FluxControllerName = (typeof FLUX_CONTROLLER_NAMES)[number];


/** The cache folder install.sh's `flux` target builds into (keyed by the three controllers' versions). */
export function fluxControllersDir(): string {
  const v = toolVersions();
  return join(TOOLS_CACHE, `flux-controllers-${v.FLUX_SOURCE_CONTROLLER_VERSION}-${v.FLUX_KUSTOMIZE_CONTROLLER_VERSION}-${v.FLUX_HELM_CONTROLLER_VERSION}`);
}

/** Whether `scripts/tools/install.sh flux` has built the controllers (tests that need them say NOT CHECKED otherwise). */
export function fluxControllersBuilt(): boolean {
  return existsSync(join(fluxControllersDir(), ".done"));
}

/** How to build them, for messages. */
export const FLUX_BUILD_COMMAND = "scripts/tools/install.sh flux";

/** The controller's binary; throws (failing the test) when it is not built. */
export function fluxControllerBinary(name: FluxControllerName): string {
  const p = join(fluxControllersDir(), name, "bin", name);
  if (!existsSync(p)) throw new Error(`${name} is not built at ${p}; run ${FLUX_BUILD_COMMAND}`);
  return p;
}

/** The Flux release's CRDs as Drover renders them (vendor/flux/v<version>/crds.json, labelled), applied and Established. */
export function installFluxCrds(cluster: TestCluster): void {
  const crds = fluxCrds();
  cluster.kubectl(["apply", "--server-side", "--force-conflicts", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: crds.map((c) => c.crd) }));
  cluster.kubectl(["wait", "--for=condition=Established", "crd", "-l", "app.kubernetes.io/part-of=flux", "--timeout=120s"]);
}

export interface FluxControllers {
  /** logs (<controller>.log) and source-controller's artifact storage */
  readonly dir: string;
  /** where source-controller serves artifacts, http://127.0.0.1:<port> */
  readonly artifactUrl: string;
  /** the refusing egress proxy the controllers go through */
  readonly egress: Egress;
  /** the last `bytes` of a controller's log (for failure messages) */
  log(name: FluxControllerName, bytes?: number): string;
  /** stops the controllers (and the egress proxy when this started it); keeps `dir` when DROVER_KEEP_FLUX is set */
  stop(): Promise<void>;
}

export interface FluxOptions {
  /** which controllers (default: all three) */
  readonly controllers?: readonly FluxControllerName[];
  /** an egress proxy of the caller's (default: a refusing one started here) */
  readonly egress?: Egress;
  /** the Flux namespace the controllers believe they run in (default flux-system) */
  readonly namespace?: string;
  /** --log-level (default info) */
  readonly logLevel?: "debug" | "info" | "error";
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path: "/readyz", timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => { req.destroy(); resolve(false); });
    req.end();
  });
}

/**
 * Starts the controllers against `cluster` (the Flux CRDs must be installed first) and returns once each
 * answers its readiness probe. Reconciling is then up to the objects the test creates.
 */
export async function startFluxControllers(cluster: TestCluster, opts: FluxOptions = {}): Promise<FluxControllers> {
  const names = opts.controllers ?? FLUX_CONTROLLER_NAMES;
  const bins = names.map((n) => [n, fluxControllerBinary(n)] as const);
  const dir = mkdtempSync(join(tmpdir(), "drover-flux-"));
  const egress = opts.egress ?? await startEgressProxy();
  const ownEgress = !opts.egress;
  const ns = opts.namespace ?? "flux-system";
  const storage = join(dir, "artifacts");
  mkdirSync(storage);
  const artifactPort = await freePort();
  const procs: ChildProcess[] = [];
  const stop = async () => {
    for (const p of procs) {
      try { if (p.pid) process.kill(-p.pid, "SIGTERM"); } catch { /* already gone */ }
    }
    const deadline = Date.now() + 5000;
    while (procs.some((p) => p.exitCode === null && p.signalCode === null) && Date.now() < deadline) await sleep(100);
    for (const p of procs) {
      try { if (p.pid && p.exitCode === null && p.signalCode === null) process.kill(-p.pid, "SIGKILL"); } catch { /* already gone */ }
    }
    if (ownEgress) await egress.stop();
    if (process.env.DROVER_KEEP_FLUX) console.error(`flux: kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  };
  const log = (name: FluxControllerName, bytes = 4000) => {
    const f = join(dir, `${name}.log`);
    return existsSync(f) ? readFileSync(f, "utf8").slice(-bytes) : "";
  };
  try {
    const health: [FluxControllerName, number][] = [];
    for (const [name, bin] of bins) {
      const healthPort = await freePort();
      health.push([name, healthPort]);
      const args = [
        "--watch-all-namespaces=true", `--log-level=${opts.logLevel ?? "info"}`, "--log-encoding=json",
        "--enable-leader-election=false", "--metrics-addr=0", `--health-addr=127.0.0.1:${healthPort}`,
        // more workers than upstream's default (4 for kustomize-controller): here every Kustomization that
        // health-checks a chart from the internet holds a worker for its whole timeout, which would
        // starve the others and make a pushed change take minutes to reach what can run
        `--concurrent=${name === "source-controller" ? 4 : 16}`,
        ...(name === "source-controller" ? [`--storage-path=${storage}`, `--storage-addr=127.0.0.1:${artifactPort}`, `--storage-adv-addr=127.0.0.1:${artifactPort}`] : []),
      ];
      const out = openSync(join(dir, `${name}.log`), "a");
      procs.push(spawn(bin, args, {
        stdio: ["ignore", out, out], detached: true, cwd: dir,
        env: { PATH: process.env.PATH, HOME: dir, TMPDIR: dir, KUBECONFIG: cluster.kubeconfig, RUNTIME_NAMESPACE: ns, ...egress.env },
      }));
    }
    const deadline = Date.now() + 120_000;
    for (const [name, port] of health) {
      for (;;) {
        const p = procs[health.findIndex(([n]) => n === name)]!;
        if (p.exitCode !== null || p.signalCode !== null) throw new Error(`${name} exited (${p.exitCode ?? p.signalCode}):\n${log(name)}`);
        if (await healthy(port)) break;
        if (Date.now() > deadline) throw new Error(`${name} did not become ready in 120 s:\n${log(name)}`);
        await sleep(250);
      }
    }
    return { dir, artifactUrl: `http://127.0.0.1:${artifactPort}`, egress, log, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The Flux kinds a lab's tree uses, as kubectl names them. */
export const FLUX_KINDS = {
  GitRepository: "gitrepositories.source.toolkit.fluxcd.io",
  HelmRepository: "helmrepositories.source.toolkit.fluxcd.io",
  OCIRepository: "ocirepositories.source.toolkit.fluxcd.io",
  HelmChart: "helmcharts.source.toolkit.fluxcd.io",
  Kustomization: "kustomizations.kustomize.toolkit.fluxcd.io",
  HelmRelease: "helmreleases.helm.toolkit.fluxcd.io",
} as const;
export type FluxKind = keyof typeof FLUX_KINDS;

/** One Flux object's state, read from its status. */
export interface FluxObjectState {
  readonly kind: FluxKind;
  readonly namespace: string;
  readonly name: string;
  /** the Ready condition's status ("Unknown" also when there is none yet) */
  readonly ready: "True" | "False" | "Unknown";
  readonly reason: string;
  readonly message: string;
  /** Kustomization/HelmRelease: the last applied revision (e.g. main@sha1:…); sources: the artifact's */
  readonly revision: string;
  /** whether the controller has seen the latest spec (status.observedGeneration = metadata.generation) */
  readonly observed: boolean;
}

/** Every object of the given kinds (default: all of FLUX_KINDS) in every namespace, with its state. */
export function fluxObjects(cluster: TestCluster, kinds: readonly FluxKind[] = Object.keys(FLUX_KINDS) as FluxKind[]): FluxObjectState[] {
  const out: FluxObjectState[] = [];
  for (const kind of kinds) {
    const list = JSON.parse(cluster.kubectl(["get", FLUX_KINDS[kind], "-A", "-o", "json"])) as { items: any[] };
    for (const o of list.items) {
      const ready = (o.status?.conditions ?? []).find((c: any) => c.type === "Ready");
      out.push({
        kind, namespace: o.metadata.namespace, name: o.metadata.name,
        ready: ready?.status === "True" || ready?.status === "False" ? ready.status : "Unknown",
        reason: ready?.reason ?? "", message: ready?.message ?? "",
        revision: o.status?.lastAppliedRevision ?? o.status?.artifact?.revision ?? "",
        observed: o.status?.observedGeneration === o.metadata.generation,
      });
    }
  }
  return out.sort((a, b) => `${a.kind}/${a.namespace}/${a.name}`.localeCompare(`${b.kind}/${b.namespace}/${b.name}`));
}

/** Asks the controller to reconcile the object now, as `flux reconcile` does (the requestedAt annotation). */
export function requestReconcile(cluster: TestCluster, kind: FluxKind, namespace: string, name: string): void {
  cluster.kubectl(["annotate", "--overwrite", "-n", namespace, FLUX_KINDS[kind], name, `reconcile.fluxcd.io/requestedAt=${new Date().toISOString()}`]);
}

/** Polls fluxObjects until `done` holds; on time-out throws with every object's state. */
export async function waitForFlux(cluster: TestCluster, what: string, done: (objs: FluxObjectState[]) => boolean, timeoutMs = 300_000, kinds?: readonly FluxKind[]): Promise<FluxObjectState[]> {
  const deadline = Date.now() + timeoutMs;
  let last: FluxObjectState[] = [];
  for (;;) {
    try {
      last = fluxObjects(cluster, kinds);
      if (done(last)) return last;
    } catch { /* the API server is busy: try again */ }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; Flux objects:\n${last.map(describe).join("\n")}`);
    }
    await sleep(500);
  }
}

/** One line per object: kind namespace/name Ready reason: message (revision). */
export function describe(o: FluxObjectState): string {
  return `${o.kind} ${o.namespace}/${o.name} Ready=${o.ready} ${o.reason}: ${o.message.replace(/\s+/g, " ").slice(0, 300)}${o.revision ? ` (${o.revision})` : ""}`;
}

/** The Secret kustomize-controller decrypts SOPS files with: `age.agekey` holding the age identity file. */
export function createSopsAgeSecret(cluster: TestCluster, ageKeyFile: string, namespace = "flux-system", name = "sops-age"): void {
  cluster.kubectl(["apply", "--server-side", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } }));
  const secret = { apiVersion: "v1", kind: "Secret", metadata: { name, namespace }, type: "Opaque", stringData: { "age.agekey": readFileSync(ageKeyFile, "utf8") } };
  cluster.kubectl(["apply", "--server-side", "--force-conflicts", "-f", "-"], JSON.stringify(secret));
}
