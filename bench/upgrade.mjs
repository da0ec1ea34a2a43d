#!/usr/bin/env node
// drover upgrade at scale.
// 1. The plan for the generated 1,000-node / 5,000-app lab (bench/lib/gen-lab.mjs), every node one Talos
//    minor and one Kubernetes minor behind: order, skew rules and a what-if drain check of every node
//    (the scheduling baseline of all pods, then each node drained and its pods re-placed). Wall time of
//    upgradePlan, with the baseline's share. No competitor computes such a plan offline: talosctl
//    upgrades one node per call and `talosctl upgrade-k8s --dry-run` needs the live cluster; Sidero Omni
//    plans server-side against its own machines.
// 2. A rolling Talos upgrade of NODES kwok nodes (3 control planes, the rest workers over 2 sites, 2
//    chassis each) on the real control plane (etcd, kube-apiserver, controller-manager, scheduler): APPS
//    Deployments of REPLICAS replicas with a PodDisruptionBudget (maxUnavailable 1) each, and SOLO
//    single-replica ones; the roll drains (Eviction API), "upgrades" (the kwok runner bumps the versions
//    the Node reports), waits Ready, uncordons, waits for the budgets. Time, and the number of moments
//    (samples every 50 ms) any budget had fewer healthy pods than it requires (goal 0).
// env: HOSTS (500), APP_COUNT (5000), NODES (50), APPS (10), REPLICAS (3), SOLO (5), SKIP_ROLL, SKIP_PLAN
import { loadavg } from "node:os";
import { genLabYaml } from "./lib/gen-lab.mjs";
import { loadSpec } from "../dist/spec/load.js";
import { resolveLab } from "../dist/lab/resolve.js";
import { baseline } from "../dist/analyze/whatif.js";
import { upgradePlan, talosFromOsImage, roll } from "../dist/ops/upgrade/index.js";
import { startCluster } from "../dist/testing/cluster.js";
import { kwokRunner, setNodeVersions, upgradeLabNodes, upgradeLabYaml } from "../dist/testing/upgrade-lab.js";
import { Client } from "../dist/cluster/client.js";
import { budgetShortfalls, nodeVersions } from "../dist/cluster/nodes.js";

const env = (k, d) => Number(process.env[k] ?? d);

if (!process.env.SKIP_PLAN) {
  const HOSTS = env("HOSTS", 500), APP_COUNT = env("APP_COUNT", 5000);
  const lab = resolveLab(loadSpec(genLabYaml({ hosts: HOSTS, apps: APP_COUNT }), "bench.yaml").spec);
  const running = { nodes: Object.fromEntries(lab.nodes.map((n) => [n.name, { talos: "1.11.5", kubelet: "v1.34.3" }])) };
  const runs = [];
  for (let i = 0; i < 3; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const b = baseline(lab);
    const t1 = performance.now();
    const c1 = process.cpuUsage(c0);
    const plan = upgradePlan(lab, { running, baseline: b });
    const t2 = performance.now();
    const c2 = process.cpuUsage(c0);
    const ms = (c) => (c.user + c.system) / 1000;
    runs.push({ base: t1 - t0, steps: t2 - t1, total: t2 - t0, cpu: ms(c2), cpuBase: ms(c1), plan });
  }
  runs.sort((a, b) => a.total - b.total);
  const m = runs[1];
  console.log(`plan: ${lab.nodes.length} nodes, ${lab.apps.length} apps → ${m.plan.talos.steps.length} Talos steps + Kubernetes (${m.plan.kubernetes.stages.map((s) => s.component).join(" → ")}), ${m.plan.blockers.length} blockers`);
  console.log(`plan: median of 3: ${(m.total / 1000).toFixed(2)} s wall (scheduling baseline ${(m.base / 1000).toFixed(2)} s, order + skew + ${lab.nodes.length} drain checks ${(m.steps / 1000).toFixed(2)} s; ${(m.steps / lab.nodes.length).toFixed(2)} ms per node) ; CPU ${(m.cpu / 1000).toFixed(2)} s, of which baseline ${(m.cpuBase / 1000).toFixed(2)} s — load ${loadavg()[0].toFixed(1)}; goal < 1 s ${m.total < 1000 ? "met" : "NOT met"}`);
}

if (!process.env.SKIP_ROLL) {
  const NODES = env("NODES", 50), APPS = env("APPS", 10), REPLICAS = env("REPLICAS", 3), SOLO = env("SOLO", 5);
  const workers = NODES - 3;
  const lab = resolveLab(loadSpec(upgradeLabYaml({ controlPlanes: 3, workers, sites: 2 }), "uplab.yaml").spec);
  const c = await startCluster({ nodes: upgradeLabNodes({ controlPlanes: 3, workers }) });
  const client = Client.fromKubeconfig({ kubeconfig: c.kubeconfig, maxSockets: 64 });
  try {
    for (const n of lab.nodes) await setNodeVersions(client, n.name, { talos: "1.11.5", kubelet: "v1.34.3" });
    c.kubectl(["create", "namespace", "apps"]);
    const deploy = (name, replicas) => ({
      apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: "apps" },
      spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: {
        nodeSelector: { role: "worker" }, terminationGracePeriodSeconds: 0,
        topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { app: name } } }],
        containers: [{ name: "c", image: "registry.k8s.io/pause:3.10", resources: { requests: { cpu: "100m", memory: "64Mi" } } }] } } },
    });
    const docs = [];
    for (let i = 0; i < APPS; i++) {
      docs.push(deploy(`app${i}`, REPLICAS));
      docs.push({ apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: `app${i}`, namespace: "apps" }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: `app${i}` } } } });
    }
    for (let i = 0; i < SOLO; i++) docs.push(deploy(`solo${i}`, 1));
    c.kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: docs }));
    await c.waitFor("apps ready and budgets observed", () => {
      const ready = c.kubectl(["get", "deployments", "-n", "apps", "-o", "jsonpath={range .items[*]}{.status.readyReplicas}/{.spec.replicas} {end}"]).trim().split(" ");
      const pdb = c.kubectl(["get", "pdb", "-n", "apps", "-o", "jsonpath={range .items[*]}{.status.currentHealthy}/{.status.desiredHealthy} {end}"]).trim().split(" ");
      return ready.length === APPS + SOLO && ready.every((r) => r.split("/")[0] === r.split("/")[1]) && pdb.length === APPS && pdb.every((x) => Number(x.split("/")[0]) >= Number(x.split("/")[1]) && Number(x.split("/")[1]) > 0);
    }, 300_000);
    const nodes = await nodeVersions(client);
    const plan = upgradePlan(lab, { running: { nodes: Object.fromEntries(nodes.map((n) => [n.name, { talos: talosFromOsImage(n.osImage), kubelet: n.kubeletVersion }])) } });
    if (!plan.ok) throw new Error(JSON.stringify(plan.blockers));
    let stopped = false, samples = 0;
    const short = [];
    const watch = (async () => {
      while (!stopped) {
        const s = await budgetShortfalls(client).catch(() => []);
        samples++;
        if (s.length) short.push(...s.map((x) => `${x.budget} ${x.currentHealthy}/${x.desiredHealthy}`));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const t0 = performance.now();
    const r = await roll(lab, plan.talos.steps, { client, runner: kwokRunner(client), pollMs: 100, drain: { retryDelayMs: 100, maxRetryDelayMs: 1000, pollIntervalMs: 100, timeoutMs: 300_000 } });
    const s = (performance.now() - t0) / 1000;
    stopped = true;
    await watch;
    const evicted = r.done.reduce((n, d) => n + d.evicted, 0);
    const after = await nodeVersions(client);
    const upgraded = after.filter((n) => talosFromOsImage(n.osImage) === plan.talos.to && !n.unschedulable).length;
    console.log(`roll: ${NODES} kwok nodes (${APPS} apps × ${REPLICAS} replicas with PodDisruptionBudgets, ${SOLO} single-replica apps): ${r.ok ? "ok" : `FAILED at ${r.failed.node}: ${r.failed.error}`}, ${upgraded}/${NODES} nodes at ${plan.talos.to} and uncordoned, ${evicted} pods evicted, ${s.toFixed(1)} s (${(s / NODES).toFixed(2)} s per node); moments below a budget: ${short.length} of ${samples} samples (goal 0) — load ${loadavg()[0].toFixed(1)}`);
  } finally {
    client.close();
    await c.stop();
  }
}
