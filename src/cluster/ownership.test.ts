// What apply may take over and what prune may delete, on a real control plane: an existing object
// Drover did not create is refused (nothing written) unless --adopt, adopted objects are released and
// never deleted, a namespace holding someone else's objects is kept, system namespaces are never
// deleted whatever the inventory says, a malformed inventory stops everything, the inventory names its
// lab and another lab is refused, and a format-1 inventory is migrated safely.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { TestCluster } from "../testing/cluster.js";
import { clusterForTests } from "../testing/cluster-per-file.js";
import { Client } from "./client.js";
import { apply } from "./apply.js";
import { diff } from "./diff.js";
import type { KubeObject } from "./objects.js";
import type { LabIdentity } from "./inventory.js";

let cluster: TestCluster;
let client: Client;
clusterForTests((c) => ({ cluster, client } = c));

const ns = (name: string, labels?: Record<string, string>): KubeObject => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, ...(labels ? { labels } : {}) } });
const cm = (namespace: string, name: string): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace }, data: { k: name } });
const exists = (args: string[]): boolean => {
  try {
    cluster.kubectl(["get", ...args, "-o", "name"]);
    return true;
  } catch {
    return false;
  }
};
const inventoryData = (name: string): Record<string, string> => JSON.parse(cluster.kubectl(["get", "configmap", name, "-n", "drover-system", "-o", "json"])).data;
const A: LabIdentity = { cluster: "attic", uid: "11111111-1111-4111-8111-111111111111" };
const B: LabIdentity = { cluster: "garage", uid: "22222222-2222-4222-8222-222222222222" };
const PSA = { "pod-security.kubernetes.io/enforce": "restricted" };

test("an existing namespace Drover did not create is refused, nothing written; with --adopt it is listed, applied and later released, never deleted", async () => {
  cluster.kubectl(["create", "namespace", "users-own"]);
  cluster.kubectl(["create", "configmap", "mine", "-n", "users-own", "--from-literal=a=b"]);
  const spec = [ns("users-own", PSA), cm("users-own", "settings"), ns("fresh"), cm("fresh", "x")];
  await assert.rejects(apply(client, spec, { wait: false, inventoryName: "inv-own", lab: A }), (e: Error) => {
    assert.match(e.message, /^1 object of the spec already exists at https:\/\/127\.0\.0\.1:\d+ and was not created by Drover: Namespace users-own \(written by kubectl-create\); nothing was written$/);
    assert.match((e as { hint?: string }).hint ?? "", /pass --adopt/);
    return true;
  });
  assert.equal(cluster.kubectl(["get", "namespace", "users-own", "-o", "jsonpath={.metadata.labels}"]).includes("pod-security"), false, "no Pod Security label stamped on the user's namespace");
  assert.ok(!exists(["namespace", "fresh"]) && !exists(["configmap", "settings", "-n", "users-own"]), "nothing else was applied either");
  assert.ok(!exists(["configmap", "inv-own", "-n", "drover-system"]), "no inventory written");
  // a dry run and a diff say the same without writing
  await assert.rejects(apply(client, spec, { dryRun: true, inventoryName: "inv-own", lab: A }), /Namespace users-own \(written by kubectl-create\)/);
  const d = await diff(client, spec.slice(0, 2), { inventoryName: "inv-own", lab: A });
  assert.deepEqual(d.changes.map((c) => `${c.change} ${c.ref.kind}/${c.ref.name}`).sort(), ["adopt Namespace/users-own", "create ConfigMap/settings"]);

  const r = await apply(client, spec, { wait: false, inventoryName: "inv-own", lab: A, adopt: true });
  assert.deepEqual(r.results.map((x) => `${x.action} ${x.ref.kind}/${x.ref.name}`).sort(), ["adopted Namespace/users-own", "created ConfigMap/settings", "created ConfigMap/x", "created Namespace/fresh"]);
  assert.equal(r.counts.adopted, 1);
  assert.match(cluster.kubectl(["get", "namespace", "users-own", "-o", "jsonpath={.metadata.labels}"]), /pod-security/, "adopted: the spec's labels applied");
  const lines = inventoryData("inv-own").objects!.trim().split("\n");
  assert.ok(lines.some((l) => /^\["v1","Namespace","","users-own","[^"]+","adopted"\]$/.test(l)), lines.join("\n"));
  assert.ok(lines.some((l) => /^\["v1","Namespace","","fresh","[^"]+","created"\]$/.test(l)), lines.join("\n"));
  // an unchanged re-apply needs no --adopt and writes nothing
  assert.equal((await apply(client, spec, { wait: false, inventoryName: "inv-own", lab: A })).writes, 0);

  // the spec drops them all: what Drover created is pruned, the adopted namespace released (still there, with the user's ConfigMap)
  const gone = await apply(client, [], { wait: false, inventoryName: "inv-own", lab: A });
  const byName = new Map(gone.results.map((x) => [`${x.ref.kind}/${x.ref.name}`, x]));
  assert.equal(byName.get("Namespace/users-own")?.action, "released");
  assert.match(byName.get("Namespace/users-own")?.reason ?? "", /adopted with --adopt, not created by Drover/);
  assert.equal(byName.get("ConfigMap/settings")?.action, "pruned");
  assert.equal(byName.get("Namespace/fresh")?.action, "pruned");
  assert.equal(cluster.kubectl(["get", "configmap", "mine", "-n", "users-own", "-o", "jsonpath={.data.a}"]), "b");
  assert.ok(!exists(["configmap", "settings", "-n", "users-own"]));
  assert.equal(inventoryData("inv-own").objects, "\n", "nothing tracked any more");
});

test("a namespace holding objects Drover did not create is not pruned (kept, with the reason) until they are gone", async () => {
  await apply(client, [ns("shared"), cm("shared", "ours")], { wait: false, inventoryName: "inv-shared", lab: A });
  cluster.kubectl(["create", "configmap", "theirs", "-n", "shared", "--from-literal=a=b"]);
  const r = await apply(client, [], { wait: false, inventoryName: "inv-shared", lab: A });
  const nsResult = r.results.find((x) => x.ref.kind === "Namespace")!;
  assert.equal(nsResult.action, "kept");
  assert.match(nsResult.reason ?? "", /it holds objects Drover did not create: ConfigMap shared\/theirs \(written by kubectl-create\); left in place/);
  assert.equal(r.results.find((x) => x.ref.name === "ours")?.action, "pruned");
  assert.equal(cluster.kubectl(["get", "configmap", "theirs", "-n", "shared", "-o", "jsonpath={.data.a}"]), "b");
  assert.match(inventoryData("inv-shared").objects!, /"Namespace","","shared"/, "still tracked: tried again next time");
  // the dry run and the diff agree that it is not to be pruned
  assert.deepEqual((await diff(client, [], { inventoryName: "inv-shared", lab: A })).changes, []);

  cluster.kubectl(["delete", "configmap", "theirs", "-n", "shared"]);
  const again = await apply(client, [], { wait: false, inventoryName: "inv-shared", lab: A });
  assert.deepEqual(again.results.map((x) => `${x.action} ${x.ref.kind}/${x.ref.name}`), ["pruned Namespace/shared"]);
});

test("system namespaces listed in a hand-edited inventory are never deleted; a malformed line stops everything with a clear error", async () => {
  await apply(client, [ns("edited"), cm("edited", "c")], { wait: false, inventoryName: "inv-edit", lab: A });
  const data = inventoryData("inv-edit");
  const extra = ["drover-system", "kube-system", "kube-public", "kube-node-lease", "default", "flux-system"].map((n) => JSON.stringify(["v1", "Namespace", "", n, "", "created"]));
  cluster.kubectl(["create", "namespace", "flux-system"]);
  const patch = (objects: string) => cluster.kubectl(["patch", "configmap", "inv-edit", "-n", "drover-system", "--type", "merge", "-p", JSON.stringify({ data: { objects } })]);
  patch(`${data.objects}${extra.join("\n")}\n`);
  const r = await apply(client, [ns("edited"), cm("edited", "c")], { wait: false, inventoryName: "inv-edit", lab: A });
  const released = r.results.filter((x) => x.action === "released").map((x) => x.ref.name).sort();
  assert.deepEqual(released, ["default", "drover-system", "flux-system", "kube-node-lease", "kube-public", "kube-system"]);
  assert.match(r.results.find((x) => x.ref.name === "drover-system")?.reason ?? "", /drover-system is a system namespace; Drover never deletes it/);
  for (const n of ["drover-system", "kube-system", "kube-public", "kube-node-lease", "default", "flux-system"]) {
    assert.equal(cluster.kubectl(["get", "namespace", n, "-o", "jsonpath={.status.phase}"]), "Active", n);
  }

  // a malformed line: a clear error naming it, and neither apply nor diff writes or prunes anything
  const good = inventoryData("inv-edit").objects!;
  for (const [bad, what] of [
    ["not json at all", /line 3 of data\.objects is not JSON: not json at all/],
    ['["v1","Namespace"]', /line 3 of data\.objects is not a list of 5 to 7 strings/],
    ['["v1","Namespace","","../etc","","created"]', /line 3 of data\.objects has name "\.\.\/etc", which is not an object name/],
    ['["v1","Namespace","","x","","owned"]', /line 3 of data\.objects has origin "owned"; it must be created, adopted or pending/],
  ] as const) {
    const lines = good.trim().split("\n");
    lines.splice(2, 0, bad);
    patch(`${lines.join("\n")}\n`);
    for (const run of [() => apply(client, [], { wait: false, inventoryName: "inv-edit", lab: A }), () => diff(client, [], { inventoryName: "inv-edit", lab: A })]) {
      await assert.rejects(run(), (e: Error) => {
        assert.equal(e.name, "InventoryError");
        assert.match(e.message, /^the inventory ConfigMap drover-system\/inv-edit is not valid: /);
        assert.match(e.message, what);
        assert.match((e as { hint?: string }).hint ?? "", /Nothing was written or pruned/);
        return true;
      });
    }
    assert.ok(exists(["configmap", "c", "-n", "edited"]), "nothing pruned");
    assert.equal(inventoryData("inv-edit").objects, `${lines.join("\n")}\n`, "the inventory is left as it is");
  }
  patch(good);
});

test("the inventory names its lab: another lab (or manifests naming none) is refused, naming both, before anything is written", async () => {
  await apply(client, [ns("lab-a"), cm("lab-a", "c")], { wait: false, inventoryName: "inv-lab", lab: A });
  assert.deepEqual([inventoryData("inv-lab")["lab-name"], inventoryData("inv-lab")["lab-uid"]], [A.cluster, A.uid]);
  const before = inventoryData("inv-lab");
  for (const run of [
    () => apply(client, [ns("lab-b")], { wait: false, inventoryName: "inv-lab", lab: B }),
    () => apply(client, [ns("lab-b")], { dryRun: true, inventoryName: "inv-lab", lab: B }),
    () => diff(client, [ns("lab-b")], { inventoryName: "inv-lab", lab: B }),
  ]) {
    await assert.rejects(run(), (e: Error) => {
      assert.equal(e.message, `the cluster at ${cluster.server} belongs to lab "attic" (lab UID ${A.uid}), not to this lab "garage" (lab UID ${B.uid}); nothing was written`);
      assert.match((e as { hint?: string }).hint ?? "", /--kubeconfig\/--context/);
      return true;
    });
  }
  await assert.rejects(apply(client, [ns("lab-b")], { wait: false, inventoryName: "inv-lab" }), /is managed by lab "attic" \(lab UID 1{8}-.*\), and manifests given with -f carry no lab identity; nothing was written/);
  assert.ok(!exists(["namespace", "lab-b"]));
  assert.ok(exists(["configmap", "c", "-n", "lab-a"]), "lab A's objects were not pruned");
  assert.deepEqual(inventoryData("inv-lab"), before);
  // the same lab under a new cluster name (same UID) is the same lab
  const renamed = await apply(client, [ns("lab-a"), cm("lab-a", "c")], { wait: false, inventoryName: "inv-lab", lab: { ...A, cluster: "attic2" } });
  assert.equal(renamed.counts.unchanged, 2);
  assert.equal(inventoryData("inv-lab")["lab-name"], "attic2");
});

test("a format-1 inventory (no origins, no lab) is read: the lab's identity is recorded, objects Drover made are pruned, one it took over is released", async () => {
  // what the old drover left: a namespace it created, a user's namespace it force-applied, an interrupted entry never created
  cluster.kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "inv-old", namespace: "drover-system" }, data: { objects: "" } }));
  await new Promise((r) => setTimeout(r, 1100)); // the objects are made a second after the inventory, as they were
  await client.apply(ns("old-ours", { "app.kubernetes.io/managed-by": "drover" })); // as rendered namespaces are (a bare one would leave no managedFields at all)
  await client.apply(cm("old-ours", "c"));
  cluster.kubectl(["create", "namespace", "old-user"]);
  await client.apply(ns("old-user", PSA)); // the old forced take-over
  const lines = [
    ["v1", "ConfigMap", "old-ours", "c", ""], ["v1", "Namespace", "", "old-ours", ""], ["v1", "Namespace", "", "old-user", ""], ["v1", "Namespace", "", "never-made", ""],
  ].map((l) => JSON.stringify(l)).join("\n");
  cluster.kubectl(["patch", "configmap", "inv-old", "-n", "drover-system", "--type", "merge", "-p", JSON.stringify({ data: { objects: `${lines}\n` } })]);

  // still in the spec: the user's namespace needs --adopt, Drover's own does not
  await assert.rejects(apply(client, [ns("old-ours"), ns("old-user")], { wait: false, inventoryName: "inv-old", lab: A }), /Namespace old-user \(written by kubectl-create\)/);
  const r = await apply(client, [], { wait: false, inventoryName: "inv-old", lab: A });
  const got = Object.fromEntries(r.results.map((x) => [`${x.ref.kind}/${x.ref.name}`, x.action]));
  assert.deepEqual(got, { "ConfigMap/c": "pruned", "Namespace/old-ours": "pruned", "Namespace/old-user": "released" }, JSON.stringify(r.results));
  assert.ok(exists(["namespace", "old-user"]), "the user's namespace is left");
  const after = inventoryData("inv-old");
  assert.deepEqual([after["lab-name"], after["lab-uid"], after.format, after.objects], [A.cluster, A.uid, "2", "\n"]);
});
