// drover node add / remove on a real control plane (kwok nodes): the spec edit, the secrets store
// (read back with the real sops), the re-rendered WireGuard configs of every peer, the drain with
// pods rescheduled by the real scheduler, the Node deleted, and the etcd quorum refusal.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import type { TestCluster } from "../testing/cluster.js";
import { clusterForTests } from "../testing/cluster-per-file.js";
import { sops, tempDir, type TestKey } from "../testing/age-key.js";
import { isolatedAgeKey } from "../testing/cli-harness.js";
import { Client } from "../cluster/client.js";
import { render } from "../cli/commands/render.js";
import { nodeAdd, waitNodeReady } from "./node-add.js";
import { nodeRemove } from "./node-remove.js";
import { nodeLabYaml } from "../testing/node-lab.js";
import { UserError } from "../errors.js";

let cluster: TestCluster;
let client: Client;
let key: TestKey;
before(() => {
  key = isolatedAgeKey();
});
clusterForTests((c) => ({ cluster, client } = c), { maxSockets: 64 });

const rerender = (p: string) => render(p, {});

async function labDir(o: { distribution?: "k3s" | "talos"; controlPlanes?: number } = {}): Promise<string> {
  const dir = tempDir();
  writeFileSync(join(dir, "lab.yaml"), nodeLabYaml({ recipient: key.recipient, ...o }));
  await render(join(dir, "lab.yaml"), {});
  return dir;
}

const decryptStore = (dir: string) => {
  const r = sops(["-d", join(dir, "secrets.sops.yaml")], key.file);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
};

function pubKeyOf(dir: string, node: string): string {
  const store = decryptStore(dir);
  const m = new RegExp(`node/${node}:\\n\\s+privateKey: \\S+\\n\\s+publicKey: (\\S+)`).exec(store);
  assert.ok(m, `no key for node/${node} in the store`);
  return m[1]!.replace(/^"|"$/g, "");
}

test("node add: one line appended to lab.yaml, an allocated address, keys in the store, every peer's WireGuard config lists it, k3s user-data and steps; done when the Node is Ready", async () => {
  const dir = await labDir();
  const path = join(dir, "lab.yaml");
  const before = readFileSync(path, "utf8");
  const r = await nodeAdd({ name: "w4", host: "spare" }, { labPath: path, rerender });
  const after = readFileSync(path, "utf8");
  assert.equal(after, before.replace("# worker 3\n", "# worker 3\n  - { name: w4, host: spare, address: 192.168.50.24 }\n"));
  assert.equal(r.node.address, "192.168.50.24");
  assert.ok(r.addressAllocated);
  const pub = pubKeyOf(dir, "w4");
  for (const peer of ["cp1", "cp2", "cp3", "w1", "w2", "w3"]) {
    const conf = readFileSync(join(dir, "out", "wireguard", peer, "wg0.conf"), "utf8");
    assert.ok(conf.includes(`PublicKey = ${pub}`), `${peer}'s wg0.conf lacks w4's key`);
    assert.ok(r.peersChanged[peer]?.includes(`wireguard/${peer}/wg0.conf`), `${peer} not reported as changed`);
  }
  assert.ok(existsSync(join(dir, "out", "k3s", "w4", "user-data")));
  assert.equal(r.configFile, "k3s/w4/user-data");
  assert.match(r.steps.map((s) => s.commands.join("\n")).join("\n"), /cloud-localds .*w4-seed\.img .*k3s\/w4\/user-data/);
  // the machine joins (kwok plays its kubelet) and the wait ends
  setTimeout(() => cluster.addNode({ name: "w4", cpu: "8", memory: "16Gi" }), 1500);
  const states: string[] = [];
  await waitNodeReady(client, "w4", 60_000, (s) => states.push(s));
  assert.equal(states[0], "not registered yet");
  // a second add of the same name is refused, nothing changes
  await assert.rejects(nodeAdd({ name: "w4", host: "spare" }, { labPath: path, rerender }), /already exists/);
  assert.equal(readFileSync(path, "utf8"), after);
  // a VM on a host without a hypervisor: refused with the validator's located message
  await assert.rejects(nodeAdd({ name: "v1", host: "spare", kind: "vm", cpu: 2, memory: "2Gi" }, { labPath: path, rerender }), (e: unknown) => {
    assert.ok(e instanceof UserError);
    assert.match(e.message, /lab\.yaml:\d+:\d+: error: nodes\[7\]\.kind: .*no hypervisor/);
    return true;
  });
  assert.equal(readFileSync(path, "utf8"), after);
});

test("node remove of a worker with pods: drained (pods rescheduled by the scheduler), Node deleted, line gone from lab.yaml, keys gone from the store, peer gone from every wg0.conf", async () => {
  const dir = await labDir();
  const path = join(dir, "lab.yaml");
  for (const n of ["w1", "w2", "w3"]) cluster.addNode({ name: n, cpu: "8", memory: "16Gi", labels: { pool: "rm" } });
  await cluster.waitFor("workers Ready", () => cluster.kubectl(["get", "nodes", "w1", "w2", "w3", "-o", "jsonpath={.items[*].status.conditions[?(@.type==\"Ready\")].status}"]) === "True True True");
  cluster.kubectl(["create", "namespace", "rm"]);
  cluster.kubectl(["apply", "-f", "-"], JSON.stringify({
    apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "rm" },
    spec: { replicas: 9, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: {
      nodeSelector: { pool: "rm" }, terminationGracePeriodSeconds: 0, containers: [{ name: "c", image: "registry.k8s.io/pause:3.10" }],
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { app: "web" } } }],
    } } },
  }));
  const where = () => cluster.kubectl(["get", "pods", "-n", "rm", "-l", "app=web", "--field-selector", "status.phase=Running", "-o", "jsonpath={range .items[*]}{.spec.nodeName}{\"\\n\"}{end}"]).split("\n").filter(Boolean).sort();
  await cluster.waitFor("9 pods, 3 per worker", () => where().filter((n) => n === "w1").length === 3 && where().length === 9);
  const w1Key = pubKeyOf(dir, "w1");
  const before = readFileSync(path, "utf8");

  const r = await nodeRemove("w1", { labPath: path, rerender, client, drain: { ignoreDaemonSets: true, deleteEmptyDirData: true } });
  assert.equal(r.drained?.evicted.length, 3);
  assert.ok(r.nodeDeleted);
  assert.equal(cluster.kubectl(["get", "nodes", "-o", "name"]).split("\n").includes("node/w1"), false, "the Node is gone");
  await cluster.waitFor("9 pods on w2 and w3", () => where().length === 9 && !where().includes("w1"));
  assert.equal(readFileSync(path, "utf8"), before.replace("  - { name: w1, host: hw1, address: 192.168.50.21 } # worker 1\n", ""));
  const store = decryptStore(dir);
  assert.ok(!store.includes("node/w1"), "w1's keys and preshared keys are gone from the store");
  assert.ok(!existsSync(join(dir, "out", "wireguard", "w1")));
  for (const peer of ["cp1", "cp2", "cp3", "w2", "w3"]) {
    const conf = readFileSync(join(dir, "out", "wireguard", peer, "wg0.conf"), "utf8");
    assert.ok(!conf.includes(w1Key), `${peer}'s wg0.conf still lists w1`);
    assert.ok(r.peersChanged[peer], `${peer} not reported as changed`);
  }
  assert.ok(!readFileSync(join(dir, "out", "wireguard", "peers.txt"), "utf8").includes("node/w1"));
});

test("node remove of a control plane is refused when etcd would lose quorum, and nothing changes", async () => {
  const dir = await labDir();
  const path = join(dir, "lab.yaml");
  const before = readFileSync(path, "utf8");
  const storeBefore = readFileSync(join(dir, "secrets.sops.yaml"), "utf8");
  // cp1 and cp2 run (kwok); cp3 is registered but its kubelet is silent: NotReady
  for (const n of ["cp1", "cp2"]) cluster.addNode({ name: n, cpu: "4", memory: "8Gi" });
  cluster.kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "Node", metadata: { name: "cp3", labels: { "kubernetes.io/hostname": "cp3" } } }));
  await cluster.waitFor("cp1 cp2 Ready", () => cluster.kubectl(["get", "nodes", "cp1", "cp2", "-o", "jsonpath={.items[*].status.conditions[?(@.type==\"Ready\")].status}"]) === "True True");
  await assert.rejects(nodeRemove("cp1", { labPath: path, rerender, client }), (e: unknown) => {
    assert.ok(e instanceof UserError);
    assert.equal(e.message, "refusing to remove control plane cp1: etcd has 3 members (cp1, cp2, cp3), quorum 2; removing cp1 leaves 2 members (quorum 2) of which only 1 is healthy (cp2) (not Ready: cp3): etcd would lose quorum");
    assert.match(e.hint ?? "", /--ignore-quorum removes it anyway/);
    return true;
  });
  assert.equal(readFileSync(path, "utf8"), before);
  assert.equal(readFileSync(join(dir, "secrets.sops.yaml"), "utf8"), storeBefore);
  assert.equal(cluster.kubectl(["get", "node", "cp1", "-o", "jsonpath={.spec.unschedulable}"]), "", "not even cordoned");

  // once cp3 is healthy again the removal goes ahead, and prints the k3s etcd step
  cluster.kubectl(["annotate", "node", "cp3", "kwok.x-k8s.io/node=fake"]);
  await cluster.waitFor("cp3 Ready", () => cluster.kubectl(["get", "node", "cp3", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"]) === "True");
  const r = await nodeRemove("cp1", { labPath: path, rerender, client, drain: { ignoreDaemonSets: true } });
  assert.ok(r.quorum?.safe);
  assert.ok(r.nodeDeleted);
  assert.match(r.steps.map((s) => s.title).join("\n"), /k3s removes cp1's etcd member when its Node object is deleted/);
});

test("the last control plane is never removed; a lone one would take etcd with it", async () => {
  const dir = await labDir({ controlPlanes: 1 });
  await assert.rejects(nodeRemove("cp1", { labPath: join(dir, "lab.yaml"), rerender, ignoreQuorum: true }), /removing node cp1 would make .* invalid:[\s\S]*no control-plane node/);
});

test("node remove: --force is about unmanaged pods only, --ignore-quorum about etcd only", async () => {
  const { runCli } = await import("../testing/cli-harness.js");
  const dir = await labDir();
  const path = join(dir, "lab.yaml");
  const before = readFileSync(path, "utf8");
  // cp1 runs (kwok) with a bare pod no controller owns; cp2 and cp3 are not in the cluster: etcd quorum is already lost
  for (const n of ["cp2", "cp3"]) cluster.kubectl(["delete", "node", n, "--ignore-not-found"]);
  cluster.addNode({ name: "cp1", cpu: "4", memory: "8Gi" });
  await cluster.waitFor("cp1 Ready", () => cluster.kubectl(["get", "node", "cp1", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"]) === "True");
  cluster.kubectl(["create", "namespace", "split"]);
  cluster.kubectl(["apply", "-f", "-"], JSON.stringify({
    apiVersion: "v1", kind: "Pod", metadata: { name: "loner", namespace: "split" },
    spec: { nodeName: "cp1", containers: [{ name: "c", image: "registry.example/x:1" }], tolerations: [{ operator: "Exists" }] },
  }));
  await cluster.waitFor("loner running", () => cluster.kubectl(["get", "pod", "loner", "-n", "split", "-o", "jsonpath={.status.phase}"]) === "Running");
  const kc = ["--lab", path, "--kubeconfig", cluster.kubeconfig];

  // --force (pods) does not override the quorum refusal
  const forced = await runCli(["node", "remove", "cp1", ...kc, "--force"]);
  assert.equal(forced.code, 1, forced.out + forced.err);
  assert.match(forced.err, /refusing to remove control plane cp1: .*etcd has already lost quorum/);
  assert.match(forced.err, /hint: .*--ignore-quorum removes it anyway/);
  assert.equal(readFileSync(path, "utf8"), before);
  assert.equal(cluster.kubectl(["get", "node", "cp1", "-o", "jsonpath={.spec.unschedulable}"]), "", "not even cordoned");

  // --ignore-quorum (etcd) does not evict the unmanaged pod
  const quorumOnly = await runCli(["node", "remove", "cp1", ...kc, "--ignore-quorum", "--ignore-daemonsets"]);
  assert.equal(quorumOnly.code, 1, quorumOnly.out + quorumOnly.err);
  assert.match(quorumOnly.err, /cannot delete Pods that declare no controller \(use --force to override\): split\/loner/);
  assert.equal(readFileSync(path, "utf8"), before);
  assert.equal(cluster.kubectl(["get", "pod", "loner", "-n", "split", "-o", "jsonpath={.metadata.name}"]), "loner");

  // both: the pod goes, the quorum verdict is reported as ignored, the node leaves the lab
  const both = await runCli(["node", "remove", "cp1", ...kc, "--ignore-quorum", "--force", "--ignore-daemonsets", "--json"]);
  assert.equal(both.code, 0, both.out + both.err);
  const j = JSON.parse(both.out);
  assert.equal(j.quorum.safe, false);
  assert.ok(j.drained.evicted.includes("split/loner"), JSON.stringify(j.drained));
  assert.ok(j.nodeDeleted);
  assert.doesNotMatch(readFileSync(path, "utf8"), /name: cp1,/);
});
