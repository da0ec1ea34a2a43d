// The Cilium pre-flight run on a real control plane (etcd, kube-apiserver, controller-manager with the
// DaemonSet controller, scheduler) with kwok nodes: the objects are the real helm's render of the
// pinned chart with the plan's pre-flight values; a stand-in cilium DaemonSet (pause pods) plays the
// running agents. kwok runs no containers, so "the new image is pulled" is the pods' Ready condition.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { startCluster, type TestCluster } from "../../testing/cluster.js";
import { platformData, tool } from "../../testing/paths.js";
import { upgradeLabYaml } from "../../testing/upgrade-lab.js";
import { loadLabText } from "../../lab/load.js";
import { Client } from "../../cluster/client.js";
import type { KubeObject } from "../../cluster/objects.js";
import { PREFLIGHT_DAEMONSET, preflightTemplateArgs } from "./cilium.js";
import { runCiliumPreflight } from "./cilium-preflight.js";
import { upgradePlan } from "./plan.js";
import { runUpgrade } from "./run.js";

let cluster: TestCluster;
let client: Client;
const lab = loadLabText(upgradeLabYaml(), "lab.yaml").lab!;

const dropNulls = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(dropNulls) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, dropNulls(x)])) : v;

/** The plan's pre-flight command, with the cached chart for the chart repository. */
function preflightObjects(): KubeObject[] {
  const args = preflightTemplateArgs(lab);
  const r = spawnSync(tool("helm"), ["template", "cilium", join(platformData("charts"), "cilium"), ...args.slice(6), "--kube-version", lab.kubernetesVersion], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  return parseAllDocuments(r.stdout).map((d) => dropNulls(d.toJS()) as KubeObject).filter((d) => d && typeof d === "object");
}

before(async () => {
  cluster = await startCluster({
    nodes: [
      { name: "cp1", cpu: "4", memory: "8Gi", labels: { "node-role.kubernetes.io/control-plane": "" }, taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }] },
      { name: "w1", cpu: "4", memory: "8Gi" },
      { name: "w2", cpu: "4", memory: "8Gi" },
    ],
  });
  client = Client.fromKubeconfig({ kubeconfig: cluster.kubeconfig });
  cluster.kubectl(["apply", "-f", "-"], JSON.stringify({
    apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "cilium", namespace: "kube-system" },
    spec: { selector: { matchLabels: { "k8s-app": "cilium" } }, template: { metadata: { labels: { "k8s-app": "cilium" } }, spec: { tolerations: [{ operator: "Exists" }], containers: [{ name: "cilium-agent", image: "quay.io/cilium/cilium:v1.19.4" }] } } },
  }));
  await cluster.waitFor("the stand-in agents Ready on 3 nodes", () => cluster.kubectl(["get", "ds", "cilium", "-n", "kube-system", "-o", "jsonpath={.status.numberReady}"]).trim() === "3", 120_000);
});
after(async () => {
  client?.close();
  await cluster?.stop();
});

test("the pre-flight from the real chart: Ready on every node the agents run on (the tainted control plane too), then every pre-flight object deleted", async () => {
  const objects = preflightObjects();
  const events: string[] = [];
  const r = await runCiliumPreflight(client, objects, { pollMs: 200, timeoutMs: 180_000, onEvent: (e) => events.push(e) });
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual([r.ready, r.agents], [3, 3]);
  assert.match(events.join("\n"), /created \d+ pre-flight objects[\s\S]*Ready on 3 nodes[\s\S]*deleted the pre-flight objects/);
  for (const o of objects) {
    const left = await client.get({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name!, ...(o.kind.startsWith("Cluster") ? {} : { namespace: o.metadata.namespace ?? "kube-system" }) });
    assert.ok(!left || (left.metadata as { deletionTimestamp?: string }).deletionTimestamp, `${o.kind}/${o.metadata.name} is still there`);
  }
});

test("a pre-flight that never comes up everywhere fails (with the counts) and is deleted all the same", async () => {
  const objects = preflightObjects().map((o) => {
    if (o.kind !== "DaemonSet" || o.metadata.name !== PREFLIGHT_DAEMONSET) return o;
    const ds = structuredClone(o) as KubeObject & { spec: { template: { spec: Record<string, unknown> } } };
    ds.spec.template.spec.nodeSelector = { "example.net/no-such-node": "x" };
    return ds as KubeObject;
  });
  const r = await runCiliumPreflight(client, objects, { pollMs: 200, timeoutMs: 5_000 });
  assert.equal(r.ok, false);
  assert.match(r.error!, /^cilium-pre-flight-check is Ready on 0 of 0 nodes \(cilium on 3 nodes\)/);
  const left = await client.get({ apiVersion: "apps/v1", kind: "DaemonSet", name: PREFLIGHT_DAEMONSET, namespace: "kube-system" });
  assert.ok(!left || (left.metadata as { deletionTimestamp?: string }).deletionTimestamp);
});

test("drover upgrade runs the pre-flight when the plan moves Cilium (nodes already at their versions): Ready, deleted, the result says so", async () => {
  const running = { nodes: Object.fromEntries(lab.nodes.map((n) => [n.name, { talos: lab.talosVersion, kubelet: `v${lab.kubernetesVersion}` }])), apiserver: `v${lab.kubernetesVersion}`, cilium: "1.20.1" };
  const plan = upgradePlan(lab, { running });
  assert.ok(plan.ok && plan.platform.cilium && !plan.talos!.steps.length && !plan.kubernetes, JSON.stringify(plan.blockers));
  const r = await runUpgrade(lab, plan, { client, runner: { node: async () => { throw new Error("no node step"); } }, pollMs: 200, ciliumPreflight: async () => preflightObjects() });
  assert.ok(r.ok && r.cilium?.ok, JSON.stringify(r));
  assert.equal(r.cilium!.ready, 3);
});
