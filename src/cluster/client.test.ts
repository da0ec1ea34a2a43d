// The API client against a real kube-apiserver (etcd + control plane + kwok): discovery,
// apply/get/list/patch/watch/delete, and the errors a user sees for a dead or wrong endpoint.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TestCluster } from "../testing/cluster.js";
import { clusterForTests } from "../testing/cluster-per-file.js";
import { Client, ApiError, UnreachableError, warningText } from "./client.js";
import { loadKubeconfig } from "./kubeconfig.js";

let cluster: TestCluster;
let client: Client;
clusterForTests((c) => ({ cluster, client } = c), { nodes: [{ name: "n1", cpu: "4", memory: "8Gi" }] });

test("discovery maps kinds to plural, namespaced resources", async () => {
  const dep = await client.resource("apps/v1", "Deployment");
  assert.deepEqual([dep.plural, dep.namespaced], ["deployments", true]);
  const ns = await client.resource("v1", "Namespace");
  assert.deepEqual([ns.plural, ns.namespaced], ["namespaces", false]);
  const lease = await client.resource("coordination.k8s.io/v1", "Lease");
  assert.equal(lease.plural, "leases");
  await assert.rejects(client.resource("example.com/v1", "Widget"), /does not serve Widget in example.com\/v1/);
});

test("new CRDs are found after discovery is refreshed on a miss", async () => {
  await client.apply({
    apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name: "widgets.example.com" },
    spec: { group: "example.com", scope: "Namespaced", names: { plural: "widgets", singular: "widget", kind: "Widget" },
      versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }] },
  });
  await cluster.waitFor("CRD established", () => cluster.kubectl(["get", "crd", "widgets.example.com", "-o", "jsonpath={.status.conditions[?(@.type==\"Established\")].status}"]) === "True");
  // discovery may lag Established by a moment
  await cluster.waitFor("Widget served", () => cluster.kubectl(["api-resources", "--api-group", "example.com", "-o", "name"]).includes("widgets"));
  const w = await client.resource("example.com/v1", "Widget");
  assert.equal(w.plural, "widgets");
});

test("server-side apply, get, list, patch, watch and delete", async () => {
  const ns = await client.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "t1" } });
  assert.equal(ns.metadata.name, "t1");
  const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c1", namespace: "t1" }, data: { a: "1" } };
  const created = await client.apply(cm);
  assert.equal(created.metadata.managedFields?.[0]?.manager, "drover");
  // dry run writes nothing
  await client.apply({ ...cm, data: { a: "2" } }, { dryRun: true });
  assert.equal(cluster.kubectl(["get", "configmap", "c1", "-n", "t1", "-o", "jsonpath={.data.a}"]), "1");
  // re-applying the same object leaves resourceVersion unchanged
  const again = await client.apply(cm);
  assert.equal(again.metadata.resourceVersion, created.metadata.resourceVersion);

  const got = await client.get({ apiVersion: "v1", kind: "ConfigMap", name: "c1", namespace: "t1" });
  assert.deepEqual(got?.data, { a: "1" });
  assert.equal(await client.get({ apiVersion: "v1", kind: "ConfigMap", name: "nope", namespace: "t1" }), undefined);

  for (let i = 0; i < 7; i++) await client.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `p${i}`, namespace: "t1", labels: { page: "yes" } } });
  const page = await client.list("v1", "ConfigMap", { namespace: "t1", labelSelector: "page=yes", limit: 3 });
  assert.equal(page.items.length, 7);
  assert.equal(page.items[0]?.kind, "ConfigMap");

  const ac = new AbortController();
  const events: string[] = [];
  const watching = (async () => {
    for await (const ev of client.watch("v1", "ConfigMap", { namespace: "t1", resourceVersion: page.metadata.resourceVersion, signal: ac.signal })) {
      if (ev.type === "BOOKMARK") continue;
      events.push(`${ev.type} ${ev.object.metadata.name}`);
      if (ev.type === "DELETED") ac.abort();
    }
  })();
  await client.patch({ apiVersion: "v1", kind: "ConfigMap", name: "c1", namespace: "t1" }, { data: { b: "2" } }, "merge");
  assert.equal(await client.delete({ apiVersion: "v1", kind: "ConfigMap", name: "c1", namespace: "t1" }), true);
  assert.equal(await client.delete({ apiVersion: "v1", kind: "ConfigMap", name: "c1", namespace: "t1" }), false);
  await watching;
  assert.deepEqual(events, ["MODIFIED c1", "DELETED c1"]);

  // parallel requests over the keep-alive agent
  const many = await Promise.all(Array.from({ length: 50 }, (_, i) => client.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `par${i}`, namespace: "t1" }, data: { i: String(i) } })));
  assert.equal(new Set(many.map((m) => m.metadata.uid)).size, 50);
});

test("API errors name the endpoint", async () => {
  await assert.rejects(client.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "no-such-ns" } }), (e: unknown) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 404);
    assert.match(e.message, new RegExp(`PATCH ${cluster.server}/api/v1/namespaces/no-such-ns/configmaps/x: 404 NotFound`));
    return true;
  });
});

test("an unreachable API and wrong credentials are clear user errors naming the endpoint", async () => {
  const access = loadKubeconfig({ kubeconfig: cluster.kubeconfig });
  const dead = new Client({ ...access, server: "https://127.0.0.1:1" });
  await assert.rejects(dead.version(), (e: unknown) => {
    assert.ok(e instanceof UnreachableError);
    assert.match(e.message, /cannot reach the Kubernetes API at https:\/\/127\.0\.0\.1:1 .*connection refused/);
    assert.match(e.hint ?? "", /kubeconfig .* context test/);
    return true;
  });
  dead.close();
  const badKc = join(cluster.dir, "bad-kubeconfig");
  writeFileSync(badKc, `apiVersion: v1\nkind: Config\ncurrent-context: t\nclusters:\n- name: c\n  cluster: {server: '${cluster.server}', insecure-skip-tls-verify: true}\nusers:\n- name: u\n  user: {token: wrong}\ncontexts:\n- name: t\n  context: {cluster: c, user: u}\n`);
  const bad = Client.fromKubeconfig({ kubeconfig: badKc });
  await assert.rejects(bad.discover(), (e: unknown) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 401);
    assert.match(e.message, new RegExp(`the Kubernetes API at ${cluster.server} rejected the credentials`));
    assert.match(e.hint ?? "", new RegExp(`kubeconfig ${badKc}, context t`));
    return true;
  });
  bad.close();
  // TLS: verifying against the system roots fails on the test cluster's self-signed certificate
  const strict = new Client({ ...access, insecureSkipTlsVerify: false });
  await assert.rejects(strict.version(), (e: unknown) => {
    assert.ok(e instanceof UnreachableError);
    assert.match(e.message, /TLS certificate is not trusted/);
    return true;
  });
  strict.close();
});

test("a Warning header's text: code, agent, then the quoted text with its escapes undone", () => {
  assert.equal(warningText('299 - "unknown field \\"spec\\""'), 'unknown field "spec"');
  assert.equal(warningText('299 - "policy/v1beta1 PodDisruptionBudget is deprecated in v1.21+"'), "policy/v1beta1 PodDisruptionBudget is deprecated in v1.21+");
  assert.equal(warningText("not in the usual form"), "not in the usual form");
});
