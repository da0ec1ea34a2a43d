// drover apply's engine against a real control plane (etcd, kube-apiserver, controller-manager,
// scheduler) with kwok nodes: order and readiness, a re-apply that writes nothing, prune limited to
// what Drover applied, dry run, the Lease lock, and a dead or wrong endpoint. Ownership, lab identity
// and prune safety are in ownership.test.ts; the lock's clock and identity in lock.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { TestCluster } from "../testing/cluster.js";
import { clusterForTests } from "../testing/cluster-per-file.js";
import { Client, ApiError, UnreachableError } from "./client.js";
import { loadKubeconfig } from "./kubeconfig.js";
import { apply, type ApplyProgress } from "./apply.js";
import { acquireLock } from "./lock.js";
import { diff } from "./diff.js";
import type { KubeObject } from "./objects.js";

let cluster: TestCluster;
let client: Client;
clusterForTests((c) => ({ cluster, client } = c), { nodes: [1, 2, 3].map((i) => ({ name: `kw${i}`, cpu: "8", memory: "16Gi" })) });

const ns = (name: string): KubeObject => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
const cm = (namespace: string, name: string, data: Record<string, string> = { k: name }): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace }, data });
const deployment = (namespace: string, name: string, replicas = 2): KubeObject => ({
  apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace, labels: { app: name } },
  spec: {
    replicas, selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [{ name: "app", image: "registry.example/app:1", ports: [{ containerPort: 8080 }], resources: { requests: { cpu: "100m", memory: "64Mi" } } }],
        tolerations: [{ key: "kwok.x-k8s.io/node", operator: "Exists", effect: "NoSchedule" }],
      },
    },
  },
});
const service = (namespace: string, name: string): KubeObject => ({ apiVersion: "v1", kind: "Service", metadata: { name, namespace }, spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] } });
const secret = (namespace: string, name: string, value: string): KubeObject => ({ apiVersion: "v1", kind: "Secret", metadata: { name, namespace }, type: "Opaque", stringData: { password: value } });
const crd: KubeObject = {
  apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name: "backups.lab.example" },
  spec: { group: "lab.example", scope: "Namespaced", names: { plural: "backups", singular: "backup", kind: "Backup" },
    versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object", properties: { schedule: { type: "string" } } } } } } }] },
};
const backup = (namespace: string, name: string): KubeObject => ({ apiVersion: "lab.example/v1", kind: "Backup", metadata: { name, namespace }, spec: { schedule: "@daily" } });

/** name → resourceVersion of everything in the namespaces (and the CRD) */
function versions(namespaces: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const n of namespaces) {
    const list = JSON.parse(cluster.kubectl(["get", "configmaps,secrets,services,deployments,backups.lab.example", "-n", n, "-o", "json"])) as { items: KubeObject[] };
    for (const it of list.items) out.set(`${it.kind}/${n}/${it.metadata.name}`, it.metadata.resourceVersion!);
  }
  const c = JSON.parse(cluster.kubectl(["get", "crd", "backups.lab.example", "-o", "json"])) as KubeObject;
  out.set("crd", c.metadata.resourceVersion!);
  return out;
}

function managers(configMap: string): string[] {
  return JSON.parse(cluster.kubectl(["get", "configmap", configMap, "-n", "media", "-o", "json", "--show-managed-fields"])).metadata.managedFields.map((m: { manager: string; operation: string }) => `${m.manager}/${m.operation}`);
}

function spec(): KubeObject[] {
  // deliberately out of order: the CR before its CRD, objects before their namespace
  return [backup("media", "nightly"), deployment("media", "jellyfin"), cm("media", "settings", { k: "settings", mode: "fast" }), service("media", "jellyfin"), secret("media", "db", "s3cret"),
    deployment("tools", "homepage", 1), cm("tools", "links"), cm("tools", "extra"), ns("tools"), ns("media"), crd];
}

test("apply: CRDs, namespaces and the rest in order; workloads waited for; a second apply writes nothing", async () => {
  const phases: ApplyProgress[] = [];
  const r = await apply(client, spec(), { onProgress: (p) => phases.push(p), timeoutMs: 120_000 });
  assert.deepEqual(r.counts, { created: 11, configured: 0, unchanged: 0, adopted: 0, pruned: 0, released: 0, kept: 0, failed: 0, "not-applied": 0, skipped: 0 });
  assert.deepEqual(r.notReady, []);
  assert.deepEqual(r.warnings, [], "every request drover sends is well-formed (the server warns about nothing)");
  // levels in order: CRD (0) before namespaces (1) before config (2) before workloads (3) before the CR (4)
  const levelsSeen = phases.filter((p): p is Extract<ApplyProgress, { phase: "apply" }> => p.phase === "apply").map((p) => p.level);
  assert.deepEqual([...new Set(levelsSeen)], [0, 1, 2, 3, 4]);
  assert.ok(phases.some((p) => p.phase === "wait"), "waited for workloads");
  assert.equal(cluster.kubectl(["get", "deployment", "jellyfin", "-n", "media", "-o", "jsonpath={.status.availableReplicas}"]), "2");
  assert.equal(Buffer.from(cluster.kubectl(["get", "secret", "db", "-n", "media", "-o", "jsonpath={.data.password}"]), "base64").toString(), "s3cret");
  // created with a plain create (the server's cheapest write): drover owns the fields as an Update
  assert.deepEqual(managers("settings"), ["drover/Update"]);

  const rv = versions(["media", "tools"]);
  const c0 = { ...client.requests };
  const again = await apply(client, spec());
  assert.equal(again.counts.unchanged, 11);
  assert.equal(again.writes, 0);
  assert.equal((client.requests.PATCH ?? 0) - (c0.PATCH ?? 0), 0, "no object PATCHed on an unchanged re-apply");
  assert.deepEqual(versions(["media", "tools"]), rv, "resourceVersions unchanged");
});

test("drift made by someone else is put back; an object deleted behind Drover's back is recreated", async () => {
  cluster.kubectl(["patch", "configmap", "links", "-n", "tools", "--type", "merge", "-p", '{"data":{"k":"changed-by-hand"}}']);
  cluster.kubectl(["delete", "service", "jellyfin", "-n", "media"]);
  const r = await apply(client, spec(), { wait: false });
  assert.equal(r.counts.configured, 1);
  assert.equal(r.counts.created, 1);
  assert.equal(cluster.kubectl(["get", "configmap", "links", "-n", "tools", "-o", "jsonpath={.data.k}"]), "links");
});

test("a field dropped from the spec is removed from an object Drover created; ownership moves to drover's Apply entry", async () => {
  const changed = spec().map((o) => (o.metadata.name === "settings" ? cm("media", "settings", { k: "settings" }) : o));
  const r = await apply(client, changed, { wait: false });
  assert.equal(r.results.find((x) => x.ref.name === "settings")?.action, "configured");
  assert.equal(cluster.kubectl(["get", "configmap", "settings", "-n", "media", "-o", "jsonpath={.data}"]), '{"k":"settings"}');
  assert.deepEqual(managers("settings"), ["drover/Apply"]);
  // and back
  await apply(client, spec(), { wait: false });
  assert.equal(cluster.kubectl(["get", "configmap", "settings", "-n", "media", "-o", "jsonpath={.data.mode}"]), "fast");
});

test("dry run reports changes and writes nothing (not even the lock)", async () => {
  const rv = versions(["media", "tools"]);
  const changed = spec().filter((o) => o.metadata.name !== "extra").map((o) => (o.metadata.name === "settings" ? cm("media", "settings", { k: "v2" }) : o));
  const r = await apply(client, changed, { dryRun: true });
  assert.equal(r.results.find((x) => x.ref.name === "settings")?.action, "configured");
  assert.equal(r.results.find((x) => x.ref.name === "extra")?.action, "pruned");
  assert.equal(r.counts.unchanged, 9);
  assert.deepEqual(versions(["media", "tools"]), rv);
  assert.throws(() => cluster.kubectl(["get", "lease", "drover-apply", "-n", "drover-system"]), /NotFound/);
  // diff shows the same, with the secret redacted
  const d = await diff(client, changed.map((o) => (o.metadata.name === "db" ? secret("media", "db", "new-password") : o)));
  const kinds = d.changes.map((c) => `${c.change} ${c.ref.kind}/${c.ref.name}`).sort();
  assert.deepEqual(kinds, ["prune ConfigMap/extra", "update ConfigMap/settings", "update Secret/db"]);
  const secretDiff = d.changes.find((c) => c.ref.name === "db")!.diff;
  assert.doesNotMatch(secretDiff, /new-password|s3cret|bmV3LXBhc3N3b3Jk|czNjcmV0/);
  assert.match(secretDiff, /^-  password: <redacted sha256:[0-9a-f]{12}>$/m);
  assert.match(secretDiff, /^\+  password: <redacted sha256:[0-9a-f]{12}>$/m);
});

test("prune removes only what Drover applied and the spec dropped", async () => {
  cluster.kubectl(["create", "configmap", "hand-made", "-n", "tools", "--from-literal=a=b"]);
  const smaller = spec().filter((o) => !(o.metadata.namespace === "tools" && o.metadata.name === "homepage") && o.metadata.name !== "extra");
  const r = await apply(client, smaller, { wait: false });
  const pruned = r.results.filter((x) => x.action === "pruned").map((x) => `${x.ref.kind}/${x.ref.name}`).sort();
  assert.deepEqual(pruned, ["ConfigMap/extra", "Deployment/homepage"]);
  assert.throws(() => cluster.kubectl(["get", "configmap", "extra", "-n", "tools"]), /NotFound/);
  assert.equal(cluster.kubectl(["get", "configmap", "hand-made", "-n", "tools", "-o", "jsonpath={.data.a}"]), "b", "objects Drover never applied are left alone");
  // the inventory now lists exactly the smaller spec
  const inv = cluster.kubectl(["get", "configmap", "drover-inventory", "-n", "drover-system", "-o", "jsonpath={.data.objects}"]).trim().split("\n");
  assert.equal(inv.length, smaller.length);
  // and a re-apply of the smaller spec writes nothing
  const again = await apply(client, smaller, { wait: false });
  assert.equal(again.writes, 0);
});

test("the Lease lock: a second apply refuses, or waits and then runs without interleaving", async () => {
  const other = await acquireLock(client, { holder: "drover@other-laptop:4242" });
  await assert.rejects(apply(client, spec(), { wait: false }), (e: unknown) => {
    assert.match((e as Error).message, /another drover apply is running against .* \(drover@other-laptop:4242, since .*\); it holds the Lease drover-system\/drover-apply/);
    assert.match((e as { hint?: string }).hint ?? "", /--wait-lock/);
    return true;
  });
  const waits: string[] = [];
  const queued = apply(client, spec(), { wait: false, lockWaitMs: 30_000, onProgress: (p) => p.phase === "lock" && waits.push(p.holder) });
  await new Promise((r) => setTimeout(r, 1500));
  await other.release();
  await queued;
  assert.ok(waits.includes("drover@other-laptop:4242"));

  // two applies at once: one runs entirely before the other
  const order: string[] = [];
  const many = (tag: string) => [ns("lock-test"), ...Array.from({ length: 40 }, (_, i) => cm("lock-test", `c${i}`, { by: tag }))];
  // (two inventories for one set of objects: the second apply adopts what the first created)
  const both = await Promise.all(["A", "B"].map((tag) => apply(client, many(tag), { wait: false, prune: false, adopt: true, inventoryName: `inv-${tag.toLowerCase()}`, lockHolder: `drover@test:${tag}`, lockWaitMs: 60_000, afterObject: () => order.push(tag) })));
  assert.deepEqual(both.map((r) => r.counts.failed), [0, 0]);
  const first = order[0]!;
  const switches = order.filter((t, i) => i > 0 && t !== order[i - 1]).length;
  assert.equal(switches, 1, `applies interleaved: ${order.join("")}`);
  assert.equal(cluster.kubectl(["get", "configmap", "c0", "-n", "lock-test", "-o", "jsonpath={.data.by}"]), first === "A" ? "B" : "A");
});

test("an unreachable API or wrong credentials: a clear error naming the endpoint, nothing changed", async () => {
  const access = loadKubeconfig({ kubeconfig: cluster.kubeconfig });
  const dead = new Client({ ...access, server: "https://127.0.0.1:9" });
  await assert.rejects(apply(dead, [ns("never")]), (e: unknown) => e instanceof UnreachableError && /https:\/\/127\.0\.0\.1:9/.test(e.message));
  dead.close();
  const wrong = new Client({ ...access, token: "not-the-token" });
  await assert.rejects(apply(wrong, [ns("never")]), (e: unknown) => e instanceof ApiError && e.code === 401 && e.message.includes(cluster.server));
  wrong.close();
  assert.throws(() => cluster.kubectl(["get", "namespace", "never"]), /NotFound/);
});

test("what the API server warns about (here an unknown field, dropped by the server) is reported, once", async () => {
  const odd = { ...cm("warn", "typo"), spec: { replicas: 2 } } as KubeObject;
  const r = await apply(client, [ns("warn"), odd, { ...cm("warn", "typo2"), spec: {} } as KubeObject], { wait: false, prune: false, inventoryName: "inv-warn" });
  assert.equal(r.counts.failed, 0);
  assert.ok(r.warnings.some((w) => /unknown field "spec"/.test(w)), r.warnings.join("\n"));
  assert.equal(new Set(r.warnings).size, r.warnings.length);
  const again = await apply(client, [ns("warn"), cm("warn", "typo"), cm("warn", "typo2")], { wait: false, prune: false, inventoryName: "inv-warn" });
  assert.deepEqual(again.warnings, [], "a clean apply reports none (the client's earlier warnings are not carried over)");
});

test("bad input is refused before anything is written", async () => {
  await assert.rejects(apply(client, [ns("bad-input"), { apiVersion: "nope.example/v1", kind: "Thing", metadata: { name: "x", namespace: "bad-input" } }]), /does not serve Thing in nope\.example\/v1, and no CustomResourceDefinition being applied provides it/);
  await assert.rejects(apply(client, [ns("bad-input"), ns("bad-input")]), /Namespace bad-input is listed twice/);
  assert.throws(() => cluster.kubectl(["get", "namespace", "bad-input"]), /NotFound/);
  // the bootstrap case (a lab's Flux objects before Flux is installed): skipped and reported instead
  const r = await apply(client, [ns("bad-input"), { apiVersion: "nope.example/v1", kind: "Thing", metadata: { name: "x", namespace: "bad-input" } }], { skipUnserved: true, wait: false, inventoryName: "inv-skip" });
  assert.deepEqual(r.results.map((x) => `${x.ref.kind} ${x.action}`), ["Namespace created", "Thing skipped"]);
});
