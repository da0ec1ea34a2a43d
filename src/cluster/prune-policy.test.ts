// drover apply's prune never deletes data unless asked, against a real control plane: a claim marked
// kustomize.toolkit.fluxcd.io/prune: disabled is kept when the spec drops it (and stays listed), so is
// a namespace that still holds such a claim even when the namespace itself is not marked; diff and
// status report them apart; --prune-data deletes them.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { TestCluster } from "../testing/cluster.js";
import { clusterForTests } from "../testing/cluster-per-file.js";
import { Client } from "./client.js";
import { apply } from "./apply.js";
import { diff } from "./diff.js";
import { clusterStatus } from "./status.js";
import { PRUNE_ANNOTATION } from "./prune-policy.js";
import { pruneDataFilters } from "./prune.js";
import type { KubeObject } from "./objects.js";

let cluster: TestCluster;
let client: Client;
clusterForTests((c) => ({ cluster, client } = c), { controllers: "namespace,serviceaccount,serviceaccount-token,garbagecollector" });

const KEEP = { [PRUNE_ANNOTATION]: "disabled" };
const ns = (name: string, annotations?: Record<string, string>): KubeObject => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, ...(annotations ? { annotations } : {}) } });
const pvc = (namespace: string, name: string, annotations?: Record<string, string>): KubeObject => ({
  apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name, namespace, ...(annotations ? { annotations } : {}) },
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
});
const cm = (namespace: string, name: string): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace }, data: { k: name } });
const inventoryName = "inv-prune-policy";
const opts = { wait: false, inventoryName };

test("a dropped claim marked prune: disabled is kept (the rest of its app pruned); its unmarked namespace too while it holds it; --prune-data deletes them", async () => {
  const full = [ns("photos"), ns("media", KEEP), pvc("photos", "library", KEEP), cm("photos", "settings"), pvc("media", "films", KEEP), pvc("media", "cache"), cm("media", "player")];
  const r0 = await apply(client, full, opts);
  assert.equal(r0.counts.created, 7);

  // the photos app leaves entirely (namespace included), media loses its films claim, its cache claim and its settings
  const smaller = [ns("media", KEEP), cm("media", "player")];
  const planned = await diff(client, smaller, { inventoryName });
  assert.deepEqual(planned.changes.map((c) => `${c.change} ${c.ref.kind}/${c.ref.name}`).sort(), ["prune ConfigMap/settings", "prune PersistentVolumeClaim/cache"]);

  const r = await apply(client, smaller, opts);
  const by = (action: string) => r.results.filter((x) => x.action === action).map((x) => `${x.ref.kind}/${x.ref.name}`).sort();
  assert.deepEqual(by("pruned"), ["ConfigMap/settings", "PersistentVolumeClaim/cache"]);
  assert.deepEqual(by("kept"), ["Namespace/photos", "PersistentVolumeClaim/films", "PersistentVolumeClaim/library"]);
  assert.equal(r.counts.kept, 3);
  for (const [n, name] of [["photos", "library"], ["media", "films"]]) assert.equal(cluster.kubectl(["get", "pvc", name!, "-n", n!, "-o", "jsonpath={.metadata.name}"]), name);
  assert.equal(cluster.kubectl(["get", "namespace", "photos", "-o", "jsonpath={.status.phase}"]), "Active");

  // settled: nothing written again, no diff, status lists them as kept rather than drift
  const again = await apply(client, smaller, opts);
  assert.equal(again.writes, 0);
  assert.equal(again.counts.kept, 3);
  assert.deepEqual((await diff(client, smaller, { inventoryName })).changes, []);
  const s = await clusterStatus(client, { desired: smaller, inventoryName });
  assert.deepEqual(s.drift.extra, []);
  assert.deepEqual(s.drift.kept.map((x) => x.name).sort(), ["films", "library", "photos"]);

  // on purpose: the data goes
  const purge = await apply(client, smaller, { ...opts, pruneFilters: pruneDataFilters });
  assert.deepEqual(purge.results.filter((x) => x.action === "pruned").map((x) => `${x.ref.kind}/${x.ref.name}`).sort(), ["Namespace/photos", "PersistentVolumeClaim/films", "PersistentVolumeClaim/library"]);
  assert.equal(cluster.kubectl(["get", "configmap", "player", "-n", "media", "-o", "jsonpath={.data.k}"]), "player");
  const inv = cluster.kubectl(["get", "configmap", inventoryName, "-n", "drover-system", "-o", "jsonpath={.data.objects}"]).trim().split("\n");
  assert.equal(inv.length, smaller.length, "the inventory lists only the spec now");
});
