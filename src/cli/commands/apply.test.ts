// drover apply/diff/status as a user runs them, against a real control plane with kwok nodes: a lab
// rendered in memory (apps become ready on the kwok nodes), status with node topology from Drover's
// labels, an app removed from lab.yaml pruned; manifests from files with a Secret encrypted by the
// real sops; an apply killed (SIGKILL) or interrupted (SIGINT) half-way, then run again: converges,
// nothing orphaned.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TestCluster } from "../../testing/cluster.js";
import { clusterForTests } from "../../testing/cluster-per-file.js";
import { ageKeygen, sops, tempDir, type TestKey } from "../../testing/age-key.js";
import { ROOT } from "../../testing/paths.js";
import { loadLab } from "../../lab/file.js";
import { startDashboard } from "../../ui/serve.js";

let cluster: TestCluster;
let key: TestKey;
let home: string;
/** the lab the first test applies; the -f tests name it, since the cluster's inventory is then that lab's */
let labDir: string;
before(() => {
  key = ageKeygen();
  home = tempDir();
  labDir = tempDir();
});
clusterForTests((c) => (cluster = c.cluster));

const BIN = join(ROOT, "bin", "drover.js");
function env(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: home, SOPS_AGE_KEY_FILE: key.file, NO_COLOR: "1" };
}
function drover(args: string[], cwd?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: env(), cwd: cwd ?? ROOT, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const LAB = (apps: string) => `apiVersion: drover.dev/v1alpha1
kind: Lab
cluster:
  name: tiny
  distribution: k3s
  endpoint: { address: 10.20.0.5 }
  domains: { public: tiny.example.net, private: tiny.internal }
sites:
  - { name: attic, lan: 10.20.0.0/24, gateway: 10.20.0.1 }
hosts:
  - { name: nuc1, site: attic, arch: amd64, cpu: 8, memory: 32Gi, disks: [{ device: /dev/nvme0n1, size: 512Gi, use: system }] }
  - { name: nuc2, site: attic, arch: amd64, cpu: 8, memory: 32Gi, disks: [{ device: /dev/nvme0n1, size: 512Gi, use: system }] }
  - { name: pi1, site: attic, arch: arm64, cpu: 4, memory: 8Gi, disks: [{ device: /dev/mmcblk0, size: 64Gi, use: system }] }
nodes:
  - { name: cp1, host: nuc1, role: controlplane, address: 10.20.0.11 }
  - { name: w1, host: nuc2, address: 10.20.0.12 }
  - { name: w2, host: pi1, address: 10.20.0.13 }
secrets:
  recipients: [RECIPIENT]
apps:
${apps}`;

test("drover apply of a lab: apps ready on kwok nodes, status shows topology and no drift, a removed app is pruned", async () => {
  const dir = labDir;
  const write = (apps: string) => writeFileSync(join(dir, "lab.yaml"), LAB(apps).replace("RECIPIENT", key.recipient));
  write("  - { name: homepage, replicas: 2, exposure: private }\n  - { name: redis }\n");
  const loaded = loadLab(join(dir, "lab.yaml"));
  // a volume for the identity provider's claim (the test cluster has no storage provisioner)
  cluster.kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "PersistentVolume", metadata: { name: "pv-1" }, spec: { capacity: { storage: "10Gi" }, accessModes: ["ReadWriteOnce", "ReadWriteMany"], storageClassName: "", hostPath: { path: "/tmp/pv-1" } } }));
  // register the lab's nodes as kwok nodes carrying the labels the node configs give them
  for (const n of loaded.lab.nodes) {
    cluster.addNode({ name: n.name, cpu: "8", memory: "16Gi", labels: { ...n.labels, "kubernetes.io/arch": n.arch, ...(n.role === "controlplane" ? { "node-role.kubernetes.io/control-plane": "" } : {}) } });
  }
  cluster.kubectl(["cordon", "w2"]);
  const kc = ["--kubeconfig", cluster.kubeconfig];

  const first = drover(["apply", dir, ...kc, "--timeout", "2m"]);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.doesNotMatch(first.stderr, /\r|\x1b\[K|applying /, "no progress when stderr is a pipe");
  assert.match(first.stdout, /✓ applied \d+ objects to https:\/\/127\.0\.0\.1:\d+: \d+ created, 0 configured, 0 unchanged, 0 pruned, \d+ skipped/);
  // Flux is vendored in the tree: its CRDs go first, so the HelmReleases and Flux's own objects are applied;
  // the charts' own kinds (cert-manager's issuers, …) wait for their CRDs: skipped, with what to do
  assert.match(first.stdout, /skipped \d+ objects whose kinds the cluster does not serve yet: /);
  assert.doesNotMatch(first.stdout, /skipped .*HelmRelease/);
  assert.match(first.stdout, /CustomResourceDefinition helmreleases\.helm\.toolkit\.fluxcd\.io {2}created/);
  assert.match(first.stdout, /Deployment dashboard\/homepage {2}created/);

  const again = drover(["apply", dir, ...kc, "--json"]);
  assert.equal(again.code, 0, again.stderr);
  const j = JSON.parse(again.stdout);
  assert.equal(j.writes, 0, JSON.stringify(j.results.filter((x: { action: string }) => x.action !== "unchanged" && x.action !== "skipped")));
  assert.equal(j.counts.created + j.counts.configured, 0);

  const st = drover(["status", dir, ...kc, "--json"]);
  assert.equal(st.code, 0, st.stderr);
  const s = JSON.parse(st.stdout);
  const node = (n: string) => s.nodes.find((x: { name: string }) => x.name === n);
  assert.deepEqual({ ...node("cp1"), name: undefined }, { name: undefined, state: "Ready", cordoned: false, role: "controlplane", arch: "amd64", host: "nuc1", site: "attic", unknown: false });
  assert.equal(node("w2").cordoned, true);
  assert.equal(node("w2").arch, "arm64");
  const homepage = s.apps.find((a: { name: string }) => a.name === "homepage");
  assert.deepEqual([homepage.desired, homepage.ready, homepage.state], [2, 2, "ready"]);
  assert.deepEqual(homepage.urls, ["https://homepage.tiny.internal"]);
  assert.deepEqual([s.drift.missing.length, s.drift.changed.length, s.drift.extra.length], [0, 0, 0]);
  const text = drover(["status", dir, ...kc]);
  assert.match(text.stdout, /nodes \(3\/3 ready\)/);
  assert.match(text.stdout, /w2 +Ready,cordoned +worker +arm64 +pi1 +attic/);
  assert.match(text.stdout, /drift none/);

  // someone scales an app by hand: status shows drift, diff shows it
  cluster.kubectl(["scale", "deployment", "homepage", "-n", "dashboard", "--replicas", "5"]);
  const drifted = JSON.parse(drover(["status", dir, ...kc, "--json"]).stdout);
  assert.deepEqual(drifted.drift.changed.map((r: { name: string }) => r.name), ["homepage"]);

  // the dashboard started with --kubeconfig: live node states and the plan page's diff
  process.env.SOPS_AGE_KEY_FILE = key.file;
  process.env.HOME = home;
  const d0 = await startDashboard({ labPath: join(dir, "lab.yaml"), host: "127.0.0.1", port: 0, assets: join(ROOT, "dist", "ui", "public"), kubeconfig: cluster.kubeconfig });
  try {
    const h = { Authorization: `Bearer ${d0.token}` };
    const plan = await (await fetch(`http://127.0.0.1:${d0.port}/api/plan`, { headers: h })).json() as { online: boolean; changes: { action: string; kind: string; name: string; diff?: string }[] };
    assert.equal(plan.online, true, JSON.stringify(plan));
    assert.deepEqual(plan.changes.map((c) => `${c.action} ${c.kind}/${c.name}`), ["update Deployment/homepage"]);
    assert.match(plan.changes[0]!.diff ?? "", /^\+  replicas: 2$/m);
    const topo = await (await fetch(`http://127.0.0.1:${d0.port}/api/topology`, { headers: h })).json() as { online: boolean };
    assert.equal(topo.online, true);
  } finally {
    await d0.close();
  }

  // redis leaves the spec
  write("  - { name: homepage, replicas: 2, exposure: private }\n");
  const d = drover(["diff", dir, ...kc]);
  assert.equal(d.code, 1, d.stderr);
  assert.match(d.stdout, /^--- live\/Deployment databases\/redis$/m);
  assert.match(d.stdout, /^\+\+\+ \/dev\/null$/m);
  assert.match(d.stdout, /^-  replicas: 5$/m);
  assert.match(d.stdout, /^\+  replicas: 2$/m);
  const pruned = drover(["apply", dir, ...kc]);
  assert.equal(pruned.code, 0, pruned.stdout + pruned.stderr);
  assert.match(pruned.stdout, /Deployment databases\/redis {2}pruned/);
  assert.match(pruned.stdout, /Deployment dashboard\/homepage {2}configured/);
  await cluster.waitFor("redis gone", () => !cluster.kubectl(["get", "deployments", "-A", "-o", "name"]).includes("redis"));
  const after = JSON.parse(drover(["status", dir, ...kc, "--json"]).stdout);
  assert.deepEqual([after.drift.missing.length, after.drift.changed.length, after.drift.extra.length], [0, 0, 0]);
  assert.equal(drover(["diff", dir, ...kc]).code, 0);
});

test("another lab's cluster (the wrong kube context) is refused by apply and diff, naming both labs; exit 1, nothing written", async () => {
  const other = tempDir();
  writeFileSync(join(other, "lab.yaml"), LAB("  - { name: redis }\n").replace("RECIPIENT", key.recipient).replace("name: tiny", "name: other"));
  const before = cluster.kubectl(["get", "configmap", "drover-inventory", "-n", "drover-system", "-o", "json"]);
  const tinyUid = JSON.parse(before).data["lab-uid"] as string;
  assert.match(tinyUid, /^[0-9a-f-]{36}$/);
  for (const cmd of ["apply", "diff"]) {
    const r = drover([cmd, other, "--kubeconfig", cluster.kubeconfig]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`^error: the cluster at https://127\\.0\\.0\\.1:\\d+ belongs to lab "tiny" \\(lab UID ${tinyUid}\\), not to this lab "other" \\(lab UID [0-9a-f-]{36}\\); nothing was written\n {2}hint: check --kubeconfig/--context`));
  }
  // manifests with -f that name no lab are refused too
  const m = join(tempDir(), "m");
  manifests(m, "unnamed", 1);
  const anon = drover(["apply", "-f", m, "--kubeconfig", cluster.kubeconfig]);
  assert.equal(anon.code, 1);
  assert.match(anon.stderr, /is managed by lab "tiny" .*manifests given with -f carry no lab identity; nothing was written\n {2}hint: name the lab the manifests belong to/);
  assert.equal(cluster.kubectl(["get", "configmap", "drover-inventory", "-n", "drover-system", "-o", "json"]), before);
  assert.throws(() => cluster.kubectl(["get", "namespace", "unnamed"]), /NotFound/);
});

test("an existing namespace is adopted only with --adopt, and the adoption is listed (text and --json)", async () => {
  cluster.kubectl(["create", "namespace", "users-ns"]);
  const m = join(tempDir(), "m");
  manifests(m, "users-ns", 2);
  const kc = ["--kubeconfig", cluster.kubeconfig, "--no-prune", "--no-wait"];
  const refused = drover(["apply", labDir, "-f", m, ...kc]);
  assert.equal(refused.code, 1, refused.stdout + refused.stderr);
  assert.match(refused.stderr, /^error: 1 object of the spec already exists at \S+ and was not created by Drover: Namespace users-ns \(written by kubectl-create\); nothing was written\n {2}hint: .*pass --adopt/);
  assert.throws(() => cluster.kubectl(["get", "configmap", "c0", "-n", "users-ns"]), /NotFound/);
  const dry = drover(["apply", labDir, "-f", m, ...kc, "--adopt", "--dry-run"]);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /1 to adopt/);
  assert.match(dry.stdout, /Namespace users-ns {2}would adopt \(exists, not created by Drover\)/);
  const adopted = drover(["apply", labDir, "-f", m, ...kc, "--adopt", "--json"]);
  assert.equal(adopted.code, 0, adopted.stderr);
  const j = JSON.parse(adopted.stdout);
  assert.deepEqual(j.adopted.map((x: { kind: string; name: string }) => `${x.kind}/${x.name}`), ["Namespace/users-ns"]);
  assert.equal(j.counts.adopted, 1);
  assert.equal(j.counts.created, 3);
});

/** A folder of manifests: a namespace, n ConfigMaps (50 a file) and a Secret encrypted by the real sops. */
function manifests(dir: string, namespace: string, n: number): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "namespace.yaml"), `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${namespace}\n`);
  writeFileSync(join(dir, "kustomization.yaml"), "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n");
  for (let f = 0; f * 50 < n; f++) {
    const docs = [];
    for (let i = f * 50; i < Math.min(n, (f + 1) * 50); i++) docs.push(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${i}\n  namespace: ${namespace}\ndata:\n  i: "${i}"\n`);
    writeFileSync(join(dir, `cm-${f}.yaml`), docs.join("---\n"));
  }
  const plain = join(dir, "creds.sops.yaml");
  writeFileSync(plain, `apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n  namespace: ${namespace}\nstringData:\n  token: very-secret\n`);
  const enc = sops(["--encrypt", "--age", key.recipient, "--encrypted-regex", "^(data|stringData)$", "--in-place", plain], key.file);
  assert.equal(enc.status, 0, enc.stderr);
  assert.doesNotMatch(readFileSync(plain, "utf8"), /very-secret/);
}

function configMaps(namespace: string): string[] {
  return cluster.kubectl(["get", "configmaps", "-n", namespace, "-o", "jsonpath={range .items[*]}{.metadata.name}{\"\\n\"}{end}"]).split("\n").filter((x) => x && x !== "kube-root-ca.crt").sort();
}

async function interruptedThenRerun(signal: NodeJS.Signals, namespace: string): Promise<void> {
  const dir = join(tempDir(), "m");
  manifests(dir, namespace, 600);
  const kc = ["--kubeconfig", cluster.kubeconfig];
  const child = spawn(process.execPath, [BIN, "apply", labDir, "-f", dir, ...kc, "--no-wait", "--concurrency", "2"], { env: env(), stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on("exit", (code, sig) => r(code ?? (sig ? -1 : null))));
  await cluster.waitFor("the apply to be half-way", () => configMaps(namespace).length >= 60, 120_000);
  child.kill(signal);
  const code = await exited;
  const made = configMaps(namespace).length;
  assert.ok(made < 600, `the apply finished before it was interrupted (${made})`);
  if (signal === "SIGINT") {
    assert.equal(code, 130, out);
    assert.match(out, /interrupted: what was applied is recorded/);
    assert.throws(() => cluster.kubectl(["get", "lease", "drover-apply", "-n", "drover-system"]), /NotFound/, "the lock is released");
  }
  // the inventory was written before anything was applied: it tracks all 600, created or not
  const inv = cluster.kubectl(["get", "configmap", "drover-inventory", "-n", "drover-system", "-o", "jsonpath={.data.objects}"]);
  assert.ok(inv.includes(`"${namespace}","c599"`), "inventory lists objects not applied yet");

  // the spec shrinks meanwhile: half the ConfigMaps (some of which the first run created) are dropped
  manifests(dir, namespace, 300);
  const rerun = drover(["apply", labDir, "-f", dir, ...kc, "--no-wait"]);
  assert.equal(rerun.code, 0, rerun.stdout + rerun.stderr);
  assert.deepEqual(configMaps(namespace), Array.from({ length: 300 }, (_, i) => `c${i}`).sort(), "exactly the spec: nothing orphaned");
  assert.equal(Buffer.from(cluster.kubectl(["get", "secret", "creds", "-n", namespace, "-o", "jsonpath={.data.token}"]), "base64").toString(), "very-secret");
  const again = drover(["apply", labDir, "-f", dir, ...kc, "--no-wait", "--json"]);
  assert.equal(JSON.parse(again.stdout).writes, 0);
}

test("an apply killed half-way (SIGKILL), then run again with a smaller spec: converges, nothing orphaned", async () => {
  await interruptedThenRerun("SIGKILL", "bulk-kill");
});

test("an apply interrupted with Ctrl-C stops cleanly (exit 130, lock released), and the next run converges", async () => {
  await interruptedThenRerun("SIGINT", "bulk-int");
});

test("a dead API server or a missing kubeconfig: one clear line, exit 1", async () => {
  const dir = join(tempDir(), "m");
  manifests(dir, "x", 1);
  const bad = join(tempDir(), "kubeconfig");
  writeFileSync(bad, readFileSync(cluster.kubeconfig, "utf8").replace(/server: .*/, "server: https://127.0.0.1:9"));
  const r = drover(["apply", "-f", dir, "--kubeconfig", bad]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: cannot reach the Kubernetes API at https:\/\/127\.0\.0\.1:9 .*connection refused\n {2}hint: check that the cluster is up and that the server address in kubeconfig .*, context test is right\n$/);
  const missing = drover(["status", "--kubeconfig", join(dir, "nope")]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /error: kubeconfig .*nope does not exist/);
});
