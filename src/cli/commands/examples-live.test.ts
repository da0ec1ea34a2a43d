// Every bundled example, as a new user runs it against a real control plane (etcd, kube-apiserver,
// controllers; the platform's upstream CRDs installed, so Flux, cert-manager, Gateway API … objects
// are applied for real; kinds with no CRD here, such as VolSync's, are skipped as on a fresh cluster):
// drover apply (for real), a re-apply that writes nothing, an empty drover diff, the dashboard's plan
// view empty too; then every app of a namespace the platform shares is removed from lab.yaml and
// applied: the apps go, their data (claims) and the namespace stay, every platform object in it
// stays; drover status reads it back. One control plane for all examples, cleaned between them.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TestCluster } from "../../testing/cluster.js";
import { startClusterWithCrds } from "../../testing/crd-cluster.js";
import { clusterForTests } from "../../testing/cluster-per-file.js";
import { ageKeygen, tempDir, type TestKey } from "../../testing/age-key.js";
import { EXAMPLES, ROOT } from "../../testing/paths.js";
import { loadLab } from "../../lab/file.js";
import { removeItem } from "../../spec/edit.js";
import { startDashboard } from "../../ui/serve.js";
import { NAMESPACES } from "../../render/platform/contract.js";

let cluster: TestCluster;
let key: TestKey;
let home: string;
before(() => {
  key = ageKeygen();
  home = tempDir();
});
// no scheduler work: nothing is waited for (the claims would never bind here), objects are what is checked
clusterForTests((c) => (cluster = c.cluster), { start: startClusterWithCrds, controllers: "namespace,serviceaccount,serviceaccount-token,garbagecollector" });

const BIN = join(ROOT, "bin", "drover.js");
const env = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: home, SOPS_AGE_KEY_FILE: key.file, NO_COLOR: "1" });
function drover(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: env(), cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
const json = (r: { code: number; stdout: string; stderr: string }): any => {
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
};

/** The example copied to a folder of its own, its secrets encrypted to the test's key. */
function copyExample(name: string): string {
  const dir = join(tempDir(), name);
  mkdirSync(dir, { recursive: true });
  const text = readFileSync(join(EXAMPLES, name, "lab.yaml"), "utf8").replace(/^(secrets:\n  recipients:\n)(    - age1\S+\n)+/m, `$1    - ${key.recipient}\n`);
  writeFileSync(join(dir, "lab.yaml"), text);
  if (existsSync(join(EXAMPLES, name, "functions"))) cpSync(join(EXAMPLES, name, "functions"), join(dir, "functions"), { recursive: true });
  return dir;
}

const SYSTEM = new Set(["default", "kube-system", "kube-public", "kube-node-lease"]);

/** Everything the example left: its cluster-scoped objects (from the inventory), then every namespace it made. */
async function clean(): Promise<void> {
  let inv = "";
  try {
    inv = cluster.kubectl(["get", "configmap", "drover-inventory", "-n", "drover-system", "-o", "jsonpath={.data.objects}"]);
  } catch { /* nothing applied */ }
  const clusterScoped: string[][] = [];
  for (const line of inv.split("\n").filter((l) => l.trim())) {
    const [apiVersion, kind, namespace, name] = JSON.parse(line) as string[];
    if (namespace || kind === "Namespace" || kind === "CustomResourceDefinition") continue; // the cluster's CRDs stay
    const type = apiVersion!.includes("/") ? `${kind}.${apiVersion!.split("/")[1]}.${apiVersion!.split("/")[0]}` : kind!;
    clusterScoped.push([type, name!]);
  }
  for (const [type, name] of clusterScoped) {
    // volumes keep their pv-protection finalizer (no controller here to lift it)
    if (type === "PersistentVolume" && cluster.kubectl(["get", "pv", "--ignore-not-found", "-o", "name", name!]).trim()) cluster.kubectl(["patch", "pv", name!, "--type", "merge", "-p", '{"metadata":{"finalizers":null}}']);
    cluster.kubectl(["delete", "--ignore-not-found", "--wait=false", type!, name!]);
  }
  await cluster.waitFor("the example's cluster-scoped objects to be gone", () => clusterScoped.every(([type, name]) => cluster.kubectl(["get", "--ignore-not-found", "-o", "name", type!, name!]).trim() === ""), 60_000);
  // claims keep their pvc-protection finalizer (no controller here to lift it): drop it, or their namespace never goes
  for (const c of JSON.parse(cluster.kubectl(["get", "pvc", "-A", "-o", "json"])).items as { metadata: { name: string; namespace: string; finalizers?: string[] } }[]) {
    if (c.metadata.finalizers?.length) cluster.kubectl(["patch", "pvc", c.metadata.name, "-n", c.metadata.namespace, "--type", "merge", "-p", '{"metadata":{"finalizers":null}}']);
  }
  const namespaces = cluster.kubectl(["get", "namespaces", "-o", "jsonpath={.items[*].metadata.name}"]).split(" ").filter((n) => n && !SYSTEM.has(n));
  if (namespaces.length) cluster.kubectl(["delete", "namespace", "--wait=false", ...namespaces]);
  await cluster.waitFor("the example's namespaces to be gone", () => cluster.kubectl(["get", "namespaces", "-o", "jsonpath={.items[*].metadata.name}"]).split(" ").every((n) => !n || SYSTEM.has(n)), 180_000);
}

type Result = { apiVersion: string; kind: string; namespace?: string; name: string; action: string; reason?: string };

for (const name of ["starter", "talos-mixed", "pi-cluster", "proxmox-k3s", "multi-site"]) {
  test(`examples/${name}: drover apply for real, re-apply writes nothing, empty diff and plan; removing the apps of a shared namespace keeps it, the platform and the apps' data`, { timeout: 900_000 }, async () => {
    const dir = copyExample(name);
    const labFile = join(dir, "lab.yaml");
    const kc = ["--kubeconfig", cluster.kubeconfig];
    try {
      // the lab's tree carries Flux's CRDs, which this cluster already has (installed with the platform's): adopted
      const first = drover(["apply", dir, ...kc, "--no-wait", "--adopt", "--json"]);
      const r1 = json(first);
      assert.equal(first.code, 0, `${first.stdout.slice(0, 3000)}\n${first.stderr}`);
      assert.equal(r1.counts.failed, 0);
      assert.ok(r1.counts.created > 50, `only ${r1.counts.created} objects created`);
      // with the platform's CRDs installed, the Flux, cert-manager and Prometheus objects are applied for real
      const created = (kind: string) => r1.results.filter((x: Result) => x.kind === kind && x.action === "created").length;
      assert.ok(created("HelmRelease") > 3 && created("Kustomization") > 3, "Flux objects applied");
      const skippedKinds = [...new Set(r1.results.filter((x: Result) => x.action === "skipped").map((x: Result) => x.kind))];
      // every kind has its CRD here, VolSync's included: nothing is skipped
      assert.deepEqual(skippedKinds, [], `skipped kinds: ${skippedKinds.join(", ")}`);

      const again = json(drover(["apply", dir, ...kc, "--no-wait", "--json"]));
      assert.equal(again.writes, 0, JSON.stringify(again.results.filter((x: Result) => !/^(unchanged|skipped)$/.test(x.action))));

      const d = drover(["diff", dir, ...kc]);
      assert.equal(d.code, 0, d.stdout + d.stderr);
      assert.match(d.stdout, /matches the spec/);

      // the dashboard's plan view (drover ui --kubeconfig): nothing to do
      process.env.SOPS_AGE_KEY_FILE = key.file;
      process.env.HOME = home;
      const ui = await startDashboard({ labPath: labFile, host: "127.0.0.1", port: 0, assets: join(ROOT, "dist", "ui", "public"), kubeconfig: cluster.kubeconfig });
      try {
        const plan = await (await fetch(`http://127.0.0.1:${ui.port}/api/plan`, { headers: { Authorization: `Bearer ${ui.token}` } })).json() as { online: boolean; changes: unknown[] };
        assert.equal(plan.online, true, JSON.stringify(plan));
        assert.deepEqual(plan.changes, []);
      } finally {
        await ui.close();
      }

      // every app of a namespace the platform also uses leaves lab.yaml (the last app of that namespace goes)
      const lab = loadLab(labFile).lab;
      const platformNs = new Set<string>(Object.values(NAMESPACES));
      const shared = [...new Set(lab.apps.map((a) => a.namespace).filter((n) => platformNs.has(n)))].sort()[0];
      assert.ok(shared, `examples/${name} has no app in a platform namespace`);
      const leaving = lab.apps.filter((a) => a.namespace === shared);
      const ofLeaving = (o: any) => leaving.some((a) => o.metadata.labels?.["app.kubernetes.io/instance"] === a.name || o.metadata.labels?.["app.kubernetes.io/part-of"] === a.name);
      const KINDS = "helmreleases.helm.toolkit.fluxcd.io,secrets,configmaps,services,deployments,statefulsets,persistentvolumeclaims";
      const live = () => JSON.parse(cluster.kubectl(["get", KINDS, "-n", shared, "-o", "json"])).items as any[];
      const before = live();
      const platformObjects = before.filter((o) => o.metadata.labels?.["app.kubernetes.io/managed-by"] === "drover" && !ofLeaving(o)).map((o) => `${o.kind}/${o.metadata.name}`).sort();
      assert.ok(platformObjects.length > 0, `the platform has nothing in ${shared}`);
      const claims = before.filter((o) => o.kind === "PersistentVolumeClaim" && ofLeaving(o)).map((o) => o.metadata.name as string).sort();
      let text = readFileSync(labFile, "utf8");
      for (const a of leaving) text = removeItem(text, "apps", a.name);
      writeFileSync(labFile, text);

      const removed = drover(["apply", dir, ...kc, "--no-wait", "--json"]);
      const r2 = json(removed);
      assert.equal(removed.code, 0, removed.stderr + JSON.stringify(r2.results.filter((x: Result) => x.action === "failed")));
      const pruned = r2.results.filter((x: Result) => x.action === "pruned");
      for (const a of leaving) assert.ok(pruned.some((x: Result) => x.namespace === shared && x.name.startsWith(a.name) && /^(Deployment|StatefulSet)$/.test(x.kind)), `${a.name}'s workload pruned: ${JSON.stringify(pruned)}`);
      assert.ok(!pruned.some((x: Result) => x.kind === "Namespace" || x.kind === "PersistentVolumeClaim"), JSON.stringify(pruned));
      const kept = r2.results.filter((x: Result) => x.action === "kept").map((x: Result) => x.name).sort();
      assert.deepEqual(kept, claims, "the apps' claims are kept");
      // the namespace, the platform's objects in it and the apps' claims are all still there
      assert.equal(cluster.kubectl(["get", "namespace", shared, "-o", "jsonpath={.status.phase}"]), "Active");
      const after = live();
      const still = new Set(after.map((o) => `${o.kind}/${o.metadata.name}`));
      assert.deepEqual(platformObjects.filter((o) => !still.has(o)), [], "platform objects lost");
      assert.deepEqual(claims.filter((c) => !still.has(`PersistentVolumeClaim/${c}`)), [], "claims lost");
      assert.deepEqual(after.filter((o) => /^(Deployment|StatefulSet)$/.test(o.kind) && ofLeaving(o)).map((o) => o.metadata.name), [], "the removed apps' workloads are gone");

      const settled = json(drover(["apply", dir, ...kc, "--no-wait", "--json"]));
      assert.equal(settled.writes, 0, JSON.stringify(settled.results.filter((x: Result) => !/^(unchanged|skipped|kept)$/.test(x.action))));
      const d2 = drover(["diff", dir, ...kc]);
      assert.equal(d2.code, 0, d2.stdout + d2.stderr);

      const st = drover(["status", dir, ...kc, "--json"]);
      assert.equal(st.code, 0, st.stderr);
      const s = JSON.parse(st.stdout);
      assert.deepEqual([s.drift.missing.length, s.drift.changed.length, s.drift.extra.length], [0, 0, 0], JSON.stringify(s.drift));
      assert.deepEqual(s.drift.kept.map((r: { name: string }) => r.name).sort(), claims);
      assert.deepEqual(s.apps.map((a: { name: string }) => a.name).sort(), lab.apps.filter((a) => a.namespace !== shared).map((a) => a.name).sort());

      // deleting the data is explicit
      if (claims.length) {
        const purge = json(drover(["apply", dir, ...kc, "--no-wait", "--prune-data", "--json"]));
        assert.deepEqual(purge.results.filter((x: Result) => x.action === "pruned").map((x: Result) => x.name).sort(), claims);
        // deleted (with no pvc-protection controller here, a claim keeps its finalizer: deletionTimestamp set)
        const left = live().filter((o) => o.kind === "PersistentVolumeClaim" && claims.includes(o.metadata.name) && !o.metadata.deletionTimestamp);
        assert.deepEqual(left.map((o) => o.metadata.name), []);
        assert.equal(cluster.kubectl(["get", "namespace", shared, "-o", "jsonpath={.status.phase}"]), "Active", "the namespace the platform uses stays");
      }
    } finally {
      await clean();
    }
  });
}
