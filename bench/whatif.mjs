#!/usr/bin/env node
// What-if at scale: every single-host failure of a lab with 500 hosts, 1,000 nodes and ~10,000 pods,
// answered by Drover's simulation, against the real kube-scheduler (+ controllers) on kwok nodes
// answering the same question for a sample of failures in the same run.
// The real scheduler's per-failure cost is measured on the sample and extrapolated linearly to all
// failures (plus its one-time placement of all pods); the answers (Pending pods per app) are compared
// for every sampled failure.
import { genLabYaml } from "./lib/gen-lab.mjs";
import { loadSpec } from "../dist/spec/load.js";
import { resolveLab } from "../dist/lab/resolve.js";
import { baseline, allSingle, whatIf, simulationInput } from "../dist/analyze/index.js";
import { startCluster } from "../dist/testing/cluster.js";
import { Client } from "../dist/cluster/client.js";
import { loadKubeconfig } from "../dist/cluster/kubeconfig.js";

const HOSTS = Number(process.env.HOSTS ?? 500), APPS = Number(process.env.APPS ?? 10000), SAMPLE = Number(process.env.SAMPLE ?? 3);
const lab = resolveLab(loadSpec(genLabYaml({ hosts: HOSTS, apps: APPS }), "bench.yaml").spec);
const { nodes, pods } = simulationInput(lab);
console.log(`lab: ${lab.hosts.length} hosts, ${lab.nodes.length} nodes, ${pods.length} pods`);

const t0 = performance.now();
const cpu0 = process.cpuUsage();
const b = baseline(lab);
const reports = allSingle(b);
const drover = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const tieDependent = reports.filter((r) => r.apps.some((a) => a.alternatives?.length)).length;
const units = Object.entries(reports.reduce((o, r) => ((o[r.unit.kind] = (o[r.unit.kind] ?? 0) + 1), o), {})).map(([k, n]) => `${n} ${k}`).join(", ");
console.log(`drover: ${tieDependent} of ${reports.length} failures have a tie-dependent outcome (${b.state.trackScenarios ? "ties tracked" : `ties not tracked: ${lab.nodes.length} nodes ≥ 100, where kube-scheduler scores a sample of the nodes`})`);
console.log(`drover: baseline + ${reports.length} single failures (${units}) in ${drover.toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU (${((drover * 1000) / reports.length).toFixed(2)} ms per failure; load average ${(await import("node:os")).loadavg()[0].toFixed(1)})`);

// ---- the real scheduler ----
const podName = (id) => id.replace(/\//g, "--");
const c = await startCluster();
const ns = "bench";
c.kubectl(["create", "namespace", ns]);
const nodeDoc = (n) => ({
  apiVersion: "v1", kind: "Node",
  metadata: { name: n.name, annotations: { "kwok.x-k8s.io/node": "fake" }, labels: n.labels },
  spec: { taints: n.taints.map((t) => ({ key: t.key, ...(t.value ? { value: t.value } : {}), effect: t.effect })) },
  status: { capacity: res(n), allocatable: res(n) },
});
const res = (n) => ({ cpu: `${n.allocatable.cpuMillis}m`, memory: String(n.allocatable.memoryBytes), pods: String(n.allocatable.pods), ...(n.allocatable.gpus ? { "nvidia.com/gpu": String(n.allocatable.gpus) } : {}) });
const podDoc = (p) => ({
  apiVersion: "v1", kind: "Pod", metadata: { name: podName(p.id), namespace: ns, labels: p.labels },
  spec: {
    terminationGracePeriodSeconds: 0,
    containers: [{ name: "app", image: "registry.k8s.io/pause:3.10", resources: { requests: { cpu: `${p.requests.cpuMillis}m`, memory: String(p.requests.memoryBytes) } } }],
    nodeSelector: p.nodeSelector,
    ...(p.requiredNodeAffinity.length ? { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: p.requiredNodeAffinity.map((t) => ({ key: t.key, operator: t.operator ?? "In", values: t.values })) }] } } } } : {}),
    tolerations: p.tolerations.map((t) => ({ ...(t.key ? { key: t.key } : {}), operator: t.operator, ...(t.value !== undefined ? { value: t.value } : {}), ...(t.effect ? { effect: t.effect } : {}) })),
    ...(p.spread ? { topologySpreadConstraints: [{ maxSkew: p.spread.maxSkew, topologyKey: p.spread.topologyKey, whenUnsatisfiable: "DoNotSchedule", ...(p.spread.nodeTaintsPolicy ? { nodeTaintsPolicy: p.spread.nodeTaintsPolicy } : {}), labelSelector: { matchLabels: { "app.kubernetes.io/instance": p.app } } }] } : {}),
  },
});
const list = (items) => JSON.stringify({ apiVersion: "v1", kind: "List", items });
// the pods' state read in-process with one LIST (kubectl get of 10,000 pods as JSON takes seconds,
// which would count against the real scheduler)
let client;
const podsState = async () => (await client.list("v1", "Pod", { namespace: ns })).items.map((i) => ({
  name: i.metadata.name, node: i.spec.nodeName ?? "",
  unschedulable: !!i.status?.conditions?.some((x) => x.type === "PodScheduled" && x.status === "False"),
}));
async function settle(count, timeoutMs = 1_200_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ps = await podsState();
    if (ps.length === count && ps.every((p) => p.node || p.unschedulable)) return ps;
    if (Date.now() > deadline) throw new Error("timed out waiting for the pods to settle");
    await new Promise((r) => setTimeout(r, 200));
  }
}
const appOf = new Map(pods.map((p) => [podName(p.id), p.app]));
const perApp = (names) => { const o = {}; for (const n of names) o[appOf.get(n)] = (o[appOf.get(n)] ?? 0) + 1; return JSON.stringify(Object.entries(o).sort()); };

try {
  client = new Client(loadKubeconfig({ kubeconfig: c.kubeconfig }), { maxSockets: 4 });
  const r0 = performance.now();
  for (let i = 0; i < nodes.length; i += 250) c.kubectl(["apply", "-f", "-"], list(nodes.slice(i, i + 250).map(nodeDoc)));
  await c.waitFor("nodes ready", () => c.kubectl(["get", "nodes", "-o", "jsonpath={.items[*].status.conditions[?(@.type==\"Ready\")].status}"]).split(" ").filter((s) => s === "True").length === nodes.length, 600_000);
  // each instance's Service, as rendered: what the scheduler's default spread constraints select by
  const instances = [...new Set(pods.map((p) => p.app))];
  for (let i = 0; i < instances.length; i += 1000) c.kubectl(["apply", "-f", "-"], list(instances.slice(i, i + 1000).map((app, j) => ({ apiVersion: "v1", kind: "Service", metadata: { name: `svc-${i + j}`, namespace: ns }, spec: { clusterIP: "None", selector: { "app.kubernetes.io/instance": app } } }))));
  for (let i = 0; i < pods.length; i += 500) c.kubectl(["create", "-f", "-"], list(pods.slice(i, i + 500).map(podDoc)));
  const placed = await settle(pods.length);
  const setup = (performance.now() - r0) / 1000;
  const realBefore = placed.filter((p) => !p.node).map((p) => p.name);
  console.log(`kube-scheduler: placed ${placed.length - realBefore.length} pods on ${nodes.length} kwok nodes in ${setup.toFixed(1)} s; pending before: drover ${b.pending.size}, real ${realBefore.length}`);
  let identical = perApp([...b.pending.keys()].map(podName)) === perApp(realBefore);
  // evenly spread over the hosts (the first hosts of the generated lab carry nothing special)
  // single hosts only (the chassis and site units are answered by Drover above, not replayed here)
  const hostReports = reports.filter((r) => r.unit.kind === "host");
  const sample = Array.from({ length: Math.min(SAMPLE, hostReports.length) }, (_, i) => hostReports[Math.floor(((i + 0.5) * hostReports.length) / SAMPLE)].down[0]);
  const times = [];
  for (const host of sample) {
    const t = performance.now();
    const dead = new Set(lab.nodes.filter((n) => n.host === host).map((n) => n.name));
    const cur = await podsState();
    const victims = cur.filter((p) => dead.has(p.node)).map((p) => p.name);
    c.kubectl(["delete", "node", ...dead, "--wait=false"]);
    if (victims.length) c.kubectl(["delete", "pods", "-n", ns, "--force", "--grace-period=0", ...victims]);
    for (;;) { const names = new Set((await podsState()).map((p) => p.name)); if (victims.every((v) => !names.has(v))) break; await new Promise((r) => setTimeout(r, 200)); }
    const byName = new Map(pods.map((p) => [podName(p.id), p]));
    if (victims.length) c.kubectl(["create", "-f", "-"], list(victims.map((v) => podDoc(byName.get(v)))));
    const after = await settle(pods.length);
    times.push((performance.now() - t) / 1000);
    const realPending = after.filter((p) => !p.node).map((p) => p.name);
    const predicted = Object.keys(whatIf(b, [host]).pending).map(podName);
    const same = perApp(realPending) === perApp(predicted);
    identical &&= same;
    console.log(`  ${host}: ${victims.length} pods displaced; pending after: drover ${predicted.length}, real ${realPending.length} — ${same ? "identical" : "DIFFERENT"} (${times.at(-1).toFixed(1)} s)`);
    // bring the host back for the next sample
    c.kubectl(["apply", "-f", "-"], list(nodes.filter((n) => dead.has(n.name)).map(nodeDoc)));
  }
  const perFailure = times.reduce((a, x) => a + x, 0) / times.length;
  const realTotal = setup + perFailure * reports.length;
  console.log(`kube-scheduler: ${perFailure.toFixed(1)} s per failure → all ${reports.length} failures ≈ ${realTotal.toFixed(0)} s (placement ${setup.toFixed(0)} s + ${reports.length} × ${perFailure.toFixed(1)} s)`);
  console.log(`RESULT what-if: drover ${drover.toFixed(2)} s vs real scheduler ≈ ${realTotal.toFixed(0)} s → ${(realTotal / drover).toFixed(0)}× faster; answers ${identical ? "identical" : "DIFFER"} on ${sample.length} sampled failures`);
} finally {
  await c.stop();
}
