// drover upgrade on k3s, on a real control plane (etcd, kube-apiserver, controllers) with kwok nodes
// labelled as k3s labels them: Drover applies the system-upgrade-controller Plans and follows the
// Nodes. The controller itself does not run here (no container runtime to run rancher/k3s-upgrade
// Jobs, and its Go module is not served by the module proxy, so neither is its Plan CRD): the test
// stands in for it — it reads the Plans Drover created, lets the real API server select the nodes by
// each Plan's own nodeSelector, and makes those nodes report the Plan's version one at a time. The
// CRD registered here is a stand-in too (it accepts any spec): the Plans' fields are checked below by
// value against the k3s documentation's plans, not against the upstream schema.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startCluster, type TestCluster } from "../../testing/cluster.js";
import { setNodeVersions } from "../../testing/upgrade-lab.js";
import { ageKeygen } from "../../testing/age-key.js";
import { nodeLabYaml } from "../../testing/node-lab.js";
import { loadLabText } from "../../lab/load.js";
import { Client } from "../../cluster/client.js";
import type { KubeObject } from "../../cluster/objects.js";
import { UserError } from "../../errors.js";
import { upgradePlan, type RunningVersions } from "./plan.js";
import { runUpgrade } from "./run.js";
import type { PlansEvent, PlansResult } from "./k3s-plans.js";
import type { UpgradeRunner } from "./runner.js";
import { ciliumVersion } from "../../cluster/nodes.js";

type PlanObj = KubeObject & { spec: Record<string, any> };

const lab = loadLabText(nodeLabYaml({ recipient: ageKeygen().recipient, distribution: "k3s" }), "lab.yaml").lab!;
const OLD = "v1.34.3+k3s1";
let cluster: TestCluster;
let client: Client;

before(async () => {
  cluster = await startCluster({
    nodes: lab.nodes.map((n) => ({ name: n.name, cpu: "4", memory: "8Gi", labels: n.role === "controlplane" ? { "node-role.kubernetes.io/control-plane": "true" } : ({} as Record<string, string>) })),
  });
  client = Client.fromKubeconfig({ kubeconfig: cluster.kubeconfig });
});
after(async () => {
  client?.close();
  await cluster?.stop();
});

const noRunner: UpgradeRunner = { node: async () => { throw new Error("the Plans path runs no per-node command"); } };
const running = (): RunningVersions => ({ nodes: Object.fromEntries(lab.nodes.map((n) => [n.name, { kubelet: OLD }])), apiserver: "v1.34.3" });

/** A Plan's nodeSelector as a label selector the API server evaluates. */
const selectorOf = (p: PlanObj): string =>
  (p.spec.nodeSelector.matchExpressions as { key: string; operator: string; values?: string[] }[])
    .map((e) => (e.operator === "In" ? `${e.key} in (${e.values!.join(",")})` : e.operator === "DoesNotExist" ? `!${e.key}` : e.operator === "Exists" ? e.key : `${e.key} notin (${e.values!.join(",")})`))
    .join(",");

/** The controller's part: server-plan's nodes one at a time, then agent-plan's (or `order` as given). */
async function standIn(order?: (plans: Map<string, PlanObj>, selected: Map<string, string[]>) => string[]): Promise<void> {
  let plans = new Map<string, PlanObj>();
  for (let i = 0; i < 600 && plans.size < 2; i++) {
    plans = new Map((await client.list<PlanObj>("upgrade.cattle.io/v1", "Plan", { namespace: "system-upgrade" })).items.map((p) => [p.metadata.name!, p]));
    if (plans.size < 2) await new Promise((r) => setTimeout(r, 100));
  }
  const selected = new Map<string, string[]>();
  for (const [name, p] of plans) selected.set(name, (await client.list("v1", "Node", { labelSelector: selectorOf(p) })).items.map((n) => n.metadata.name!).sort());
  const seq = order ? order(plans, selected) : [...selected.get("server-plan")!, ...selected.get("agent-plan")!];
  for (const node of seq) {
    const plan = [...plans.values()].find((p) => selected.get(p.metadata.name!)!.includes(node))!;
    await setNodeVersions(client, node, { kubelet: plan.spec.version });
    await new Promise((r) => setTimeout(r, 150));
  }
}

test("without the Plan CRD: refused with the install step, nothing applied", async () => {
  for (const n of lab.nodes) await setNodeVersions(client, n.name, { kubelet: OLD });
  const plan = upgradePlan(lab, { running: running() });
  assert.ok(plan.ok, JSON.stringify(plan.blockers));
  await assert.rejects(runUpgrade(lab, plan, { client, runner: noRunner, k3sPlans: true, pollMs: 100 }), (e: unknown) => {
    assert.ok(e instanceof UserError, String(e));
    assert.match(e.message, /does not serve upgrade\.cattle\.io\/v1 Plan: the system-upgrade-controller is not installed/);
    assert.match(e.hint ?? "", /system-upgrade-controller\.yaml/);
    return true;
  });
});

test("with the Plan CRD: drover applies server-plan and agent-plan as documented, their selectors pick exactly the servers and the agents, and it follows the nodes to the new k3s, servers first", async () => {
  cluster.kubectl(["apply", "-f", "-"], JSON.stringify({
    apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name: "plans.upgrade.cattle.io" },
    spec: { group: "upgrade.cattle.io", scope: "Namespaced", names: { plural: "plans", singular: "plan", kind: "Plan" }, versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }] },
  }));
  cluster.kubectl(["wait", "--for=condition=Established", "crd/plans.upgrade.cattle.io", "--timeout=60s"]);
  for (const n of lab.nodes) await setNodeVersions(client, n.name, { kubelet: OLD });
  const plan = upgradePlan(lab, { running: running() });
  assert.equal(plan.kubernetes!.plans!.length, 2);
  const events: PlansEvent[] = [];
  const [r] = await Promise.all([
    runUpgrade(lab, plan, { client, runner: noRunner, k3sPlans: true, pollMs: 100, kubernetesTimeoutMs: 120_000, onPlansEvent: (e) => events.push(e) }),
    standIn(),
  ]);
  assert.ok(r.ok, JSON.stringify(r));
  const k = r.kubernetes as PlansResult;
  assert.deepEqual(k.upgraded.slice(0, 3).sort(), ["cp1", "cp2", "cp3"]);
  assert.deepEqual(k.upgraded.slice(3).sort(), ["w1", "w2", "w3"]);
  assert.deepEqual(events[0], { type: "plans", applied: ["system-upgrade/server-plan", "system-upgrade/agent-plan"] });

  // the Plans as the API server stores them
  const get = (name: string) => JSON.parse(cluster.kubectl(["get", "plan", name, "-n", "system-upgrade", "-o", "json"])) as PlanObj;
  const server = get("server-plan").spec, agent = get("agent-plan").spec;
  for (const s of [server, agent]) {
    assert.equal(s.version, "v1.35.4+k3s1");
    assert.equal(s.concurrency, 1);
    assert.equal(s.cordon, true);
    assert.equal(s.serviceAccountName, "system-upgrade");
    assert.deepEqual(s.upgrade, { image: "rancher/k3s-upgrade" });
    assert.deepEqual(s.tolerations, [{ operator: "Exists" }]);
  }
  assert.deepEqual(server.nodeSelector, { matchExpressions: [{ key: "node-role.kubernetes.io/control-plane", operator: "In", values: ["true"] }] });
  assert.equal(server.drain, undefined, "servers are cordoned, not drained");
  assert.deepEqual(agent.nodeSelector, { matchExpressions: [{ key: "node-role.kubernetes.io/control-plane", operator: "DoesNotExist" }] });
  assert.deepEqual(agent.prepare, { image: "rancher/k3s-upgrade", args: ["prepare", "server-plan"] });
  assert.deepEqual(agent.drain, { force: false, skipWaitForDeleteTimeout: 60 });
});

test("an agent upgraded while a server is behind (the prepare step did not hold it) stops the upgrade, naming both", async () => {
  for (const n of lab.nodes) await setNodeVersions(client, n.name, { kubelet: OLD });
  const plan = upgradePlan(lab, { running: running() });
  const [r] = await Promise.all([
    runUpgrade(lab, plan, { client, runner: noRunner, k3sPlans: true, pollMs: 100, kubernetesTimeoutMs: 60_000 }),
    standIn((_p, sel) => [sel.get("agent-plan")![0]!]),
  ]);
  assert.equal(r.ok, false);
  assert.match((r.kubernetes as PlansResult).error!, /^agent w1 is at 1\.35\.4 while servers cp1, cp2, cp3 are not: the agent plan must wait for the server plan/);
});

test("the running Cilium is read from the kube-system/cilium DaemonSet's agent image (none without one)", async () => {
  assert.equal(await ciliumVersion(client), undefined);
  cluster.kubectl(["apply", "-f", "-"], JSON.stringify({
    apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "cilium", namespace: "kube-system" },
    spec: {
      selector: { matchLabels: { "k8s-app": "cilium" } },
      template: {
        metadata: { labels: { "k8s-app": "cilium" } },
        spec: {
          initContainers: [{ name: "config", image: "quay.io/cilium/cilium:v1.19.4" }],
          containers: [{ name: "cilium-envoy", image: "quay.io/cilium/cilium-envoy:v1.35.1" }, { name: "cilium-agent", image: `quay.io/cilium/cilium:v1.19.4@sha256:${"a".repeat(64)}` }],
        },
      },
    },
  }));
  assert.equal(await ciliumVersion(client), "1.19.4");
});
