// Drain against a real control plane (etcd, kube-apiserver, controller-manager, scheduler) with kwok
// nodes: PodDisruptionBudgets answered by the real disruption controller, evictions by the real
// Eviction API, replacements placed by the real scheduler; refusals compared with the real kubectl.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { TestCluster } from "../../testing/cluster.js";
import { clusterForTests } from "../../testing/cluster-per-file.js";
import { Client } from "../client.js";
import { drainApi } from "./client-api.js";
import { DrainError, drainNode, type DrainEvent } from "./index.js";

let cluster: TestCluster;
let client: Client;
clusterForTests((c) => ({ cluster, client } = c), { maxSockets: 64 });

const group = (g: string, n: string) => ({ name: n, cpu: "8", memory: "16Gi", labels: { group: g } });

function deployment(ns: string, name: string, g: string, replicas: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: ns },
    spec: {
      replicas, selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { nodeSelector: { group: g }, terminationGracePeriodSeconds: 0, containers: [{ name: "c", image: "registry.k8s.io/pause:3.10" }], ...extra },
      },
    },
  });
}

/** node name of every pod (Running ones) of an app, from the real API */
function placement(ns: string, app: string): string[] {
  const out = cluster.kubectl(["get", "pods", "-n", ns, "-l", `app=${app}`, "-o", "jsonpath={range .items[*]}{.spec.nodeName}{\" \"}{.status.phase}{\" \"}{.metadata.deletionTimestamp}{\"\\n\"}{end}"]);
  return out.split("\n").filter(Boolean).filter((l) => l.split(" ")[1] === "Running" && !l.split(" ")[2]).map((l) => l.split(" ")[0]!).sort();
}

function readyReplicas(ns: string, name: string): number {
  return Number(cluster.kubectl(["get", "deployment", name, "-n", ns, "-o", "jsonpath={.status.readyReplicas}"]) || 0);
}

test("a PodDisruptionBudget blocks the drain with 429 until another replica is ready; the scheduler places the evicted pods on the remaining node", async () => {
  const ns = "pdb";
  cluster.kubectl(["create", "namespace", ns]);
  cluster.addNode(group("pdb", "pdb-1"));
  await cluster.waitFor("pdb-1 Ready", () => cluster.kubectl(["get", "node", "pdb-1", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"]) === "True");
  cluster.kubectl(["apply", "-f", "-"], deployment(ns, "web", "pdb", 2));
  await cluster.waitFor("web ready on pdb-1", () => readyReplicas(ns, "web") === 2);
  cluster.kubectl(["apply", "-f", "-"], JSON.stringify({
    apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "web", namespace: ns },
    spec: { minAvailable: 2, selector: { matchLabels: { app: "web" } } },
  }));
  await cluster.waitFor("PDB observed", () => cluster.kubectl(["get", "pdb", "web", "-n", ns, "-o", "jsonpath={.status.currentHealthy}/{.status.disruptionsAllowed}"]) === "2/0");
  cluster.addNode(group("pdb", "pdb-2"));
  await cluster.waitFor("pdb-2 Ready", () => cluster.kubectl(["get", "node", "pdb-2", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"]) === "True");
  const api = drainApi(client);

  // the timeout is honoured: a blocked drain gives up and says why
  const t0 = Date.now();
  await assert.rejects(drainNode(api, "pdb-1", { timeoutMs: 2500, retryDelayMs: 200 }), (e: unknown) => {
    assert.ok(e instanceof DrainError && e.kind === "timeout", String(e));
    assert.match(e.message, /global timeout reached/);
    assert.equal(e.pending.length, 2);
    return true;
  });
  assert.ok(Date.now() - t0 < 15_000);
  assert.equal(cluster.kubectl(["get", "node", "pdb-1", "-o", "jsonpath={.spec.unschedulable}"]), "true", "the node stays cordoned");
  assert.deepEqual(placement(ns, "web"), ["pdb-1", "pdb-1"]);

  // blocked again; a third replica becoming ready (on pdb-2: pdb-1 is cordoned) lets it through
  const events: DrainEvent[] = [];
  let scaled = false;
  const done = drainNode(api, "pdb-1", { timeoutMs: 90_000, retryDelayMs: 200, maxRetryDelayMs: 1000 }, (e) => {
    events.push(e);
    if (e.type === "retry" && !scaled) {
      scaled = true;
      cluster.kubectl(["scale", "deployment", "web", "-n", ns, "--replicas", "3"]);
    }
  });
  const result = await done;
  const retries = events.filter((e): e is Extract<DrainEvent, { type: "retry" }> => e.type === "retry");
  assert.ok(retries.length >= 1);
  assert.match(retries[0]!.message, /disruption budget/i);
  assert.equal(result.evicted.length, 2);
  await cluster.waitFor("web back to 3 ready replicas", () => readyReplicas(ns, "web") === 3 && placement(ns, "web").length === 3);
  assert.deepEqual(placement(ns, "web"), ["pdb-2", "pdb-2", "pdb-2"], "the real scheduler put the replacements on the remaining node");
});

test("unmanaged and emptyDir pods refuse the drain with kubectl's messages; with the flags they go and DaemonSet and mirror pods stay", async () => {
  const ns = "refuse";
  cluster.kubectl(["create", "namespace", ns]);
  for (const n of ["rf-1", "rf-2"]) cluster.addNode(group("rf", n));
  cluster.kubectl(["cordon", "rf-2"]);
  await cluster.waitFor("rf nodes Ready", () => cluster.kubectl(["get", "nodes", "-l", "group=rf", "-o", "jsonpath={.items[*].status.conditions[?(@.type==\"Ready\")].status}"]) === "True True");
  cluster.kubectl(["apply", "-f", "-"], deployment(ns, "plain", "rf", 2));
  cluster.kubectl(["apply", "-f", "-"], deployment(ns, "scratch", "rf", 1, { volumes: [{ name: "tmp", emptyDir: {} }] }));
  cluster.kubectl(["apply", "-f", "-"], JSON.stringify({
    apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "agent", namespace: ns },
    spec: { selector: { matchLabels: { app: "agent" } }, template: { metadata: { labels: { app: "agent" } }, spec: { nodeSelector: { group: "rf" }, terminationGracePeriodSeconds: 0, containers: [{ name: "c", image: "registry.k8s.io/pause:3.10" }] } } },
  }));
  const bare = (name: string, annotations: Record<string, string> = {}) => JSON.stringify({
    apiVersion: "v1", kind: "Pod", metadata: { name, namespace: ns, annotations, labels: { app: name } },
    spec: { nodeName: "rf-1", terminationGracePeriodSeconds: 0, containers: [{ name: "c", image: "registry.k8s.io/pause:3.10" }] },
  });
  cluster.kubectl(["apply", "-f", "-"], bare("loner"));
  cluster.kubectl(["apply", "-f", "-"], bare("static", { "kubernetes.io/config.mirror": "abc" }));
  await cluster.waitFor("all pods running on rf-1", () => placement(ns, "plain").length === 2 && placement(ns, "scratch").length === 1 && placement(ns, "agent").length === 2 && placement(ns, "loner").length === 1 && placement(ns, "static").length === 1);
  cluster.kubectl(["uncordon", "rf-2"]);
  const api = drainApi(client);

  const ours = await drainNode(api, "rf-1").then(() => assert.fail("the drain should be refused"), (e: unknown) => e as DrainError);
  assert.equal(ours.kind, "refused");
  const kinds = [...ours.details].sort();
  assert.deepEqual(kinds, [
    `cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): ${ns}/${podsOf(ns, "agent", "rf-1")[0]}`,
    `cannot delete Pods with local storage (use --delete-emptydir-data to override): ${ns}/${podsOf(ns, "scratch", "rf-1")[0]}`,
    // kubectl's own wording, doubled "cannot delete" included (its unmanagedFatal already starts with it)
    `cannot delete cannot delete Pods that declare no controller (use --force to override): ${ns}/loner`,
  ]);
  // the real kubectl refuses for the same reasons and the same pods
  let kubectlErr = "";
  try {
    cluster.kubectl(["drain", "rf-1", "--timeout=20s"]);
  } catch (e) {
    kubectlErr = (e as Error).message;
  }
  for (const line of kinds) assert.ok(kubectlErr.includes(line), `kubectl says:\n${kubectlErr}\nmissing: ${line}`);
  assert.deepEqual(placement(ns, "plain"), ["rf-1", "rf-1"], "a refused drain evicts nothing");

  const events: DrainEvent[] = [];
  const r = await drainNode(api, "rf-1", { force: true, ignoreDaemonSets: true, deleteEmptyDirData: true, gracePeriodSeconds: 0 }, (e) => events.push(e));
  assert.equal(r.evicted.length, 4); // 2 plain, 1 scratch, the loner
  assert.deepEqual([...r.left].sort(), [`${ns}/${podsOf(ns, "agent", "rf-1")[0]}`, `${ns}/static`]);
  assert.match(events.find((e) => e.type === "warning")?.type === "warning" ? (events.find((e) => e.type === "warning") as { message: string }).message : "", /ignoring DaemonSet-managed Pods/);
  await cluster.waitFor("replacements on rf-2", () => placement(ns, "plain").join() === "rf-2,rf-2" && placement(ns, "scratch").join() === "rf-2");
  assert.deepEqual(placement(ns, "loner"), [], "an unmanaged pod is gone for good");
  assert.deepEqual(placement(ns, "agent"), ["rf-1", "rf-2"], "DaemonSet pods stay");
  assert.deepEqual(placement(ns, "static"), ["rf-1"], "mirror pods stay");
});

function podsOf(ns: string, app: string, node: string): string[] {
  return cluster.kubectl(["get", "pods", "-n", ns, "-l", `app=${app}`, "--field-selector", `spec.nodeName=${node}`, "-o", "jsonpath={.items[*].metadata.name}"]).split(" ").filter(Boolean);
}

test("the grace period reaches the pod, the drain waits until the pod is really gone, and skip-wait-for-delete-timeout lets a stuck pod be", async () => {
  const ns = "grace";
  cluster.kubectl(["create", "namespace", ns]);
  // a Node whose kubelet never answers (kwok leaves it alone): deleted pods stay Terminating on it
  cluster.kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "Node", metadata: { name: "silent", labels: { "kubernetes.io/hostname": "silent" } } }));
  const bare = (name: string) => JSON.stringify({
    apiVersion: "v1", kind: "Pod", metadata: { name, namespace: ns },
    spec: { nodeName: "silent", terminationGracePeriodSeconds: 30, containers: [{ name: "c", image: "registry.k8s.io/pause:3.10" }] },
  });
  cluster.kubectl(["apply", "-f", "-"], bare("slow"));
  const exists = (name: string) => cluster.kubectl(["get", "pods", "-n", ns, "-o", "name"]).split("\n").includes(`pod/${name}`);

  const graces: (number | undefined)[] = [];
  const stop = new AbortController();
  const rv = cluster.kubectl(["get", "pod", "slow", "-n", ns, "-o", "jsonpath={.metadata.resourceVersion}"]);
  void (async () => {
    for await (const ev of client.watch("v1", "Pod", { namespace: ns, resourceVersion: rv, signal: stop.signal })) {
      if (ev.object.metadata?.name === "slow" && ev.object.metadata.deletionTimestamp) graces.push(ev.object.metadata.deletionGracePeriodSeconds as number | undefined);
    }
  })().catch(() => {});
  const api = drainApi(client);
  let finished = false;
  const drained = drainNode(api, "silent", { force: true, gracePeriodSeconds: 7, timeoutMs: 60_000 }).then((r) => { finished = true; return r; });
  await cluster.waitFor("the pod is terminating", () => graces.length > 0);
  stop.abort();
  assert.equal(graces[0], 7, `deletionGracePeriodSeconds seen: ${graces.join(", ")}`);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(finished, false, "still waiting while the pod exists");
  assert.ok(exists("slow"));
  cluster.kubectl(["delete", "pod", "slow", "-n", ns, "--grace-period=0", "--force"]);
  const r = await drained;
  assert.deepEqual(r.evicted, [`${ns}/slow`]);

  // a pod stuck terminating: the timeout is honoured; then, deleted long enough ago, it is skipped
  cluster.kubectl(["apply", "-f", "-"], bare("stuck"));
  // (deletionTimestamp is the deletion time plus the grace period, so a short grace period here)
  const first = await drainNode(api, "silent", { force: true, gracePeriodSeconds: 1, timeoutMs: 2000 }).catch((e: unknown) => e as DrainError);
  assert.ok(first instanceof DrainError && first.kind === "timeout", String(first));
  assert.deepEqual(first.pending, [`${ns}/stuck`]);
  await new Promise((r) => setTimeout(r, 2200));
  const second = await drainNode(api, "silent", { force: true, timeoutMs: 20_000, skipWaitForDeleteTimeoutSeconds: 1 });
  assert.deepEqual(second.evicted, [], "kubectl's skipDeletedFilter leaves it out");
  assert.deepEqual(second.left, [`${ns}/stuck`]);
  assert.ok(exists("stuck"));
});
