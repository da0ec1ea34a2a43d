#!/usr/bin/env node
// drover apply against `kubectl apply --server-side` (the real kubectl built from the pinned
// Kubernetes sources), both applying 2,000 objects from the same kind of files to the same real
// control plane (etcd + kube-apiserver + controllers + scheduler, kwok nodes) in one run: a first
// apply into an empty cluster, then a re-apply of the unchanged files. Both run as processes (so
// start-up counts for both), drover with --no-wait (kubectl apply does not wait either).
// env: OBJECTS (default 2000), RUNS (rounds, default 3; the order of the tools alternates)
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

/** objects in the namespaces of one tool's round (prefix k0, d0, k1, …), from the cluster */
function count(c, prefix) {
  let n = 0;
  const text = c.kubectl(["get", "configmaps,secrets,services,deployments,serviceaccounts,roles", "-A", "-o", "jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{\"\\n\"}{end}"]);
  const re = new RegExp(`^${prefix}-\\d{3}/`);
  for (const l of text.split("\n")) if (re.test(l) && !/\/(kube-root-ca\.crt|default)$/.test(l)) n++;
  n += c.kubectl(["get", "namespaces", "-l", "bench=apply", "-o", "name"]).split("\n").filter((x) => x.startsWith(`namespace/${prefix}-`)).length;
  return n;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits until the controllers are done with a tool's Deployments (every pod created), so the next run starts on a quiet cluster. */
async function settle(c, prefix) {
  const want = Math.ceil(OBJECTS / PER_NS) * 10;
  await c.waitFor(`${prefix}- pods`, () => c.kubectl(["get", "pods", "-A", "--no-headers", "-o", "custom-columns=NS:.metadata.namespace"]).split("\n").filter((l) => l.startsWith(`${prefix}-`)).length >= want, 300_000);
  await sleep(2000);
}

const RUNS = Number(process.env.RUNS ?? 3);
const work = mkdtempSync(join(tmpdir(), "drover-bench-apply-"));
const c = await startCluster({ nodes: [1, 2, 3, 4].map((i) => ({ name: `kw${i}`, cpu: "64", memory: "256Gi", pods: 1000 })) });
try {
  const kubectl = tool("kubectl");
  const kubectlApply = (dir) => timed("kubectl apply", kubectl, ["--kubeconfig", c.kubeconfig, "apply", "--server-side", "--field-manager", "bench", "-f", dir]);
  const droverApply = (dir) => {
    const r = timed("drover apply", process.execPath, [join(ROOT, "bin/drover.js"), "apply", "-f", dir, "--kubeconfig", c.kubeconfig, "--no-wait", "--no-prune", "--json"]);
    return { ...r, result: JSON.parse(r.out) };
  };
  const rows = [];
  let n = 0;
  // each round applies fresh files (--no-prune: kubectl apply does not prune either, and a later round's
  // files would otherwise make drover remove the earlier rounds' objects) (its own namespaces) with both tools; the order alternates so that
  // neither tool always meets the busier cluster
  for (let round = 0; round < RUNS; round++) {
    const k = `k${round}`, d = `d${round}`;
    n = writeManifests(join(work, k), k);
    writeManifests(join(work, d), d);
    if (round === 0) console.log(`objects: ${n} per tool and round (${Math.ceil(OBJECTS / PER_NS)} namespaces), ${RUNS} rounds, cluster ${c.server}`);
    const first = {};
    for (const tool of round % 2 === 0 ? ["kubectl", "drover"] : ["drover", "kubectl"]) {
      if (tool === "kubectl") first.k = kubectlApply(join(work, k));
      else {
        first.d = droverApply(join(work, d));
        if (first.d.result.counts.created !== n) throw new Error(`drover created ${first.d.result.counts.created} of ${n}`);
      }
      await settle(c, tool === "kubectl" ? k : d);
    }
    // re-apply of the unchanged files
    const k2 = kubectlApply(join(work, k));
    const d2 = droverApply(join(work, d));
    if (d2.result.counts.unchanged !== n || d2.result.writes !== 0) throw new Error(`drover re-apply was not a no-op: ${JSON.stringify(d2.result.counts)} writes ${d2.result.writes}`);
    rows.push({ round, order: round % 2 === 0 ? "kubectl first" : "drover first", k1: first.k.s, d1: first.d.s, k2: k2.s, d2: d2.s });
    const end = { k: count(c, k), d: count(c, d) };
    if (end.k !== n || end.d !== n) throw new Error(`round ${round}: the tools did not reach the same end state (kubectl ${end.k}, drover ${end.d}, expected ${n})`);
  }
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`\n| ${n} objects | kubectl apply --server-side | drover apply | kubectl / drover |\n|---|---|---|---|`);
  for (const r of rows) console.log(`| first apply, round ${r.round + 1} (${r.order}) | ${r.k1.toFixed(1)} s | ${r.d1.toFixed(1)} s | ${(r.k1 / r.d1).toFixed(1)}× |`);
  for (const r of rows) console.log(`| re-apply (unchanged), round ${r.round + 1} | ${r.k2.toFixed(1)} s | ${r.d2.toFixed(1)} s | ${(r.k2 / r.d2).toFixed(1)}× |`);
  const k1 = med(rows.map((r) => r.k1)), d1 = med(rows.map((r) => r.d1)), k2 = med(rows.map((r) => r.k2)), d2 = med(rows.map((r) => r.d2));
  console.log(`| **first apply, median** | ${k1.toFixed(1)} s | ${d1.toFixed(1)} s | **${(k1 / d1).toFixed(1)}×** |`);
  console.log(`| **re-apply, median** | ${k2.toFixed(1)} s | ${d2.toFixed(1)} s | **${(k2 / d2).toFixed(1)}×** |`);
  console.log(`\nend state checked every round: each tool's namespaces hold ${n} objects; load average ${(await import("node:os")).loadavg()[0].toFixed(1)}`);
} finally {
  await c.stop();
  rmSync(work, { recursive: true, force: true });
}
