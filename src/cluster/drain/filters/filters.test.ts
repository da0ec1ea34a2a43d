// kubectl's filter table, pod by pod (pure; the real-cluster behaviour is in drain.test.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Pod } from "../types.js";
import { DAEMONSET_FATAL, LOCAL_STORAGE_FATAL, UNMANAGED_FATAL, filterPods, makeFilters, podsToDelete, refusals, warnings } from "./index.js";

const pod = (name: string, o: { owner?: string; emptyDir?: boolean; mirror?: boolean; phase?: string; deleted?: string } = {}): Pod => ({
  metadata: {
    name, namespace: "ns", uid: `uid-${name}`,
    ...(o.mirror ? { annotations: { "kubernetes.io/config.mirror": "x" } } : {}),
    ...(o.owner ? { ownerReferences: [{ apiVersion: o.owner === "DaemonSet" ? "apps/v1" : "apps/v1", kind: o.owner, name: `${name}-owner`, controller: true }] } : {}),
    ...(o.deleted ? { deletionTimestamp: o.deleted } : {}),
  },
  spec: { volumes: o.emptyDir ? [{ name: "scratch", emptyDir: {} }] : [] },
  status: { phase: o.phase ?? "Running" },
});

const pods = [
  pod("rs", { owner: "ReplicaSet" }),
  pod("ds", { owner: "DaemonSet" }),
  pod("bare"),
  pod("scratch", { owner: "ReplicaSet", emptyDir: true }),
  pod("mirror", { mirror: true }),
  pod("done", { phase: "Succeeded" }),
  pod("done-scratch", { phase: "Failed", emptyDir: true }),
  pod("old", { owner: "ReplicaSet", deleted: "2026-01-01T00:00:00Z" }),
];
const exists = async () => "found" as const;
const now = Date.parse("2026-01-01T00:10:00Z");

test("no flags: DaemonSet, unmanaged and emptyDir pods refuse the drain, with kubectl's messages", async () => {
  const list = await filterPods(pods, makeFilters({}, exists, now));
  assert.deepEqual(refusals(list).map((r) => r.message).sort(), [
    `cannot delete ${DAEMONSET_FATAL}: ns/ds`,
    `cannot delete ${LOCAL_STORAGE_FATAL}: ns/scratch`,
    `cannot delete ${UNMANAGED_FATAL}: ns/bare`,
  ].sort());
  // mirror pods are skipped silently; finished pods go whatever they are
  assert.deepEqual(podsToDelete(list).map((p) => p.metadata.name), ["rs", "done", "done-scratch", "old"]);
});

test("all flags: DaemonSet pods stay with a warning, the others go", async () => {
  const list = await filterPods(pods, makeFilters({ force: true, ignoreDaemonSets: true, deleteEmptyDirData: true }, exists, now));
  assert.deepEqual(refusals(list), []);
  assert.deepEqual(podsToDelete(list).map((p) => p.metadata.name), ["rs", "bare", "scratch", "done", "done-scratch", "old"]);
  // as in kubectl, a later filter's "okay" replaces an earlier warning: the emptyDir warning is dropped
  assert.equal(warnings(list).split("; ").sort().join("; "), "deleting Pods that declare no controller: ns/bare; ignoring DaemonSet-managed Pods: ns/ds");
});

test("skip-wait-for-delete-timeout skips pods deleted long ago", async () => {
  const list = await filterPods(pods, makeFilters({ force: true, ignoreDaemonSets: true, deleteEmptyDirData: true, skipWaitForDeleteTimeoutSeconds: 60 }, exists, now));
  assert.ok(!podsToDelete(list).some((p) => p.metadata.name === "old"));
});

test("an orphaned DaemonSet pod goes only with --force", async () => {
  const gone = async () => "not-found" as const;
  const noForce = await filterPods([pod("ds", { owner: "DaemonSet" })], makeFilters({ ignoreDaemonSets: true }, gone, now));
  assert.deepEqual(refusals(noForce).map((r) => r.message), ['cannot delete daemonsets.apps "ds-owner" not found: ns/ds']);
  const force = await filterPods([pod("ds", { owner: "DaemonSet" })], makeFilters({ force: true }, gone, now));
  assert.equal(podsToDelete(force).length, 1);
});
