#!/usr/bin/env node
// drover up versus the documented manual bootstrap (issue 14, "Prove it"): from the start of each until
// Flux has reconciled the pushed revision, with the real Flux controllers (scripts/tools/install.sh flux) on a fresh
// test control plane (kwok node) per run, the same lab (src/testing/gitops-lab.ts: examples/starter
// without its storage chart), rendered beforehand (not timed), each run pushing to its own repository of
// a local Git server (real git http-backend). Two clocks, as bench/flux-reconcile.mjs:
//   converged: the root and namespaces Kustomizations Ready at the revision and identity's SOPS Secret
//              (decrypted by kustomize-controller) applied;
//   all Ready: every Kustomization that can run here Ready (the GitOps test's outcome,
//              src/testing/flux-outcome.ts) — identity's own health check follows the kwok node's
//              heartbeats, which lag under load, so this one is given READY_WAIT (default 5 min) after
//              converged and reported as not reached otherwise.
//   up:     `drover up lab.yaml --no-render --kubeconfig … --no-merge --no-wait` (its gitops and flux
//           phases: commit and push the tree, the sops-age Secret, Flux's CRDs, controllers, GitRepository
//           and root Kustomization), then the same wait as the manual run.
//   manual: the render's next steps as a user types them: clone, copy kubernetes/, commit, push;
//           kubectl create namespace flux-system; kubectl create secret generic sops-age --from-file=…;
//           kubectl apply --server-side -k kubernetes/flux-system/crds; kubectl wait … Established;
//           kubectl apply --server-side -k kubernetes/flux-system; then wait.
// In a cluster the controllers start when their Deployments are scheduled; here they are processes the
// bench starts as soon as Flux's CRDs are Established (the same watcher in both runs, inside the clock).
// Run after `npm run build` and `scripts/tools/install.sh flux`. Env RUNS (pairs, default 1; the order
// alternates: up first, then manual first).
import { spawnSync, spawn } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { startCluster } from "../dist/testing/cluster.js";
import { ageKeygen, tempDir } from "../dist/testing/age-key.js";
import { ROOT, tool } from "../dist/testing/paths.js";
import { startGitServer, cloneWorkTree } from "../dist/testing/git-server.js";
import { fluxControllersBuilt, FLUX_BUILD_COMMAND, startFluxControllers, waitForFlux } from "../dist/testing/flux.js";
import { expectedFluxOutcome, outcomeReached, readRenderedTree } from "../dist/testing/flux-outcome.js";
import { starterGitOpsLabYaml, renderWithCli, provideVolumes } from "../dist/testing/gitops-lab.js";

if (!fluxControllersBuilt()) {
  console.error(`the Flux controllers are not built: ${FLUX_BUILD_COMMAND}`);
  process.exit(1);
}
const BIN = join(ROOT, "bin", "drover.js");
const runs = Number(process.env.RUNS ?? 1);
const readyWait = Number(process.env.READY_WAIT ?? 300) * 1000;
const load = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const kubectlBin = dirname(tool("kubectl"));

const base = tempDir("drover-bench-up-");
const key = ageKeygen(base);
const git = await startGitServer();
let n = 0;

/** A rendered copy of the lab pushing to a repository of its own, and a fresh control plane. */
async function prepare(kind) {
  const dir = join(base, `${kind}-${++n}`);
  const home = join(dir, ".home");
  mkdirSync(home, { recursive: true });
  const repo = git.createRepo(`lab-${kind}-${n}`);
  writeFileSync(join(dir, "lab.yaml"), starterGitOpsLabYaml(repo.url));
  renderWithCli(dir, home, key.file);
  const outcome = expectedFluxOutcome(readRenderedTree(join(dir, "out")), "kubernetes");
  const cluster = await startCluster({ nodes: [{ name: "k8s1", cpu: "8", memory: "32Gi" }] });
  provideVolumes(cluster, outcome.claims, join(dir, "volumes"));
  return { dir, home, repo, outcome, cluster };
}

/** Times converged and all Ready from t0 (ms; all Ready undefined when not reached in readyWait). */
async function clocks(p, revision, t0, what) {
  const userIn = () => {
    try {
      return p.cluster.kubectl(["get", "secret", "-n", "identity", "authelia", "-o", "jsonpath={.data.users_database\\.yml}"]).length > 0;
    } catch {
      return false;
    }
  };
  await waitForFlux(p.cluster, `${what}: converged`, (o) => ["flux-system", "namespaces"].every((n) => o.some((k) => k.kind === "Kustomization" && k.name === n && k.ready === "True" && k.revision === revision)) && userIn(), 15 * 60_000);
  const converged = Date.now() - t0;
  let ready;
  try {
    await waitForFlux(p.cluster, `${what}: all Ready`, (o) => outcomeReached(o, p.outcome, revision), readyWait);
    ready = Date.now() - t0;
  } catch {
    ready = undefined;
  }
  return { converged, ready };
}

/** Starts the controllers once Flux's CRDs are Established (as their Deployments would start). */
function controllersWhenCrds(cluster) {
  let stopped = false;
  const started = (async () => {
    for (;;) {
      if (stopped) return undefined;
      const r = spawnSync(tool("kubectl"), ["--kubeconfig", cluster.kubeconfig, "get", "crd", "-l", "app.kubernetes.io/part-of=flux", "-o", "jsonpath={range .items[*]}{.status.conditions[?(@.type==\"Established\")].status}{\"\\n\"}{end}"], { encoding: "utf8" });
      const st = r.status === 0 ? r.stdout.split("\n").filter(Boolean) : [];
      if (st.length >= 3 && st.every((x) => x === "True")) return startFluxControllers(cluster);
      await sleep(200);
    }
  })();
  return { started, cancel: () => (stopped = true) };
}

const sh = (cmd, cwd, env) => {
  const r = spawnSync("sh", ["-c", cmd], { cwd, encoding: "utf8", env: { PATH: `${kubectlBin}:${process.env.PATH}`, ...env } });
  if (r.status !== 0) throw new Error(`${cmd}: exit ${r.status}\n${r.stdout}${r.stderr}`);
  return r.stdout;
};

/**
 * One timed run of `kind` on a fresh lab and control plane (prepare): `start` does what the user does
 * (from t0) and returns the revision it pushed; then both clocks, with the controllers started once
 * Flux's CRDs are Established. `own` names start's own time in the line printed.
 */
async function timeRun(kind, what, own, start) {
  const p = await prepare(kind);
  const ctl = controllersWhenCrds(p.cluster);
  try {
    const t0 = Date.now();
    const revision = await start(p);
    const started = Date.now() - t0;
    const flux = await ctl.started;
    try {
      const c = await clocks(p, revision, t0, what);
      console.log(`${`${what}:`.padEnd(11)}converged ${s(c.converged)}, all ${p.outcome.ready.length} runnable Kustomizations Ready ${c.ready ? s(c.ready) : `not within ${s(readyWait)} more`} (${own} ${s(started)}); load ${load()}`);
      return c;
    } finally {
      await flux?.stop();
    }
  } finally {
    ctl.cancel();
    await p.cluster.stop();
  }
}

const timeUp = () =>
  timeRun("up", "drover up", "drover up itself", async (p) => {
    const child = spawn(process.execPath, [BIN, "up", join(p.dir, "lab.yaml"), "--no-render", "--kubeconfig", p.cluster.kubeconfig, "--no-merge", "--no-wait", "--json"], {
      env: { PATH: `${kubectlBin}:${process.env.PATH}`, HOME: p.home, SOPS_AGE_KEY_FILE: key.file, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const code = await new Promise((r) => child.on("exit", r));
    if (code !== 0) throw new Error(`drover up: exit ${code}\n${out}${err}`);
    return `main@sha1:${JSON.parse(out).git.commit}`;
  });

const timeManual = () =>
  timeRun("manual", "manual", "the commands themselves", async (p) => {
    const wt = cloneWorkTree(p.repo.url);
    try {
      cpSync(join(p.dir, "out", "kubernetes"), join(wt.dir, "kubernetes"), { recursive: true });
      const revision = `main@sha1:${wt.commitAndPush("lab render")}`;
      const env = { KUBECONFIG: p.cluster.kubeconfig, HOME: p.home };
      sh(`kubectl create namespace flux-system && kubectl -n flux-system create secret generic sops-age --from-file=age.agekey=${key.file}`, wt.dir, env);
      for (const cmd of ["kubectl apply --server-side -k kubernetes/flux-system/crds", "kubectl wait --for=condition=Established crd -l app.kubernetes.io/part-of=flux --timeout=2m", "kubectl apply --server-side -k kubernetes/flux-system"]) sh(cmd, wt.dir, env);
      return revision;
    } finally {
      wt.remove();
    }
  });

console.log(`load average at start ${load()}`);
const times = { up: [], manual: [] };
try {
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? ["up", "manual"] : ["manual", "up"];
    for (const k of order) times[k].push(k === "up" ? await timeUp() : await timeManual());
  }
} finally {
  await git.stop();
  rmSync(base, { recursive: true, force: true });
}
console.log("");
console.log("| start → | runs (up, manual) | drover up (gitops + flux), median | manual (push, Secret, crds, wait, flux-system), median | ratio up/manual |");
console.log("|---|---|---|---|---|");
for (const clock of ["converged", "ready"]) {
  const u = times.up.map((c) => c[clock]).filter((x) => x !== undefined);
  const m = times.manual.map((c) => c[clock]).filter((x) => x !== undefined);
  const name = clock === "converged" ? "converged (root, namespaces Ready; identity's SOPS Secret applied)" : "every runnable Kustomization Ready";
  console.log(`| ${name} | ${u.length}/${times.up.length}, ${m.length}/${times.manual.length} | ${u.length ? s(median(u)) : "—"} | ${m.length ? s(median(m)) : "—"} | ${u.length && m.length ? (median(u) / median(m)).toFixed(2) : "—"} |`);
}
console.log(`load average at end ${load()}`);
