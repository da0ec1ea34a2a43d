#!/usr/bin/env node
// drover node remove vs kubectl drain (+ kubectl delete node), on the same real control plane
// (etcd, kube-apiserver, controller-manager, scheduler) with kwok nodes, in one run. Each round puts
// PODS pods of a Deployment on a fresh node for each tool, then times each tool from process start
// to exit, and checks the same end state: the node deleted, every replica Running on other nodes.
// Drover's run also edits lab.yaml, drops the node's keys and re-renders the lab.
// env: PODS (100), ROUNDS (3)
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startCluster } from "../dist/testing/cluster.js";
import { ageKeygen, tempDir } from "../dist/testing/age-key.js";
import { tool } from "../dist/testing/paths.js";
import { nodeLabYaml } from "../dist/ops/node-lab.test-fixture.js";

const PODS = Number(process.env.PODS ?? 100);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const root = join(import.meta.dirname, "..");
const key = ageKeygen();
const c = await startCluster();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const node = (name, labels = {}) => ({ name, cpu: "64", memory: "256Gi", pods: PODS * 3, labels: { pool: "bench", ...labels } });
const deployment = (name) => JSON.stringify({
  apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: "bench" },
  spec: {
    replicas: PODS, selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { nodeSelector: { pool: "bench" }, terminationGracePeriodSeconds: 30, containers: [{ name: "c", image: "registry.k8s.io/pause:3.10" }] } },
  },
});
const onNode = (n) => c.kubectl(["get", "pods", "-A", "--field-selector", `spec.nodeName=${n}`, "-o", "name"]).split("\n").filter(Boolean).length;
const running = (app) => c.kubectl(["get", "pods", "-n", "bench", "-l", `app=${app}`, "--field-selector", "status.phase=Running", "-o", "jsonpath={range .items[*]}{.spec.nodeName}{\"\\n\"}{end}"]).split("\n").filter(Boolean);
const nodeExists = (n) => c.kubectl(["get", "nodes", "-o", "name"]).split("\n").includes(`node/${n}`);
const ready = (n) => c.kubectl(["get", "node", n, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"]) === "True";

c.kubectl(["create", "namespace", "bench"]);
// somewhere for the evicted pods to go
for (let i = 1; i <= 4; i++) c.addNode(node(`target-${i}`));
for (let i = 1; i <= 4; i++) c.kubectl(["cordon", `target-${i}`]);

/** puts PODS pods of a new Deployment on `n` (the only schedulable bench node), then opens the targets */
async function fill(n, app) {
  c.addNode(node(n));
  await c.waitFor(`${n} Ready`, () => ready(n), 60_000);
  c.kubectl(["apply", "-f", "-"], deployment(app));
  await c.waitFor(`${PODS} pods of ${app} on ${n}`, () => running(app).filter((x) => x === n).length === PODS, 180_000);
  c.kubectl(["cordon", n]);
}

function time(cmd, args, env = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${r.stderr}`);
  return ms;
}

async function endState(n, app) {
  await c.waitFor(`${app}: ${PODS} Running elsewhere`, () => { const r = running(app); return r.length === PODS && !r.includes(n); }, 180_000);
  if (nodeExists(n)) throw new Error(`${n} still exists`);
  return onNode(n);
}

const results = [];
for (let round = 1; round <= ROUNDS; round++) {
  const dir = tempDir("drover-bench-drain-");
  writeFileSync(join(dir, "lab.yaml"), nodeLabYaml({ recipient: key.recipient, workers: 2 }));
  const env = { SOPS_AGE_KEY_FILE: key.file, HOME: dir };
  const renderMs = time(process.execPath, [join(root, "bin/drover.js"), "render", join(dir, "lab.yaml")], env);
  // the lab's w1 and w2: w1 for drover, w2 for kubectl; fresh Nodes each round
  await fill("w1", `drover-${round}`);
  await fill("w2", `kubectl-${round}`);
  for (let i = 1; i <= 4; i++) c.kubectl(["uncordon", `target-${i}`]);
  await sleep(500);
  const order = round % 2 ? ["kubectl", "drover"] : ["drover", "kubectl"];
  const t = {};
  for (const who of order) {
    if (who === "kubectl") {
      t.kubectl = time(tool("kubectl"), ["--kubeconfig", c.kubeconfig, "drain", "w2", "--ignore-daemonsets", "--delete-emptydir-data", "--grace-period=0", "--timeout=300s"])
        + time(tool("kubectl"), ["--kubeconfig", c.kubeconfig, "delete", "node", "w2"]);
      await endState("w2", `kubectl-${round}`);
    } else {
      t.drover = time(process.execPath, [join(root, "bin/drover.js"), "node", "remove", "w1", "--lab", join(dir, "lab.yaml"), "--kubeconfig", c.kubeconfig, "--ignore-daemonsets", "--delete-emptydir-data", "--grace-period=0", "--timeout=300s"], env);
      await endState("w1", `drover-${round}`);
    }
  }
  console.log(`round ${round} (${order.join(" then ")}): drover node remove ${(t.drover / 1000).toFixed(2)} s (a plain \`drover render\` of this lab: ${(renderMs / 1000).toFixed(2)} s), kubectl drain + delete node ${(t.kubectl / 1000).toFixed(2)} s, kubectl / drover ${(t.kubectl / t.drover).toFixed(2)}×`);
  results.push(t);
  for (let i = 1; i <= 4; i++) c.kubectl(["cordon", `target-${i}`]);
  c.kubectl(["delete", "deployment", "-n", "bench", `drover-${round}`, `kubectl-${round}`, "--wait=false"]);
  await c.waitFor("bench pods gone", () => c.kubectl(["get", "pods", "-n", "bench", "-o", "name"]).trim() === "", 180_000);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const d = median(results.map((r) => r.drover));
const k = median(results.map((r) => r.kubectl));
console.log(`\n${PODS} pods, median of ${ROUNDS}: drover node remove ${(d / 1000).toFixed(2)} s, kubectl drain + delete node ${(k / 1000).toFixed(2)} s → kubectl / drover ${(k / d).toFixed(2)}× (goal ≥ 1.0×)`);
await c.stop();
