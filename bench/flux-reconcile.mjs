#!/usr/bin/env node
// Reconcile (issue 15, Tier 3): from `git push` of a changed render to every affected Kustomization
// Ready, with the real Flux controllers (scripts/tools/install.sh flux) on the test control plane (kwok
// nodes), the lab of the GitOps test (src/testing/gitops-lab.ts: examples/starter without its storage
// chart). Each round renders lab.yaml changed (a second identity user, then without it), commits and
// pushes it, and times until it converged: the root and namespaces Kustomizations Ready at the new
// revision and identity's SOPS Secret, decrypted by kustomize-controller, saying so: `requested` asks
// source-controller to fetch at once (as `flux reconcile source git` or a Git webhook does), `polled`
// waits for the GitRepository's own 1m interval. Also the first reconcile, from the controllers' start.
// Run after `npm run build` and `scripts/tools/install.sh flux`. Env ROUNDS (default 4), POLLED (default 1),
// CHARTS=1 to serve the cached platform charts (src/testing/chart-hosts.ts), so Cilium and cert-manager
// install too.
import { readFileSync } from "node:fs";
import { startGitOpsLab, starterGitOpsLabYaml } from "../dist/testing/gitops-lab.js";
import { waitForFlux } from "../dist/testing/flux.js";
import { outcomeReached } from "../dist/testing/flux-outcome.js";

const rounds = Number(process.env.ROUNDS ?? 4);
const polled = Number(process.env.POLLED ?? 1);
const load = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const s = (ms) => `${(ms / 1000).toFixed(1)} s`;

console.log(`load average at start ${load()}; charts ${process.env.CHARTS === "1" ? "served" : "refused"}`);
const t0 = Date.now();
const lab = await startGitOpsLab((url) => starterGitOpsLabYaml(url), { charts: process.env.CHARTS === "1" });
try {
  const started = Date.now();
  await waitForFlux(lab.cluster, "the first outcome", (o) => outcomeReached(o, lab.outcome, lab.revision), 10 * 60_000);
  console.log(`first reconcile: ${s(Date.now() - started)} from the controllers' start (${s(started - t0)} to render, push, start the control plane and Flux); Ready: ${lab.outcome.ready.join(", ")}`);
  const times = { requested: [], polled: [] };
  let change = false;
  for (let i = 0; i < rounds + polled; i++) {
    const mode = i < rounds ? "requested" : "polled";
    change = !change;
    const text = starterGitOpsLabYaml(lab.repo.url, change);
    // the render and commit are Drover's and git's; the clock starts at the push
    const before = Date.now();
    const rev = lab.push(text, `round ${i + 1}`, { poll: mode === "polled" });
    const renderAndPush = Date.now() - before;
    const pushed = Date.now();
    // converged: the root and namespaces Ready at the new revision, and identity's decrypted Secret applied
    // (as the test: identity's own health check follows kwok's node heartbeats, which lag under load)
    const userIn = () => Buffer.from(lab.cluster.kubectl(["get", "secret", "-n", "identity", "authelia", "-o", "jsonpath={.data.users_database\\.yml}"]), "base64").toString("utf8").includes("you@example.com");
    await waitForFlux(lab.cluster, `round ${i + 1}`, (o) => ["flux-system", "namespaces"].every((n) => o.some((k) => k.kind === "Kustomization" && k.name === n && k.ready === "True" && k.revision === rev)) && userIn() === change, 10 * 60_000);
    const ms = Date.now() - pushed;
    times[mode].push(ms);
    console.log(`round ${i + 1} (${mode}, ${change ? "user added" : "user removed"}): render+commit+push ${s(renderAndPush)}, push to converged ${s(ms)}`);
  }
  console.log("");
  console.log("| push → every affected Kustomization Ready | runs | median | min | max |");
  console.log("|---|---|---|---|---|");
  for (const [mode, xs] of Object.entries(times)) {
    if (xs.length) console.log(`| ${mode === "requested" ? "fetch requested at push (flux reconcile / webhook)" : "GitRepository interval (1m) only"} | ${xs.length} | ${s(median(xs))} | ${s(Math.min(...xs))} | ${s(Math.max(...xs))} |`);
  }
  console.log(`load average at end ${load()}`);
} finally {
  await lab.stop();
}
