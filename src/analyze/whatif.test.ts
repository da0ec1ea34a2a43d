import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { loadSpec } from "../spec/load.js";
import { resolveLab } from "../lab/resolve.js";
import { EXAMPLES } from "../testing/paths.js";
import { kubeletsLabYaml, KUBELETS_DOWN_HOST } from "../testing/kubelets-lab.js";
import { baseline, whatIf, allSingle, volatileOff } from "./whatif.js";
import { NodeState } from "./state.js";
import { scheduleOne } from "./scheduler.js";
import type { SimNode, SimPod } from "./model.js";

const lab = resolveLab(loadSpec(readFileSync(join(EXAMPLES, "talos-mixed", "lab.yaml"), "utf8")).spec!);
const b = baseline(lab);

test("every app of the example lab is placed with all hosts on", () => {
  assert.equal(b.pending.size, 0, JSON.stringify([...b.pending]));
  assert.equal(b.placed.size, b.pods.length);
  assert.equal(b.pods.filter((p) => !p.dependency).length, lab.apps.reduce((n, a) => n + a.replicas, 0));
  // Talos control planes are tainted: nothing lands there
  for (const node of b.placed.values()) assert.ok(!lab.controlPlanes().some((c) => c.name === node), node);
});

test("gaming PC off: talos03 and talos08 go, etcd keeps 2 of 3, ollama is down for its GPU", () => {
  const r = whatIf(b, ["gamer"]);
  assert.deepEqual(r.nodesDown, ["talos03", "talos08"]);
  assert.deepEqual(r.etcd, { members: 3, remaining: 2, quorum: 2, ok: true });
  assert.equal(r.api.ok, true);
  const ollama = r.apps.find((a) => a.app === "ollama")!;
  assert.equal(ollama.outcome, "down");
  assert.equal(ollama.reason, "device (GPU) only on gamer");
  assert.deepEqual(Object.keys(r.pending), ["ai/ollama-0"]);
});

test("two NUCs off: two control planes gone, quorum and API lost", () => {
  const r = whatIf(b, ["nuc1", "nuc2"]);
  assert.equal(r.etcd.ok, false);
  assert.equal(r.api.ok, false);
  assert.match(r.api.reason!, /quorum/);
});

test("all single failures are ranked worst first; volatile-off takes both volatile hosts", () => {
  const all = allSingle(b);
  assert.equal(all.length, lab.hosts.filter((h) => h.nodes.length).length);
  assert.equal(all[0]!.down[0], "nuc3"); // it runs the one Pi-hole, the lab's private DNS (a single point of failure)
  const v = volatileOff(b);
  assert.deepEqual(v.down, ["gamer", "nixos"]);
});

test("a node-local volume pins its app to its host; NFS served by a host takes its apps down", () => {
  const text = readFileSync(join(EXAMPLES, "talos-mixed", "lab.yaml"), "utf8")
    .replace("    - name: ceph-fs\n", "    - { name: local, type: local }\n    - { name: nas, type: nfs, server: 192.168.10.13, path: /tank }\n    - name: ceph-fs\n")
    .replace("{ name: paperless-ngx, exposure: private, backup: true }", "{ name: paperless-ngx, exposure: private, backup: true, storage: { class: local } }")
    .replace("{ name: freshrss, exposure: private, groups: [family] }", "{ name: freshrss, exposure: private, groups: [family], storage: { class: nas } }");
  const l2 = resolveLab(loadSpec(text).spec!);
  const b2 = baseline(l2);
  const paperlessNode = b2.placed.get("office/paperless-ngx-0")!;
  const host = l2.node(paperlessNode).host;
  const r = whatIf(b2, [host]);
  const p = r.apps.find((a) => a.app === "paperless-ngx")!;
  assert.equal(p.outcome, "down");
  assert.match(p.reason!, new RegExp(`pinned to host ${host}`));
  const r3 = whatIf(b2, ["nuc3"]); // the NFS server is nuc3's address
  assert.equal(r3.apps.find((a) => a.app === "freshrss")!.outcome, "down");
  assert.ok(r3.spofs.some((s) => s.component === "storage" && /nas/.test(s.reason)));
});

// ---- properties on random labs of nodes and pods ----

const arbNode = (i: number) => fc.record({
  cpu: fc.integer({ min: 1, max: 8 }),
  mem: fc.integer({ min: 1, max: 16 }),
  arch: fc.constantFrom("amd64", "arm64"),
  host: fc.integer({ min: 0, max: 4 }),
  gpus: fc.constantFrom(0, 0, 0, 1),
}).map((n): SimNode => ({
  name: `n${i}`, host: `h${n.host}`,
  labels: { "kubernetes.io/arch": n.arch, "kubernetes.io/hostname": `n${i}`, "topology.kubernetes.io/zone": `h${n.host}`, "drover.dev/host": `h${n.host}` },
  taints: [], unschedulable: false,
  allocatable: { cpuMillis: n.cpu * 1000, memoryBytes: n.mem * 2 ** 30, pods: 110, gpus: n.gpus },
}));

const arbPods = fc.array(fc.record({
  app: fc.constantFrom("a", "b", "c", "d"),
  cpu: fc.integer({ min: 100, max: 3000 }),
  mem: fc.integer({ min: 1, max: 8 }),
  arch: fc.constantFrom(undefined, "amd64", "arm64"),
  local: fc.boolean(),
  gpu: fc.constantFrom(0, 0, 0, 1),
}), { maxLength: 30 }).map((ps) => ps.map((p, i): SimPod => ({
  id: `ns/${p.app}-${i}`, app: p.app, ordinal: i, labels: { "app.kubernetes.io/instance": p.app },
  requests: { cpuMillis: p.cpu, memoryBytes: p.mem * 2 ** 28, gpus: p.gpu },
  nodeSelector: {}, requiredNodeAffinity: p.arch ? [{ key: "kubernetes.io/arch", values: [p.arch] }] : [],
  tolerations: [], nodeLocalVolume: p.local, stateless: !p.local,
})));

const arbWorld = fc.integer({ min: 1, max: 8 }).chain((n) => fc.tuple(fc.tuple(...Array.from({ length: n }, (_, i) => arbNode(i))), arbPods, fc.subarray([0, 1, 2, 3, 4])));

function run(nodes: SimNode[], pods: SimPod[], downHosts: number[]) {
  const st = new NodeState(nodes, pods);
  const before = new Map<string, string>();
  for (const p of pods) { const r = scheduleOne(p, st); if (r.node) { st.place(p, r.node); before.set(p.id, r.node); } }
  const down = new Set(downHosts.map((h) => `h${h}`));
  const displaced: string[] = [];
  for (const n of nodes) if (down.has(n.host)) displaced.push(...st.removeNode(n.name));
  const after = new Map([...before].filter(([, n]) => !down.has(nodes.find((x) => x.name === n)!.host)));
  for (const id of [...displaced, ...pods.filter((p) => !before.has(p.id)).map((p) => p.id)]) {
    const p = pods.find((x) => x.id === id)!;
    const r = scheduleOne(p, st);
    if (r.node) { st.place(p, r.node); after.set(id, r.node); }
  }
  return { before, after, st, down };
}

test("property: a placement never overcommits a node, and removing hosts never adds running pods", () => {
  fc.assert(fc.property(arbWorld, ([nodes, pods, downHosts]) => {
    const { before, after, st, down } = run([...nodes], pods, downHosts);
    for (const n of st.nodes()) {
      const u = st.used(n.name);
      assert.ok(u.cpuMillis <= n.allocatable.cpuMillis && u.memoryBytes <= n.allocatable.memoryBytes && u.gpus <= n.allocatable.gpus);
    }
    assert.ok(after.size <= before.size + pods.filter((p) => !before.has(p.id)).length);
    for (const [id, node] of after) {
      assert.ok(!down.has(nodes.find((x) => x.name === node)!.host), `${id} placed on a dead host`);
      const p = pods.find((x) => x.id === id)!;
      if (p.nodeLocalVolume && before.has(id)) assert.equal(node, before.get(id), "a node-local volume never moves");
    }
  }), { numRuns: 300 });
});

test("property: an app is never unaffected when one of its pods ran on a removed host", () => {
  const hosts = lab.hosts.map((h) => h.name);
  fc.assert(fc.property(fc.subarray(hosts, { minLength: 1 }), (down) => {
    const r = whatIf(b, down);
    const deadNodes = new Set(r.nodesDown);
    for (const a of r.apps) {
      const hit = [...b.placed].some(([id, n]) => id.split("/")[1]!.startsWith(`${a.app}-`) && deadNodes.has(n));
      if (hit) assert.notEqual(a.outcome, "unaffected", `${a.app} with ${down.join(",")}`);
      assert.ok(a.after <= a.before || a.before === 0);
    }
  }), { numRuns: 200 });
});

test("the kubelets lab (real-kubelet test, issue 15): --down h4 says where each displaced pod goes, and a StatefulSet pod that fits nowhere once its node is marked is stuck, then Pending", () => {
  const k = resolveLab(loadSpec(kubeletsLabYaml({ recipient: "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p" })).spec!);
  const kb = baseline(k);
  assert.deepEqual(Object.fromEntries(kb.placed), { "dashboard/homepage-0": "n4", "dashboard/homepage-1": "n2", "monitoring/uptime-kuma-0": "n4", "dev/atuin-0": "n2", "dev/atuin-postgres-0": "n4", "dashboard/bigpage-0": "n4", "dashboard/smallpage-0": "n2" });
  const r = whatIf(kb, [KUBELETS_DOWN_HOST]);
  assert.deepEqual(Object.fromEntries(r.apps.map((a) => [a.app, [a.outcome, a.alternatives]])), { homepage: ["degraded", undefined], "uptime-kuma": ["down", undefined], atuin: ["down", undefined], bigpage: ["restarted", undefined], smallpage: ["unaffected", undefined] });
  assert.deepEqual(r.moves, { "dashboard/bigpage-0": ["n2"], "dashboard/homepage-0": ["n3"], "monitoring/uptime-kuma-0": ["n3"] });
  assert.deepEqual(Object.keys(r.stuck), ["dev/atuin-postgres-0", "monitoring/uptime-kuma-0"]);
  assert.match(r.stuck["dev/atuin-postgres-0"]!, /stays Terminating on n4: .* \(then it stays Pending: .*Insufficient memory/);
  assert.deepEqual(Object.keys(r.pending), ["dev/atuin-postgres-0"]);
  assert.deepEqual(r.outOfService.map((o) => o.node), ["n4"]);
});
