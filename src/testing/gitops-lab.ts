// A lab under real GitOps for tests and benches (issue 15 Tier 3, issue 14): lab.yaml rendered by the
// real `drover render` (bin/drover.js), its kubernetes/ tree committed and pushed to a local Git server
// (git-server.ts), a test control plane with kwok nodes (cluster.ts) bootstrapped as the render's next
// steps say (the sops-age Secret, then `kubectl apply --server-side -k kubernetes/flux-system/crds`,
// wait, `kubectl apply --server-side -k kubernetes/flux-system`, run in the checkout), and the real
// Flux controllers (flux.ts) reconciling it. `push()` renders a changed lab.yaml and pushes it.
// What the cluster can and cannot bring to Ready is `outcome` (flux-outcome.ts).
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parseDocument } from "yaml";
import type { Lab } from "../lab/types.js";
import { startCluster, type TestCluster, type TestNode } from "./cluster.js";
import { ageKeygen, tempDir, type TestKey } from "./age-key.js";
import { EXAMPLES, ROOT, tool } from "./paths.js";
import { cloneWorkTree, startGitServer, type GitRepo, type GitServer, type WorkTree } from "./git-server.js";
import { createSopsAgeSecret, requestReconcile, startFluxControllers, type FluxControllerName, type FluxControllers } from "./flux.js";
import { expectedFluxOutcome, readRenderedTree, type FluxOutcome } from "./flux-outcome.js";
import { chartHosts, type ChartHosts } from "./chart-hosts.js";
import { startEgressProxy } from "./egress.js";

const BIN = join(ROOT, "bin", "drover.js");

/**
 * examples/starter as the GitOps tests run it: gitops.url set to the local repository, and without its
 * NFS storage class and what needs it (uptime-kuma, vaultwarden and its backups), because every storage
 * driver is a Helm chart from the internet; so identity (Authelia, its configuration a SOPS Secret) no
 * longer waits for storage. `change`: a second identity user.
 */
export function starterGitOpsLabYaml(gitUrl: string, change = false): string {
  let s = readFileSync(join(EXAMPLES, "starter", "lab.yaml"), "utf8");
  const cut = (re: RegExp) => {
    const before = s;
    s = s.replace(re, "\n");
    if (s === before) throw new Error(`examples/starter changed: ${re} no longer matches (update src/testing/gitops-lab.ts)`);
  };
  cut(/\nstorage:\n(?:(?: .*)?\n)*?(?=\S)/);
  cut(/\nbackups:\n(?: .*\n?)*/);
  cut(/\n {2}- \{ name: uptime-kuma \}\n {2}- \{ name: vaultwarden, backup: true \}\n/);
  s = s.replace(/\n*$/, "\n");
  if (change) s = s.replace("    - { name: me, email: me@example.com, groups: [admins] }\n", "    - { name: me, email: me@example.com, groups: [admins] }\n    - { name: you, email: you@example.com, groups: [admins] }\n");
  return `${s}\ngitops:\n  url: ${gitUrl}\n`;
}

export interface GitOpsLab {
  /** the lab folder: lab.yaml, secrets.sops.yaml, out/ */
  readonly dir: string;
  readonly out: string;
  readonly key: TestKey;
  readonly git: GitServer;
  readonly repo: GitRepo;
  /** the checkout the renders are committed in (kubernetes/ at its root: the gitops path) */
  readonly worktree: WorkTree;
  readonly cluster: TestCluster;
  readonly flux: FluxControllers;
  /** the chart hosts answered here (when started with `charts`) */
  readonly charts?: ChartHosts;
  /** what can and cannot become Ready, from the last render */
  readonly outcome: FluxOutcome;
  /** the revision Flux reports for the last push, main@sha1:<hash> */
  readonly revision: string;
  /**
   * Writes lab.yaml, renders it, commits and pushes the tree, and (unless `poll`) asks source-controller
   * to fetch now, as `flux reconcile source git` does; returns the new revision.
   */
  push(labYaml: string, message: string, opts?: { poll?: boolean }): string;
  stop(): Promise<void>;
}

/** Runs `drover render <dir>/lab.yaml -o <dir>/out` with the test's key; throws with its output on failure. */
export function renderWithCli(dir: string, home: string, keyFile: string): void {
  const r = spawnSync(process.execPath, [BIN, "render", join(dir, "lab.yaml"), "-o", join(dir, "out")], {
    encoding: "utf8", env: { PATH: process.env.PATH, HOME: home, SOPS_AGE_KEY_FILE: keyFile, NO_COLOR: "1" }, maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`drover render: exit ${r.status}\n${r.stdout}${r.stderr}`);
}

/** Volumes for claims without a StorageClass (what a real cluster's storage would provide), pre-bound. */
export function provideVolumes(c: TestCluster, claims: ReadonlyMap<string, string>, base: string): void {
  for (const [claim, size] of claims) {
    const [namespace, name] = claim.split("/") as [string, string];
    const pv = {
      apiVersion: "v1", kind: "PersistentVolume", metadata: { name: `test-${namespace}-${name}` },
      spec: { capacity: { storage: size }, accessModes: ["ReadWriteOnce"], persistentVolumeReclaimPolicy: "Retain", storageClassName: "", hostPath: { path: join(base, namespace, name) }, claimRef: { namespace, name } },
    };
    c.kubectl(["apply", "--server-side", "-f", "-"], JSON.stringify(pv));
  }
}

/** The Flux bootstrap of the render's next steps, run with the real kubectl in the checkout. */
export function bootstrapFlux(c: TestCluster, checkout: string, ageKeyFile: string): void {
  createSopsAgeSecret(c, ageKeyFile);
  const bin = dirname(tool("kubectl"));
  for (const cmd of [
    "kubectl apply --server-side -k kubernetes/flux-system/crds",
    "kubectl wait --for=condition=Established crd -l app.kubernetes.io/part-of=flux --timeout=2m",
    "kubectl apply --server-side -k kubernetes/flux-system",
  ]) {
    const r = spawnSync("sh", ["-c", cmd], { cwd: checkout, encoding: "utf8", env: { PATH: `${bin}:${process.env.PATH}`, KUBECONFIG: c.kubeconfig, HOME: checkout } });
    if (r.status !== 0) throw new Error(`${cmd}: exit ${r.status}\n${r.stdout}${r.stderr}`);
  }
}

/**
 * Renders `labYaml(gitUrl, key)`, pushes it, starts a control plane with `nodes` (default: one 8-CPU kwok
 * node), bootstraps Flux and starts the controllers (default: all three). Reconciling has begun when
 * this returns.
 */
export async function startGitOpsLab(labYaml: (gitUrl: string, key: TestKey) => string, opts: {
  nodes?: TestNode[];
  controllers?: readonly FluxControllerName[];
  /** serve the cached platform charts under their rendered URLs (chart-hosts.ts) */
  charts?: boolean;
  /** a folder whose files go beside lab.yaml (an example's functions/) */
  files?: string;
} = {}): Promise<GitOpsLab> {
  const nodes = opts.nodes ?? [{ name: "k8s1", cpu: "8", memory: "32Gi" }];
  const base = tempDir("drover-gitops-");
  const dir = join(base, "lab");
  const home = join(base, "home");
  mkdirSync(dir);
  mkdirSync(home);
  const key = ageKeygen(base);
  const git = await startGitServer();
  const cleanup: (() => Promise<void> | void)[] = [() => git.stop(), () => rmSync(base, { recursive: true, force: true })];
  const stop = async () => {
    for (const f of cleanup.reverse()) await f();
  };
  try {
    const repo = git.createRepo("lab");
    const worktree = cloneWorkTree(repo.url);
    cleanup.push(() => worktree.remove());
    const out = join(dir, "out");
    const charts = opts.charts ? chartHosts(join(base, "charts")) : undefined;
    let outcome: FluxOutcome;
    let revision: string;
    const commit = (text: string, message: string): string => {
      writeFileSync(join(dir, "lab.yaml"), text);
      renderWithCli(dir, home, key.file);
      outcome = expectedFluxOutcome(readRenderedTree(out), "kubernetes", (src) => charts?.serves(src.url) ?? false,
        (hr, src) => charts!.facts(src.url, hr.spec.values, hr.spec.targetNamespace ?? hr.metadata.namespace));
      rmSync(join(worktree.dir, "kubernetes"), { recursive: true, force: true });
      cpSync(join(out, "kubernetes"), join(worktree.dir, "kubernetes"), { recursive: true });
      revision = `main@sha1:${worktree.commitAndPush(message)}`;
      return revision;
    };
    if (opts.files) cpSync(opts.files, join(dir, basename(opts.files)), { recursive: true });
    commit(labYaml(repo.url, key), "drover render");
    // a long node grace period: on a loaded machine kwok's heartbeats lag, and a node marked NotReady
    // for a moment leaves its pods not Ready for good (kwok does not set them Ready again), failing
    // the health checks of Kustomizations and HelmReleases that have nothing to do with it
    const cluster = await startCluster({ nodes, nodeMonitorGracePeriod: "10m" });
    cleanup.push(() => cluster.stop());
    bootstrapFlux(cluster, worktree.dir, key.file);
    provideVolumes(cluster, outcome!.claims, join(base, "volumes"));
    const egress = charts ? await startEgressProxy({ answer: charts }) : undefined;
    if (egress) cleanup.push(() => egress.stop());
    const flux = await startFluxControllers(cluster, { ...(opts.controllers ? { controllers: opts.controllers } : {}), ...(egress ? { egress } : {}) });
    cleanup.push(() => flux.stop());
    return {
      dir, out, key, git, repo, worktree, cluster, flux, ...(charts ? { charts } : {}),
      get outcome() { return outcome; },
      get revision() { return revision; },
      push(text, message, opts = {}) {
        const rev = commit(text, message);
        provideVolumes(cluster, outcome.claims, join(base, "volumes"));
        if (!opts.poll) requestReconcile(cluster, "GitRepository", "flux-system", "flux-system");
        return rev;
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * A bundled example (examples/<name>/lab.yaml) as the GitOps tests run it, otherwise unchanged: its
 * GitRepository pointed at the local repository (gitops.url; an in-lab forge cannot serve its own
 * bootstrap here) and the test's age key added to its recipients when it names any.
 */
export function exampleGitOpsLabYaml(name: string, gitUrl: string, recipient: string): string {
  const doc = parseDocument(readFileSync(join(EXAMPLES, name, "lab.yaml"), "utf8"));
  if (doc.hasIn(["gitops", "forge"])) doc.deleteIn(["gitops", "forge"]);
  doc.setIn(["gitops", "url"], gitUrl);
  const recipients = doc.getIn(["secrets", "recipients"]) as { items?: unknown[] } | undefined;
  if (recipients?.items) doc.addIn(["secrets", "recipients"], recipient);
  return String(doc);
}

/** kwok nodes standing for the lab's nodes: same names, CPU, memory, architecture, GPUs, labels and taints. */
export function labTestNodes(lab: Lab): TestNode[] {
  return lab.nodes.map((n) => ({
    name: n.name, cpu: String(n.cpu), memory: `${Math.floor(n.memoryBytes / 2 ** 20)}Mi`,
    labels: { ...n.labels, "kubernetes.io/arch": n.arch }, taints: n.taints.map((t) => ({ key: t.key, ...(t.value ? { value: t.value } : {}), effect: t.effect })),
    ...(n.advertisedGpus ? { gpus: n.advertisedGpus } : {}),
  }));
}
