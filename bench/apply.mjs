#!/usr/bin/env node
// drover apply against `kubectl apply --server-side` (the real kubectl built from the pinned
// Kubernetes sources), both applying 2,000 objects from the same kind of files to the same real
// control plane (etcd + kube-apiserver + controllers + scheduler, kwok nodes) in one run: a first
// apply into an empty cluster, then a re-apply of the unchanged files. Both run as processes (so
// start-up counts for both), drover with --no-wait (kubectl apply does not wait either).
// env: OBJECTS (default 2000), RUNS (default 1)
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { startCluster } from "../dist/testing/cluster.js";
import { tool } from "../dist/testing/paths.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OBJECTS = Number(process.env.OBJECTS ?? 2000);
const PER_NS = 100;

/** n objects in namespaces of 100: 1 Namespace, 40 ConfigMaps, 20 Secrets, 15 Services, 10 Deployments, 10 ServiceAccounts, 4 Roles. */
function writeManifests(dir, prefix) {
  mkdirSync(dir, { recursive: true });
  const namespaces = [];
  const rest = [];
  for (let n = 0; n * PER_NS < OBJECTS; n++) {
    const ns = `${prefix}-${String(n).padStart(3, "0")}`;
    namespaces.push(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n  labels:\n    bench: apply\n`);
    const docs = [];
    for (let i = 0; i < 40; i++) docs.push(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-${i}\n  namespace: ${ns}\ndata:\n  index: "${i}"\n  settings.yaml: |\n    level: info\n    replicas: 2\n    name: app-${i}\n`);
    for (let i = 0; i < 20; i++) docs.push(`apiVersion: v1\nkind: Secret\nmetadata:\n  name: secret-${i}\n  namespace: ${ns}\ntype: Opaque\nstringData:\n  password: pw-${n}-${i}\n`);
    for (let i = 0; i < 15; i++) docs.push(`apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-${i}\n  namespace: ${ns}\nspec:\n  selector:\n    app: app-${i}\n  ports:\n  - name: http\n    port: 80\n    targetPort: 8080\n`);
    for (let i = 0; i < 10; i++) docs.push(`apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${i}\n  namespace: ${ns}\n  labels:\n    app: app-${i}\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: app-${i}\n  template:\n    metadata:\n      labels:\n        app: app-${i}\n    spec:\n      containers:\n      - name: app\n        image: registry.example/app:${i}\n        ports:\n        - containerPort: 8080\n        resources:\n          requests:\n            cpu: 10m\n            memory: 16Mi\n`);
    for (let i = 0; i < 10; i++) docs.push(`apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa-${i}\n  namespace: ${ns}\n`);
    for (let i = 0; i < 4; i++) docs.push(`apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: role-${i}\n  namespace: ${ns}\nrules:\n- apiGroups: [""]\n  resources: [configmaps]\n  verbs: [get, list]\n`);
    rest.push([`${ns}.yaml`, docs.join("---\n")]);
  }
  // kubectl applies files in name order: namespaces first
  writeFileSync(join(dir, "00-namespaces.yaml"), namespaces.join("---\n"));
  for (const [f, t] of rest) writeFileSync(join(dir, f), t);
  return namespaces.length + rest.length * (PER_NS - 1);
}

function timed(label, cmd, args) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, env: { ...process.env, NO_COLOR: "1" } });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${label} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return { s, out: r.stdout };
}

/** objects per tool, from the cluster: namespace prefix k- (kubectl) or d- (drover) */
function counts(c) {
  const out = { k: 0, d: 0 };
  const text = c.kubectl(["get", "configmaps,secrets,services,deployments,serviceaccounts,roles", "-A", "-o", "jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{\"\\n\"}{end}"]);
  for (const l of text.split("\n")) {
    if (/^(k|d)-\d{3}\//.test(l) && !/\/(kube-root-ca\.crt|default)$/.test(l)) out[l[0]]++;
  }
  const ns = c.kubectl(["get", "namespaces", "-l", "bench=apply", "-o", "name"]).split("\n").filter(Boolean);
  for (const x of ns) out[x.slice("namespace/".length)[0]]++;
  return out;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits until the controllers are done with a tool's Deployments (every pod created), so the next run starts on a quiet cluster. */
async function settle(c, prefix) {
  const want = Math.ceil(OBJECTS / PER_NS) * 10;
  await c.waitFor(`${prefix}- pods`, () => c.kubectl(["get", "pods", "-A", "--no-headers", "-o", "custom-columns=NS:.metadata.namespace"]).split("\n").filter((l) => l.startsWith(`${prefix}-`)).length >= want, 300_000);
  await sleep(2000);
}

const work = mkdtempSync(join(tmpdir(), "drover-bench-apply-"));
const c = await startCluster({ nodes: [1, 2, 3, 4].map((i) => ({ name: `kw${i}`, cpu: "64", memory: "256Gi", pods: 1000 })) });
try {
  const kubectl = tool("kubectl");
  const n = writeManifests(join(work, "k"), "k");
  writeManifests(join(work, "d"), "d");
  console.log(`objects: ${n} per tool (${Math.ceil(OBJECTS / PER_NS)} namespaces), cluster ${c.server}`);
  const rows = [];

  // first apply: kubectl, let the controllers settle, then drover
  const k1 = timed("kubectl apply", kubectl, ["--kubeconfig", c.kubeconfig, "apply", "--server-side", "--field-manager", "bench", "-f", join(work, "k")]);
  await settle(c, "k");
  const d1 = timed("drover apply", process.execPath, [join(ROOT, "bin/drover.js"), "apply", "-f", join(work, "d"), "--kubeconfig", c.kubeconfig, "--no-wait", "--json"]);
  const r1 = JSON.parse(d1.out);
  if (r1.counts.created !== n) throw new Error(`drover created ${r1.counts.created} of ${n}`);
  rows.push(["first apply (empty cluster)", k1.s, d1.s]);
  await settle(c, "d");

  // re-apply of unchanged files
  const k2 = timed("kubectl re-apply", kubectl, ["--kubeconfig", c.kubeconfig, "apply", "--server-side", "--field-manager", "bench", "-f", join(work, "k")]);
  const d2 = timed("drover re-apply", process.execPath, [join(ROOT, "bin/drover.js"), "apply", "-f", join(work, "d"), "--kubeconfig", c.kubeconfig, "--no-wait", "--json"]);
  const r2 = JSON.parse(d2.out);
  if (r2.counts.unchanged !== n || r2.writes !== 0) throw new Error(`drover re-apply was not a no-op: ${JSON.stringify(r2.counts)} writes ${r2.writes}`);
  rows.push(["re-apply (unchanged)", k2.s, d2.s]);

  console.log(`\n| ${n} objects | kubectl apply --server-side | drover apply | kubectl / drover |\n|---|---|---|---|`);
  for (const [what, k, d] of rows) console.log(`| ${what} | ${k.toFixed(1)} s | ${d.toFixed(1)} s | ${(k / d).toFixed(1)}× |`);
  const end = counts(c);
  console.log(`\nend state: kubectl's namespaces hold ${end.k} objects, drover's ${end.d} (expected ${n} each)`);
  if (end.k !== n || end.d !== n) throw new Error("the tools did not reach the same end state");
} finally {
  await c.stop();
  rmSync(work, { recursive: true, force: true });
}
