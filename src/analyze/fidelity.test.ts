// The what-if simulation against the real kube-scheduler: same nodes (kwok), same pods, same
// failures; the set of pods Drover predicts Pending must equal the set the cluster leaves Pending.
// Pods are created as bare Pods in the simulator's order; when a node "dies" the test deletes the
// Node and re-creates its pods unbound (what their ReplicaSet/StatefulSet would do after eviction,
// without waiting out the 300s tolerations). Node-local volumes are real local PVs + PVCs
// (WaitForFirstConsumer), so the real VolumeBinding plugin pins them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startCluster, type TestCluster } from "../testing/cluster.js";
import { loadSpec } from "../spec/load.js";
import { resolveLab } from "../lab/resolve.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { EXAMPLES } from "../testing/paths.js";
import { NodeState, scheduleAll, simulationInput, type SimNode, type SimPod } from "./index.js";

let cluster: TestCluster;
before(async () => { cluster = await startCluster(); });
after(async () => { await cluster?.stop(); });

const podName = (id: string) => id.replace(/\//g, "--");

function predict(nodes: readonly SimNode[], pods: readonly SimPod[], down: readonly string[]): { before: Set<string>; after: Set<string> } {
  const state = new NodeState(nodes, pods);
  const first = scheduleAll(pods, state);
  const displaced: SimPod[] = [];
  for (const n of down) for (const id of state.removeNode(n)) displaced.push(pods.find((p) => p.id === id)!);
  const order = new Map(pods.map((p, i) => [p.id, i]));
  const retry = [...displaced, ...pods.filter((p) => first.pending.has(p.id))].sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  const second = scheduleAll(retry, state);
  return { before: new Set(first.pending.keys()), after: new Set(second.pending.keys()) };
}

function podManifest(p: SimPod, ns: string): Record<string, unknown> {
  const requests: Record<string, string> = { cpu: `${p.requests.cpuMillis}m`, memory: String(p.requests.memoryBytes) };
  const limits: Record<string, string> = {};
  if (p.requests.gpus) { requests["nvidia.com/gpu"] = String(p.requests.gpus); limits["nvidia.com/gpu"] = String(p.requests.gpus); }
  const affinity: Record<string, unknown> = {};
  if (p.requiredNodeAffinity.length) {
    affinity.nodeAffinity = { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: p.requiredNodeAffinity.map((t) => ({ key: t.key, operator: t.operator ?? "In", values: t.values })) }] } };
  }
  if (p.antiAffinity) {
    affinity.podAntiAffinity = { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { "app.kubernetes.io/instance": p.app } }, topologyKey: p.antiAffinity.topologyKey }] };
  }
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: podName(p.id), namespace: ns, labels: { ...p.labels } },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [{ name: "app", image: "registry.k8s.io/pause:3.10", resources: { requests, ...(Object.keys(limits).length ? { limits } : {}) } }],
      nodeSelector: p.nodeSelector,
      ...(Object.keys(affinity).length ? { affinity } : {}),
      ...(p.spread ? { topologySpreadConstraints: [{ maxSkew: p.spread.maxSkew, topologyKey: p.spread.topologyKey, whenUnsatisfiable: "DoNotSchedule", ...(p.spread.nodeTaintsPolicy ? { nodeTaintsPolicy: p.spread.nodeTaintsPolicy } : {}), labelSelector: { matchLabels: { "app.kubernetes.io/instance": p.app } } }] } : {}),
      tolerations: p.tolerations.map((t) => ({ ...(t.key ? { key: t.key } : {}), operator: t.operator, ...(t.value !== undefined ? { value: t.value } : {}), ...(t.effect ? { effect: t.effect } : {}) })),
      ...(p.nodeLocalVolume ? { volumes: [{ name: "data", persistentVolumeClaim: { claimName: podName(p.id) } }] } : {}),
    },
  };
}

interface PodView { name: string; node: string; unschedulable: boolean }

function pods(ns: string): PodView[] {
  const list = JSON.parse(cluster.kubectl(["get", "pods", "-n", ns, "-o", "json"])) as { items: { metadata: { name: string }; spec: { nodeName?: string }; status: { conditions?: { type: string; status: string; reason?: string }[] } }[] };
  return list.items.map((i) => ({
    name: i.metadata.name,
    node: i.spec.nodeName ?? "",
    unschedulable: !!i.status.conditions?.some((c) => c.type === "PodScheduled" && c.status === "False" && c.reason === "Unschedulable"),
  }));
}

async function settle(ns: string, count: number): Promise<Set<string>> {
  let last = "";
  let stableSince = Date.now();
  await cluster.waitFor(`pods in ${ns} to settle`, () => {
    const ps = pods(ns);
    if (ps.length !== count || ps.some((p) => !p.node && !p.unschedulable)) return false;
    const sig = JSON.stringify(ps.map((p) => [p.name, p.node]));
    if (sig !== last) { last = sig; stableSince = Date.now(); return false; }
    return Date.now() - stableSince > 1500;
  }, 90_000);
  return new Set(pods(ns).filter((p) => !p.node).map((p) => p.name));
}

let scenario = 0;
async function real(nodes: readonly SimNode[], simPods: readonly SimPod[], down: readonly string[]): Promise<{ before: Set<string>; after: Set<string> }> {
  const ns = `fidelity-${++scenario}`;
  const prefix = `s${scenario}-`;
  const rename = (n: string) => prefix + n;
  cluster.kubectl(["create", "namespace", ns]);
  const nodeDocs = nodes.map((n) => ({
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: rename(n.name), annotations: { "kwok.x-k8s.io/node": "fake" }, labels: { ...n.labels, "kubernetes.io/hostname": rename(n.name), "drover.test/scenario": ns } },
    spec: { taints: n.taints.map((t) => ({ key: t.key, ...(t.value ? { value: t.value } : {}), effect: t.effect })) },
    status: {
      capacity: { cpu: `${n.allocatable.cpuMillis}m`, memory: String(n.allocatable.memoryBytes), pods: String(n.allocatable.pods), ...(n.allocatable.gpus ? { "nvidia.com/gpu": String(n.allocatable.gpus) } : {}) },
      allocatable: { cpu: `${n.allocatable.cpuMillis}m`, memory: String(n.allocatable.memoryBytes), pods: String(n.allocatable.pods), ...(n.allocatable.gpus ? { "nvidia.com/gpu": String(n.allocatable.gpus) } : {}) },
    },
  }));
  // other scenarios' nodes must not take this scenario's pods: they are cordoned meanwhile
  for (const other of JSON.parse(cluster.kubectl(["get", "nodes", "-o", "json"])).items as { metadata: { name: string } }[]) {
    cluster.kubectl(["delete", "node", other.metadata.name, "--wait=false"]);
  }
  cluster.kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: nodeDocs }));
  await cluster.waitFor("nodes ready", () => cluster.kubectl(["get", "nodes", "-l", `drover.test/scenario=${ns}`, "-o", "jsonpath={.items[*].status.conditions[?(@.type==\"Ready\")].status}"]).split(" ").filter((s) => s === "True").length === nodes.length);
  // node-local volumes: a local PV on every node for every pod that needs one
  const local = simPods.filter((p) => p.nodeLocalVolume);
  if (local.length) {
    const sc = `local-${ns}`;
    const docs: unknown[] = [{ apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: sc }, provisioner: "kubernetes.io/no-provisioner", volumeBindingMode: "WaitForFirstConsumer" }];
    for (const p of local) {
      docs.push({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: podName(p.id), namespace: ns }, spec: { accessModes: ["ReadWriteOnce"], storageClassName: sc, resources: { requests: { storage: "1Gi" } } } });
      for (const n of nodes) {
        docs.push({
          apiVersion: "v1", kind: "PersistentVolume", metadata: { name: `${ns}-${podName(p.id)}-${n.name}`.slice(0, 250) },
          spec: {
            capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], storageClassName: sc, persistentVolumeReclaimPolicy: "Retain",
            claimRef: undefined, local: { path: `/mnt/${p.id}` },
            nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [rename(n.name)] }] }] } },
          },
        });
      }
    }
    cluster.kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: docs }));
  }
  const manifests = simPods.map((p) => podManifest(p, ns));
  for (const m of manifests) cluster.kubectl(["create", "-f", "-"], JSON.stringify(m)); // one at a time: the scheduler's queue order
  const beforeSet = await settle(ns, simPods.length);

  // the hosts go off: their nodes disappear, their pods come back unbound
  const doomed = new Set(down.map(rename));
  const victims = pods(ns).filter((p) => doomed.has(p.node)).map((p) => p.name);
  for (const n of doomed) cluster.kubectl(["delete", "node", n, "--wait=false"]);
  if (victims.length) cluster.kubectl(["delete", "pods", "-n", ns, "--force", "--grace-period=0", ...victims]);
  await cluster.waitFor("victims gone", () => pods(ns).every((p) => !victims.includes(p.name)));
  // the still-pending pods are re-created too, so the queue order matches the simulator's
  const pendingNow = pods(ns).filter((p) => !p.node).map((p) => p.name);
  if (pendingNow.length) cluster.kubectl(["delete", "pods", "-n", ns, "--force", "--grace-period=0", ...pendingNow]);
  const again = new Set([...victims, ...pendingNow]);
  for (const m of manifests) {
    if (again.has((m.metadata as { name: string }).name)) cluster.kubectl(["create", "-f", "-"], JSON.stringify(m));
  }
  const afterSet = await settle(ns, simPods.length);
  // clean up so that this scenario's Pending pods cannot take the next scenario's nodes
  cluster.kubectl(["delete", "pods", "--all", "-n", ns, "--force", "--grace-period=0"]);
  cluster.kubectl(["delete", "namespace", ns, "--wait=false"]);
  await cluster.waitFor(`${ns} pods gone`, () => pods(ns).length === 0);
  return { before: beforeSet, after: afterSet };
}

/**
 * Pending pods per app. Replicas of one app are interchangeable (a ReplicaSet names them at random;
 * which replica lands on the dead host depends on tie-breaking), so the sets are compared as
 * "how many pods of which app", which is what decides whether an app is degraded or down.
 */
function perApp(names: Iterable<string>, simPods: readonly SimPod[]): Record<string, number> {
  const appOf = new Map(simPods.map((p) => [podName(p.id), p.app]));
  const out: Record<string, number> = {};
  for (const n of [...names].map(podName)) out[appOf.get(n) ?? n] = (out[appOf.get(n) ?? n] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort());
}

async function compare(name: string, nodes: readonly SimNode[], simPods: readonly SimPod[], down: readonly string[], expectAfter?: number) {
  const p = predict(nodes, simPods, down);
  const r = await real(nodes, simPods, down);
  assert.deepEqual(perApp(p.before, simPods), perApp(r.before, simPods), `${name}: Pending before the failure`);
  assert.deepEqual(perApp(p.after, simPods), perApp(r.after, simPods), `${name}: Pending after ${down.join(", ")} went away`);
  if (expectAfter !== undefined) assert.equal(p.after.size, expectAfter, `${name}: the scenario should leave ${expectAfter} pod(s) Pending`);
}

function labFromYaml(text: string) {
  const r = loadSpec(text, "scenario.yaml");
  assert.ok(r.spec, JSON.stringify(r.diagnostics.filter((d) => d.severity === "error")));
  return resolveLab(r.spec);
}

const BASE = (apps: string, extra = "", hosts?: string) => `
apiVersion: drover.dev/v1alpha1
kind: Lab
cluster: { name: t, endpoint: { address: 192.168.50.5 }, domains: { private: lab.internal } }
identity: { provider: none }
sites: [{ name: home, lan: 192.168.50.0/24 }]
hosts:
${hosts ?? `  - { name: a, site: home, arch: amd64, cpu: 2, memory: 4Gi, disks: [{ device: /dev/sda, size: 100Gi }] }
  - { name: b, site: home, arch: amd64, cpu: 2, memory: 4Gi, disks: [{ device: /dev/sda, size: 100Gi }] }
  - { name: c, site: home, arch: arm64, cpu: 2, memory: 4Gi, disks: [{ device: /dev/sda, size: 100Gi }] }`}
nodes:
  - { name: cp, host: a, role: controlplane, address: 192.168.50.10 }
  - { name: w1, host: b, address: 192.168.50.11 }
  - { name: w2, host: c, address: 192.168.50.12 }
storage:
  classes:
    - { name: nas, type: nfs, server: 192.168.50.2, path: /tank, default: true }
    - { name: local, type: local }
${extra}
apps:
${apps}
`;

test("example lab: the gaming PC and the desktop go off", async () => {
  const lab = resolveLab(loadSpec(readFileSync(join(EXAMPLES, "talos-mixed", "lab.yaml"), "utf8")).spec!);
  const { nodes, pods: ps } = simulationInput(lab);
  await compare("talos-mixed gamer", nodes, ps, lab.nodes.filter((n) => n.host === "gamer").map((n) => n.name), 1);
  await compare("talos-mixed volatile", nodes, ps, lab.nodes.filter((n) => n.host === "gamer" || n.host === "nixos").map((n) => n.name));
});

test("resource exhaustion: replicas that no longer fit stay Pending", async () => {
  const lab = labFromYaml(BASE(`  - { name: homepage, replicas: 4, resources: { cpu: 900m, memory: 512Mi } }`));
  const { nodes, pods: ps } = simulationInput(lab);
  await compare("exhaustion", nodes, ps, ["w1"], 2);
});

test("arch mismatch: an amd64-only app has nowhere to go when the amd64 worker dies", async () => {
  const lab = labFromYaml(BASE(`  - { name: jellyfin, placement: { arch: [amd64] }, resources: { cpu: 500m, memory: 1Gi } }`));
  const { nodes, pods: ps } = simulationInput(lab);
  await compare("arch", nodes, ps, ["w1"], 1);
});

test("taints: untolerated taints keep pods off the only free node", async () => {
  const text = BASE(`  - { name: grafana, resources: { cpu: 500m, memory: 1Gi } }\n  - { name: freshrss, resources: { cpu: 500m, memory: 512Mi }, placement: { tolerations: [{ key: dedicated, value: media, effect: NoSchedule }] } }`)
    .replace("{ name: w2, host: c, address: 192.168.50.12 }", "{ name: w2, host: c, address: 192.168.50.12, taints: [{ key: dedicated, value: media, effect: NoSchedule }] }");
  const lab = labFromYaml(text);
  const { nodes, pods: ps } = simulationInput(lab);
  const p = predict(nodes, ps, ["w1"]);
  assert.ok(p.after.size >= 1, "grafana cannot move to the tainted node");
  await compare("taints", nodes, ps, ["w1"]);
});

test("anti-affinity and hard spread: at most one replica per host", async () => {
  const lab = labFromYaml(BASE(`  - { name: homepage, replicas: 3, resources: { cpu: 100m, memory: 128Mi } }`)
    .replace("{ name: cp, host: a, role: controlplane, address: 192.168.50.10 }", "{ name: cp, host: a, role: controlplane, address: 192.168.50.10, taints: [] }"));
  const { nodes } = simulationInput(lab);
  const base = simulationInput(lab).pods;
  const anti: SimPod[] = base.map((p) => ({ ...p, tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }], antiAffinity: { topologyKey: "topology.kubernetes.io/zone" } }));
  await compare("anti-affinity", nodes, anti, ["w2"], 1);
  const spread: SimPod[] = base.map((p) => ({ ...p, id: p.id.replace("homepage", "spread"), app: "spread", labels: { "app.kubernetes.io/instance": "spread" }, spread: { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone" } }));
  await compare("spread", nodes, spread, ["w2"]);
});

test("node-pinned volumes: a stateful app on local storage stays with its dead host", async () => {
  // host b is the roomiest, so both schedulers put the first pods there
  const hosts = `  - { name: a, site: home, arch: amd64, cpu: 2, memory: 4Gi, disks: [{ device: /dev/sda, size: 100Gi }] }
  - { name: b, site: home, arch: amd64, cpu: 8, memory: 16Gi, disks: [{ device: /dev/sda, size: 100Gi }] }
  - { name: c, site: home, arch: arm64, cpu: 2, memory: 4Gi, disks: [{ device: /dev/sda, size: 100Gi }] }`;
  const lab = labFromYaml(BASE(`  - { name: vaultwarden, storage: { class: local }, resources: { cpu: 100m, memory: 128Mi } }\n  - { name: grafana, storage: { class: nas }, resources: { cpu: 100m, memory: 128Mi } }`, "", hosts));
  const { nodes, pods: ps } = simulationInput(lab);
  const st = new NodeState(nodes, ps);
  assert.equal(scheduleAll(ps, st).placed.get(ps.find((p) => p.app === "vaultwarden")!.id), "w1");
  await compare("local volume", nodes, ps, ["w1"], 1);
});
