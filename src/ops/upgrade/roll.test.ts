// The rolling upgrade on a real control plane (etcd, kube-apiserver, controller-manager, scheduler)
// with kwok nodes: the plan is made from the versions the Nodes report, the roll drains each node with
// the Eviction API (the real disruption controller answering for the PodDisruptionBudgets), the runner
// bumps the versions the node reports, and the roll waits, uncordons and waits for the budgets.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { TestCluster } from "../../testing/cluster.js";
import { clusterForTests } from "../../testing/cluster-per-file.js";
import { kwokRunner, setNodeVersions, upgradeLabNodes, upgradeLabYaml } from "../../testing/upgrade-lab.js";
import { Client } from "../../cluster/client.js";
import { budgetShortfalls, nodeVersions } from "../../cluster/nodes.js";
import { loadSpec } from "../../spec/load.js";
import { resolveLab } from "../../lab/resolve.js";
import { upgradePlan, type RunningVersions } from "./plan.js";
import { roll, type RollEvent } from "./roll.js";
import { talosFromOsImage } from "./plan.js";

let cluster: TestCluster;
let client: Client;
const lab = resolveLab(loadSpec(upgradeLabYaml({ controlPlanes: 3, workers: 6, sites: 2 }), "uplab.yaml").spec!);

clusterForTests(async (c) => {
  ({ cluster, client } = c);
  for (const n of lab.nodes) await setNodeVersions(client, n.name, { talos: "1.11.5", kubelet: "v1.34.3" });
  cluster.kubectl(["create", "namespace", "apps"]);
  const deploy = (name: string, replicas: number) => ({
    apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: "apps" },
    spec: {
      replicas, selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          nodeSelector: { role: "worker" }, terminationGracePeriodSeconds: 0,
          topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { app: name } } }],
          containers: [{ name: "c", image: "registry.k8s.io/pause:3.10", resources: { requests: { cpu: "100m", memory: "64Mi" } } }],
        },
      },
    },
  });
  for (const d of [deploy("web", 4), deploy("api", 3), deploy("solo", 1)]) cluster.kubectl(["apply", "-f", "-"], JSON.stringify(d));
  for (const name of ["web", "api"]) {
    cluster.kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name, namespace: "apps" }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: name } } } }));
  }
  await cluster.waitFor("apps ready and budgets observed", () => {
    const ready = cluster.kubectl(["get", "deployments", "-n", "apps", "-o", "jsonpath={range .items[*]}{.status.readyReplicas}/{.spec.replicas} {end}"]).trim().split(" ");
    const pdb = cluster.kubectl(["get", "pdb", "-n", "apps", "-o", "jsonpath={range .items[*]}{.status.currentHealthy} {end}"]).trim().split(" ");
    return ready.length === 3 && ready.every((r) => r.split("/")[0] === r.split("/")[1]) && pdb.length === 2 && pdb.every((x) => Number(x) > 0);
  }, 120_000);
}, { nodes: upgradeLabNodes({ controlPlanes: 3, workers: 6 }), maxSockets: 64 });

async function running(): Promise<RunningVersions> {
  const nodes = await nodeVersions(client);
  return { nodes: Object.fromEntries(nodes.map((n) => [n.name, { talos: talosFromOsImage(n.osImage), kubelet: n.kubeletVersion }])) };
}

/** Counts the moments (samples every 50 ms) any PodDisruptionBudget has fewer healthy pods than it requires. */
function watchBudgets(): { stop: () => Promise<{ samples: number; short: string[] }> } {
  let stopped = false;
  const short: string[] = [];
  let samples = 0;
  const loop = (async () => {
    while (!stopped) {
      const s = await budgetShortfalls(client).catch(() => []);
      samples++;
      for (const x of s) short.push(`${x.budget} ${x.currentHealthy}/${x.desiredHealthy}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return { stop: async () => { stopped = true; await loop; return { samples, short }; } };
}

test("a Talos upgrade rolls node by node: control planes first, workers by failure domain, every budget kept, every node at the new version and uncordoned", async () => {
  const plan = upgradePlan(lab, { running: await running() });
  assert.equal(plan.ok, true, JSON.stringify(plan.blockers));
  const steps = plan.talos!.steps;
  assert.deepEqual(steps.slice(0, 3).map((s) => s.node), ["cp1", "cp2", "cp3"]);
  // workers: site s0's then s1's, each site's chassis together
  const order = steps.slice(3).map((s) => `${s.node}@${s.domain}`);
  assert.deepEqual(steps.slice(3).map((s) => s.domain.split(" / ")[0]), ["s0", "s0", "s0", "s1", "s1", "s1"], order.join(" "));

  const events: RollEvent[] = [];
  const watch = watchBudgets();
  const runner = kwokRunner(client);
  const r = await roll(lab, steps, { client, runner, pollMs: 100, drain: { retryDelayMs: 100, maxRetryDelayMs: 500, pollIntervalMs: 100, timeoutMs: 120_000 }, onEvent: (e) => events.push(e) });
  const budgets = await watch.stop();
  assert.equal(r.ok, true, JSON.stringify(r.failed));
  assert.deepEqual(runner.ran, steps.map((s) => s.node));
  assert.deepEqual(budgets.short, [], `moments below a budget: ${budgets.short.join(", ")}`);
  assert.ok(budgets.samples > 10);
  // pods were really evicted (the drains moved the apps' pods)
  assert.ok(r.done.reduce((n, s) => n + s.evicted, 0) >= 8, JSON.stringify(r.done));
  // each node was drained before it was upgraded, and upgraded before the next was touched
  const seq = events.filter((e) => e.type === "upgrading" || e.type === "uncordoned").map((e) => `${e.type}:${(e as { node: string }).node}`);
  assert.deepEqual(seq, steps.flatMap((s) => [`upgrading:${s.node}`, `uncordoned:${s.node}`]));
  const after = await nodeVersions(client);
  for (const n of after) {
    assert.equal(talosFromOsImage(n.osImage), "1.12.6", n.name);
    assert.equal(n.unschedulable, false, n.name);
  }
  // the plan now has nothing left to do for Talos
  const again = upgradePlan(lab, { running: await running() });
  assert.equal(again.talos!.steps.length, 0);
  assert.equal(again.kubernetes!.mode, "talosctl upgrade-k8s");
});

test("the first failure stops the roll: the failing node stays cordoned, the nodes after it are not touched", async () => {
  for (const n of lab.nodes) await setNodeVersions(client, n.name, { talos: "1.12.5" });
  const plan = upgradePlan(lab, { running: await running() });
  const steps = plan.talos!.steps;
  const bad = steps[4]!.node;
  const runner = kwokRunner(client, { fail: (s) => (s.node === bad ? `talosctl: rpc error: code = Unavailable desc = connection refused` : undefined) });
  const r = await roll(lab, steps, { client, runner, pollMs: 100, drain: { retryDelayMs: 100, maxRetryDelayMs: 500, pollIntervalMs: 100, timeoutMs: 120_000 } });
  assert.equal(r.ok, false);
  assert.equal(r.failed!.node, bad);
  assert.equal(r.failed!.stage, "upgrade");
  assert.match(r.failed!.error, /connection refused/);
  assert.equal(r.failed!.cordoned, true);
  assert.deepEqual(r.done.map((d) => d.node), steps.slice(0, 4).map((s) => s.node));
  assert.deepEqual(r.notStarted, steps.slice(5).map((s) => s.node));
  assert.deepEqual(runner.ran, steps.slice(0, 5).map((s) => s.node));
  const now = new Map((await nodeVersions(client)).map((n) => [n.name, n]));
  assert.equal(now.get(bad)!.unschedulable, true);
  for (const s of steps.slice(5)) assert.equal(talosFromOsImage(now.get(s.node)!.osImage), "1.12.5", s.node);
  cluster.kubectl(["uncordon", bad]);

  // a node that never comes back at the new version fails the step at "ready", with the timeout
  const noop = { node: async () => { /* the node keeps its version */ } };
  const r2 = await roll(lab, [steps[5]!], { client, runner: noop, pollMs: 100, readyTimeoutMs: 1500, drain: { retryDelayMs: 100, pollIntervalMs: 100, timeoutMs: 60_000 } });
  assert.equal(r2.failed?.stage, "ready");
  assert.match(r2.failed!.error, /timed out after 2 s waiting for w\d to be Ready at 1\.12\.6/);
  cluster.kubectl(["uncordon", steps[5]!.node]);
});

test("a control plane is not taken while another is not Ready (etcd quorum), checked live before anything changes", async () => {
  for (const n of lab.nodes) await setNodeVersions(client, n.name, { talos: "1.12.5" });
  const plan = upgradePlan(lab, { running: await running() });
  const cp1 = plan.talos!.steps.find((s) => s.node === "cp1")!;
  // cp2 and cp3 stop heartbeating: take them out of kwok's hands and mark them NotReady
  for (const n of ["cp2", "cp3"]) {
    cluster.kubectl(["annotate", "node", n, "kwok.x-k8s.io/node-", "--overwrite"]);
    await client.patch({ apiVersion: "v1", kind: "Node", name: n }, { status: { conditions: [{ type: "Ready", status: "False", reason: "Test", message: "down", lastHeartbeatTime: new Date().toISOString(), lastTransitionTime: new Date().toISOString() }] } }, "strategic", { subresource: "status" });
  }
  const runner = kwokRunner(client);
  const r = await roll(lab, [cp1], { client, runner, pollMs: 100 });
  assert.equal(r.failed?.stage, "check");
  assert.match(r.failed!.error, /etcd would lose quorum while cp1 is away: 0 other control planes Ready of 3 members, 2 needed/);
  assert.deepEqual(runner.ran, []);
  assert.equal(cluster.kubectl(["get", "node", "cp1", "-o", "jsonpath={.spec.unschedulable}"]), "");
});
