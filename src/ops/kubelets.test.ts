// Tier 2 (issue 15): the rendered lab on real kubelets. Four nodes, each a real kubelet + containerd +
// runc + CNI bridge (src/testing/kubelets.ts) joined to the real test control plane, registered with the
// labels, taints and kubelet drop-ins Drover renders for them (k3s config.yaml and user-data), pulling
// the apps' images by their upstream names through the registry mirror Drover renders (registries.yaml)
// from a local registry holding stand-ins. On it, against reality rather than kwok:
// - the rendered apps (Deployments, a StatefulSet on the NFS class, an app with its own Postgres) run and
//   answer their probes, placed exactly where what-if's simulation places them (the lab's nodes differ in
//   size and report it as their allocatable, so no placement is a scoring tie);
// - `drover what-if --down h4` versus a real power cut of that node, per app and per pod: which apps keep
//   running, which Deployments come back where, which stay Pending, which StatefulSets (and the apps
//   whose Postgres is one) stay down until the node is marked out-of-service, and where each comes back
//   (or stays Pending) once it is;
// - `drover node remove` of a node with running pods: drained, the Node gone, its pods recreated elsewhere.
// Not covered: a graceful stop. The volatile host's node runs a real systemd-logind on a D-Bus system bus
// of its own, and the test proves its real kubelet holds the delay inhibitor lock of Drover's rendered
// graceful node shutdown there. But logind cannot start a shutdown on this host: before it signals
// PrepareForShutdown it asks systemd (PID 1, org.freedesktop.systemd1) for poweroff.target's load state,
// and PID 1 here is not systemd ("Failed to get load state of poweroff.target"). So what-if --off stays
// proven by the simulation only.
//
// Heavy: `npm run test:kubelets` builds the runtime and runs it alone; `npm test` runs it only when the
// runtime is built and otherwise says loudly that it did not (scripts/test.mjs). The timings the
// controllers use are shortened (node monitor grace 20 s, not-ready/unreachable tolerations 10 s), which
// changes when things happen, not what happens. DROVER_KUBELETS_REPORT=<file> writes the measurements
// (bench/kubelets.mjs).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { startCluster, type TestCluster } from "../testing/cluster.js";
import { tempDir, type TestKey } from "../testing/age-key.js";
import { isolatedAgeKey } from "../testing/cli-harness.js";
import { kubeletsLabYaml } from "../testing/kubelets-lab.js";
import { mirrorsFromRegistriesYaml, startKubelets, type KubeletNodeSpec, type Kubelets } from "../testing/kubelets.js";
import { Client } from "../cluster/client.js";
import { render } from "../cli/commands/render.js";
import { nodeRemove } from "./node-remove.js";
import { loadLab } from "../lab/file.js";
import { baseline, simNode, whatIf, ownerOf, type Baseline, type Outcome, type WhatIfReport } from "../analyze/index.js";
import { fileInput } from "./cluster-input.js";
import { parseBytes, parseMillicores } from "../net/quantity.js";
import { KUBELETS_DOWN_HOST } from "../testing/kubelets-lab.js";

/** a duration of whole seconds as Go prints it (kubelet's configz): 30s, 2m0s */
const goDuration = (d: string): string => {
  const sec = Number(/^(\d+)s$/.exec(d)?.[1] ?? NaN);
  return sec < 60 ? `${sec}s` : `${Math.floor(sec / 60)}m${sec % 60}s`;
};

interface PodView { name: string; ns: string; app: string; node: string; phase: string; ready: boolean; terminating: boolean; unschedulable: boolean; ip: string; port: number }

/** what happened to one app instance's pods: the nodes its Ready pods run on, and how many are Terminating on the lost node or Pending */
interface InstanceState { ready: string[]; terminating: number; pending: number }

const report: { nodes: { node: string; readySeconds: number }[]; scenarios: { scenario: string; apps: { app: string; predicted: string; observed: string; predictedWhere?: string; observedWhere?: string; placementAsPredicted: boolean }[]; notes: string[] }[] } = { nodes: [], scenarios: [] };

/** "n2,n3" for a sorted list of nodes, with a mark for Terminating and Pending pods */
const showState = (s: InstanceState): string => [...s.ready.sort(), ...Array(s.terminating).fill("Terminating"), ...Array(s.pending).fill("Pending")].join(",") || "-";

describe("kubelets (Tier 2): the rendered lab on real kubelets + containerd", { timeout: 40 * 60_000 }, () => {
  let key: TestKey;
  let cluster: TestCluster;
  let client: Client;
  let kl: Kubelets;
  let dir: string;
  let labPath: string;
  let out: string;
  let provisioner: NodeJS.Timeout | undefined;
  const kubectlJson = <T>(args: string[]): T => JSON.parse(cluster.kubectl([...args, "-o", "json"])) as T;

  let appNamespaces: string[] = [];
  const pods = (): PodView[] => kubectlJson<{ items: { metadata: { name: string; namespace: string; labels?: Record<string, string>; deletionTimestamp?: string }; spec: { nodeName?: string; containers: { ports?: { containerPort: number }[] }[] }; status: { phase: string; podIP?: string; conditions?: { type: string; status: string; reason?: string }[] } }[] }>(["get", "pods", "-A"]).items
    .filter((p) => appNamespaces.includes(p.metadata.namespace))
    .map((p) => ({
      name: p.metadata.name, ns: p.metadata.namespace, app: p.metadata.labels?.["app.kubernetes.io/instance"] ?? "", node: p.spec.nodeName ?? "", phase: p.status.phase,
      ready: !!p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True"), terminating: !!p.metadata.deletionTimestamp, ip: p.status.podIP ?? "",
      unschedulable: !p.spec.nodeName && !!p.status.conditions?.some((c) => c.type === "PodScheduled" && c.status === "False" && c.reason === "Unschedulable"),
      port: p.spec.containers[0]?.ports?.[0]?.containerPort ?? 0,
    }));
  /** an instance's pods now: Ready ones by node, Terminating ones on `lost`, Pending (unschedulable) ones */
  const instanceState = (instance: string, lost?: string): InstanceState => {
    const ps = pods().filter((p) => p.app === instance);
    return {
      ready: ps.filter((p) => p.ready && !p.terminating && p.node !== lost).map((p) => p.node).sort(),
      terminating: ps.filter((p) => p.terminating && p.node === lost).length,
      pending: ps.filter((p) => p.unschedulable && !p.terminating).length,
    };
  };
  const readyOf = (app: string, on?: (n: string) => boolean) => pods().filter((p) => p.app === app && p.ready && !p.terminating && (!on || on(p.node)));
  const nodeReady = (n: string) => { try { return cluster.kubectl(["get", "node", n, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"]).trim(); } catch { return "gone"; } };

  before(async () => {
    key = isolatedAgeKey();
    dir = tempDir();
    labPath = join(dir, "lab.yaml");
    out = join(dir, "out");
    writeFileSync(labPath, kubeletsLabYaml({ recipient: key.recipient }));
    await render(labPath, {});
    cluster = await startCluster({ nodeMonitorGracePeriod: "20s", defaultTolerationSeconds: 10 });
    client = Client.fromKubeconfig({ kubeconfig: cluster.kubeconfig, maxSockets: 16 });
    kl = await startKubelets(cluster, { mirrors: mirrorsFromRegistriesYaml(readFileSync(join(out, "k3s", "registries.yaml"), "utf8")) });

    // every node as Drover renders it for k3s: config.yaml's node-ip, node-label and node-taint; the
    // kubelet drop-ins its user-data writes (kubelet-arg config-dir)
    const { lab } = loadLab(labPath);
    const specs: KubeletNodeSpec[] = lab.nodes.map((n) => {
      const conf = parse(readFileSync(join(out, "k3s", n.name, "config.yaml"), "utf8")) as { "node-ip": string; "node-label"?: string[]; "node-taint"?: string[]; "kubelet-arg"?: string[] };
      const ud = parse(readFileSync(join(out, "k3s", n.name, "user-data"), "utf8")) as { write_files?: { path: string; content: string }[] };
      const confDir = (conf["kubelet-arg"] ?? []).find((a) => a.startsWith("config-dir="))?.slice("config-dir=".length);
      const dropIns: Record<string, string> = {};
      for (const f of ud.write_files ?? []) if (confDir && f.path.startsWith(`${confDir}/`)) dropIns[f.path.slice(confDir.length + 1)] = f.content;
      return {
        name: n.name, address: conf["node-ip"],
        labels: Object.fromEntries((conf["node-label"] ?? []).map((l) => l.split("=") as [string, string])),
        taints: (conf["node-taint"] ?? []).map((t) => { const m = /^([^=:]+)(?:=([^:]*))?:(\w+)$/.exec(t)!; return { key: m[1]!, ...(m[2] !== undefined ? { value: m[2] } : {}), effect: m[3]! }; }),
        dropIns,
        // the lab's size of the node, not this machine's (kubeReserved takes the rest)
        allocatable: { cpuMillis: simNode(lab, n).allocatable.cpuMillis, memoryBytes: simNode(lab, n).allocatable.memoryBytes },
        // the nodes Drover renders graceful node shutdown for get a real logind to take it to
        logind: Object.values(dropIns).some((t) => /shutdownGracePeriod/.test(t)),
      };
    });
    appNamespaces = [...new Set(lab.apps.map((a) => a.namespace))];
    for (const s of specs) await kl.addNode(s);
    const readyAt = new Map<string, number>();
    await cluster.waitFor("every node Ready", () => {
      for (const s of specs) if (!readyAt.has(s.name) && nodeReady(s.name) === "True") readyAt.set(s.name, Date.now());
      return readyAt.size === specs.length;
    }, 240_000).catch((e: Error) => { throw new Error(`${e.message}\n${[...kl.nodes.values()].map((n) => n.logTail()).join("\n")}`); });
    for (const s of specs) {
      report.nodes.push({ node: s.name, readySeconds: (readyAt.get(s.name)! - kl.nodes.get(s.name)!.startedAt) / 1000 });
      // k3s labels its servers itself (a kubelet may not claim node-role.kubernetes.io/* for itself)
      if (lab.nodes.find((n) => n.name === s.name)!.role === "controlplane") cluster.kubectl(["label", "node", s.name, "node-role.kubernetes.io/control-plane=true", "node-role.kubernetes.io/master=true", "node-role.kubernetes.io/etcd=true"]);
    }
    console.error(`kubelets: container start → Ready: ${report.nodes.map((n) => `${n.node} ${n.readySeconds.toFixed(1)} s`).join(", ")}`);

    // stand-in images under the upstream names the rendered workloads use, answering on their ports (and,
    // where a rendered probe runs a program such as pg_isready, holding that program too)
    const appDirs = lab.apps.map((a) => join(out, "kubernetes", "apps", a.namespace, a.name));
    const images = new Map<string, { app: string; tcp: Set<number>; udp: Set<number>; programs: Set<string> }>();
    type Container = { image: string; ports?: { containerPort: number; protocol?: string }[]; readinessProbe?: { exec?: { command: string[] } }; livenessProbe?: { exec?: { command: string[] } }; startupProbe?: { exec?: { command: string[] } } };
    for (const d of appDirs) {
      for (const o of (await fileInput([d])).objects) {
        if (o.kind !== "Deployment" && o.kind !== "StatefulSet") continue;
        const w = o as unknown as { metadata: { name: string }; spec: { template: { spec: { containers: Container[] } } } };
        for (const c of w.spec.template.spec.containers) {
          const e = images.get(c.image) ?? images.set(c.image, { app: w.metadata.name, tcp: new Set(), udp: new Set(), programs: new Set() }).get(c.image)!;
          for (const p of c.ports ?? []) (p.protocol === "UDP" ? e.udp : e.tcp).add(p.containerPort);
          for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) if (probe?.exec) e.programs.add(probe.exec.command[0]!);
        }
      }
    }
    for (const [ref, e] of images) await kl.pushImage(ref, kl.tools.standin, "/standin", [`DROVER_STANDIN_NAME=${e.app}`, `DROVER_STANDIN_PORTS=${[...e.tcp].join(",")}`, `DROVER_STANDIN_UDP_PORTS=${[...e.udp].join(",")}`], [...e.programs]);

    // the NFS class's provisioner stands in: each claim gets a hostPath volume in one shared folder,
    // reachable from every node (all nodes share this machine's disk), which is what an NFS share is to them
    const nfsClasses = lab.storage.classes.filter((c) => c.type === "nfs").map((c) => c.name);
    const share = join(dir, "share");
    provisioner = setInterval(() => {
      try {
        for (const c of kubectlJson<{ items: { metadata: { name: string; namespace: string }; spec: { storageClassName?: string; volumeName?: string; accessModes: string[]; resources: { requests: { storage: string } } }; status: { phase: string } }[] }>(["get", "pvc", "-A"]).items) {
          if (c.spec.volumeName || c.status.phase !== "Pending" || !nfsClasses.includes(c.spec.storageClassName ?? "")) continue;
          const path = join(share, `${c.metadata.namespace}-${c.metadata.name}`);
          mkdirSync(path, { recursive: true, mode: 0o777 });
          cluster.kubectl(["apply", "-f", "-"], JSON.stringify({
            apiVersion: "v1", kind: "PersistentVolume", metadata: { name: `pv-${c.metadata.namespace}-${c.metadata.name}` },
            spec: { capacity: { storage: c.spec.resources.requests.storage }, accessModes: c.spec.accessModes, storageClassName: c.spec.storageClassName, persistentVolumeReclaimPolicy: "Retain", hostPath: { path, type: "Directory" }, claimRef: { namespace: c.metadata.namespace, name: c.metadata.name } },
          }));
        }
      } catch { /* the next round */ }
    }, 1000);

    // the cluster layer the apps need (their namespaces, the storage classes), then the apps, as rendered,
    // one instance at a time in the order the simulation places them (the lab's apps in order, each app
    // before its own Postgres), each applied once the one before is bound to its node: kube-scheduler
    // places pods in the order they arrive, and a placement depends on what is already placed
    cluster.kubectl(["apply", "-f", join(out, "kubernetes", "infrastructure", "namespaces", "namespaces.yaml")]);
    cluster.kubectl(["apply", "-f", join(out, "kubernetes", "infrastructure", "storage", "resources.yaml")]);
    const b = baseline(lab);
    for (const [i, a] of lab.apps.entries()) {
      const objects = (await fileInput([appDirs[i]!])).objects;
      const instances = [...new Set((b.podsByApp.get(a.name) ?? []).map((p) => p.app))];
      for (const inst of instances) {
        // the app's own objects first (everything not labelled as a dependency instance), then each dependency's
        const mine = objects.filter((o) => { const l = (o.metadata as { labels?: Record<string, string> }).labels?.["app.kubernetes.io/instance"]; return inst === a.name ? !instances.slice(1).includes(l ?? "") : l === inst; });
        cluster.kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: mine }));
        const want = b.pods.filter((p) => p.app === inst).length;
        await cluster.waitFor(`${inst}: ${want} pod(s) bound to nodes`, () => pods().filter((p) => p.app === inst && p.node).length === want, 180_000);
      }
    }
  });

  after(async () => {
    if (provisioner) clearInterval(provisioner);
    client?.close();
    try {
      await kl?.close();
    } finally {
      await cluster?.stop();
    }
    if (process.env.DROVER_KUBELETS_REPORT) writeFileSync(process.env.DROVER_KUBELETS_REPORT, JSON.stringify(report, null, 2));
  });

  it("nodes registered with the rendered labels, taints and the lab's sizes; the rendered apps run where the simulation places them and answer on their ports", async () => {
    const { lab } = loadLab(labPath);
    // the node lifecycle controller takes its own node.kubernetes.io/not-ready taint off a moment after
    // the node turns Ready: wait for that before comparing the node's taints with the rendered ones
    const lifecycleTainted = (name: string) => (kubectlJson<{ spec: { taints?: { key: string }[] } }>(["get", "node", name]).spec.taints ?? []).some((t) => t.key.startsWith("node.kubernetes.io/"));
    await cluster.waitFor("the node lifecycle controller's not-ready taints gone", () => lab.nodes.every((n) => !lifecycleTainted(n.name)), 60_000);
    for (const n of lab.nodes) {
      const node = kubectlJson<{ metadata: { labels: Record<string, string> }; spec: { taints?: unknown[] }; status: { allocatable: Record<string, string>; nodeInfo: { kubeletVersion: string; containerRuntimeVersion: string } } }>(["get", "node", n.name]);
      const conf = parse(readFileSync(join(out, "k3s", n.name, "config.yaml"), "utf8")) as { "node-label"?: string[]; "node-taint"?: string[] };
      for (const l of conf["node-label"] ?? []) { const [k, v] = l.split("="); assert.equal(node.metadata.labels[k!], v, `${n.name}: label ${k}`); }
      const taints = ((node.spec.taints ?? []) as { key: string; value?: string; effect: string }[]).map((t) => `${t.key}${t.value ? `=${t.value}` : ""}:${t.effect}`);
      assert.deepEqual(taints.sort(), [...(conf["node-taint"] ?? [])].sort(), `${n.name}: taints`);
      assert.equal(node.status.nodeInfo.kubeletVersion, `v${kl.tools.versions.kubernetes}`);
      assert.match(node.status.nodeInfo.containerRuntimeVersion, new RegExp(`^containerd://v?${kl.tools.versions.containerd.replaceAll(".", "\\.")}$`));
      // the real node offers what the simulation's node offers
      const sim = simNode(lab, n).allocatable;
      assert.deepEqual([parseMillicores(node.status.allocatable.cpu!), parseBytes(node.status.allocatable.memory!)], [sim.cpuMillis, sim.memoryBytes], `${n.name}: allocatable CPU and memory as the lab's host ${n.host}`);
    }
    const b = baseline(lab);
    const instances = [...new Set(b.pods.map((p) => p.app))];
    const planned = (inst: string) => b.pods.filter((p) => p.app === inst).length;
    await cluster.waitFor("every app instance Ready", () => instances.every((i) => readyOf(i).length === planned(i)), 300_000)
      .catch((e: Error) => { throw new Error(`${e.message}\n${cluster.kubectl(["get", "pods", "-A", "-o", "wide"])}\n${cluster.kubectl(["get", "events", "-A"]).slice(-4000)}\n${[...kl.nodes.values()].map((n) => n.logTail(15)).join("\n")}`); });
    // each pod answers on its node's pod network, from the node's namespace: the stand-in, by its upstream name
    for (const p of pods().filter((x) => x.ready)) {
      const r = await kl.nodes.get(p.node)!.ns.exec(["curl", "-s", "--max-time", "5", `http://${p.ip}:${p.port}/`]);
      assert.match(r.stdout.trim(), new RegExp(`^standin \\S+ on ${p.name}$`), `${p.ns}/${p.name} on ${p.node}`);
    }
    // every pod where the simulation placed it: the lab's sizes leave no scoring ties
    for (const p of b.pods) assert.equal(b.state.doubtOf(p.id), undefined, `${p.id}: the simulation's placement is a tie`);
    for (const inst of instances) assert.deepEqual(readyOf(inst).map((p) => p.node).sort(), b.pods.filter((p) => p.app === inst).map((p) => b.placed.get(p.id)).sort(), `${inst}: placed as simulated`);
    console.error(`kubelets: placement (real = simulated): ${instances.map((i) => `${i} ${readyOf(i).map((p) => p.node).sort().join(",")}`).join("; ")}`);
    // the volatile host's node runs with Drover's graceful-shutdown drop-in, read by the real kubelet
    // (kubelet.conf.d); the others without. (Triggering it needs systemd-logind, see the header.)
    for (const n of lab.nodes) {
      const r = await kl.nodes.get(n.name)!.ns.exec(["curl", "-sk", "--max-time", "5", "https://127.0.0.1:10250/configz"]);
      const kc = (JSON.parse(r.stdout) as { kubeletconfig: { shutdownGracePeriod?: string; shutdownGracePeriodCriticalPods?: string } }).kubeletconfig;
      const rendered = n.volatile ? parse(readFileSync(join(out, "k3s", n.name, "user-data"), "utf8")).write_files.find((f: { path: string }) => f.path.endsWith("-graceful-shutdown.conf")) : undefined;
      if (n.volatile) {
        const want = parse(rendered.content) as { shutdownGracePeriod: string; shutdownGracePeriodCriticalPods: string };
        assert.deepEqual([kc.shutdownGracePeriod, kc.shutdownGracePeriodCriticalPods], [want.shutdownGracePeriod, want.shutdownGracePeriodCriticalPods].map(goDuration), `${n.name}: the kubelet's shutdown grace periods are the rendered ones`);
        // and the kubelet's shutdown manager holds its delay inhibitor lock with the node's real systemd-logind
        const bus = kl.nodes.get(n.name)!.bus!;
        assert.ok(bus, `${n.name}: runs logind`);
        const inhibitors = () => {
          const r = spawnSync("busctl", [`--address=${bus}`, "--json=short", "call", "org.freedesktop.login1", "/org/freedesktop/login1", "org.freedesktop.login1.Manager", "ListInhibitors"], { encoding: "utf8" });
          return r.status === 0 ? (JSON.parse(r.stdout) as { data: [string, string, string, string, number, number][][] }).data[0]! : [];
        };
        await cluster.waitFor(`${n.name}: the kubelet's inhibitor lock`, () => inhibitors().some(([what, who]) => who === "kubelet" && what === "shutdown"), 60_000)
          .catch((e: Error) => { throw new Error(`${e.message}\n${kl.nodes.get(n.name)!.logTail(20)}`); });
        const [what, who, why, mode] = inhibitors().find(([, w]) => w === "kubelet")!;
        assert.deepEqual([what, who, mode], ["shutdown", "kubelet", "delay"], `${n.name}: ${why}`);
      } else {
        assert.ok(!kc.shutdownGracePeriod || kc.shutdownGracePeriod === "0s", `${n.name}: no graceful shutdown configured (${kc.shutdownGracePeriod})`);
        assert.equal(kl.nodes.get(n.name)!.bus, undefined);
      }
    }
    const images = cluster.kubectl(["get", "pods", "-A", "-o", "jsonpath={range .items[*]}{.status.containerStatuses[*].image}{\"\\n\"}{end}"]);
    assert.match(images, /ghcr\.io\/gethomepage\/homepage:v1\.8\.0/);
    assert.match(images, /docker\.io\/louislam\/uptime-kuma:2\.0\.2/);
    assert.match(images, /docker\.io\/library\/postgres:17\.7/);
  });

  it(`what-if --down ${KUBELETS_DOWN_HOST} versus a real power cut, per app and per pod: before and after the node is marked out-of-service`, async () => {
    const { lab } = loadLab(labPath);
    const b = baseline(lab);
    const host = KUBELETS_DOWN_HOST;
    const x = lab.nodes.find((n) => n.host === host)!.name;
    const predicted = whatIf(b, [host]);
    const instances = [...new Set(b.pods.map((p) => p.app))];
    const before = new Map(instances.map((i) => [i, pods().filter((p) => p.app === i && !p.terminating).map((p) => p.node).sort()]));
    // what-if's answer, per instance: where its pods run (one node, or the tied ones), how many are left
    // Terminating on the lost node (every pod that ran there: the kubelet never confirms a deletion) and
    // how many are Pending; before the node is marked out-of-service, and after
    const expect = (inst: string, marked: boolean) => {
      const ready: string[][] = [];
      let terminating = 0, pending = 0;
      for (const p of b.pods.filter((q) => q.app === inst)) {
        const was = b.placed.get(p.id);
        if (was !== x) { if (was) ready.push([was]); else pending++; continue; }
        if (!marked) terminating++;
        if (!marked && predicted.stuck[p.id]) continue;
        if (predicted.moves[p.id]) ready.push([...predicted.moves[p.id]!]);
        else { assert.ok(predicted.pending[p.id], `${p.id}: what-if says neither where it runs nor why not`); pending++; }
      }
      return { ready, terminating, pending };
    };
    const agrees = (want: ReturnType<typeof expect>, got: InstanceState): boolean => {
      if (want.terminating !== got.terminating || want.pending !== got.pending || want.ready.length !== got.ready.length) return false;
      const left = [...got.ready];
      for (const opts of [...want.ready].sort((p, q) => p.length - q.length)) {
        const k = left.findIndex((n) => opts.includes(n));
        if (k < 0) return false;
        left.splice(k, 1);
      }
      return true;
    };
    const showWant = (w: ReturnType<typeof expect>) => [...w.ready.map((o) => o.join(" or ")).sort(), ...Array(w.terminating).fill("Terminating"), ...Array(w.pending).fill("Pending")].join(",") || "-";
    // an app's outcome from its instances' Ready counts, by what-if's own rules: down when it or its
    // Postgres/Redis has no Ready pod, unaffected when nothing of it was on the lost node, restarted when its
    // dependency or every replica moved, degraded when some replicas kept serving
    const outcomeOf = (app: string, readyCount: (inst: string) => number): Outcome => {
      const own = b.podsByApp.get(app) ?? [];
      const main = own.filter((p) => !p.dependency);
      const deps = [...new Set(own.filter((p) => p.dependency).map((p) => p.app))];
      const hit = own.filter((p) => b.placed.get(p.id) === x);
      const after = deps.some((d) => readyCount(d) < b.pods.filter((p) => p.app === d).length) ? 0 : readyCount(app);
      if (after === 0) return "down";
      if (hit.length === 0 && after === main.length) return "unaffected";
      if (hit.some((p) => p.dependency)) return "restarted";
      return main.some((p) => b.placed.get(p.id) !== x) ? "degraded" : "restarted";
    };
    const instancesOf = (app: string) => [...new Set((b.podsByApp.get(app) ?? []).map((p) => p.app))];

    const compare = (marked: boolean, label: string) => {
      const now = new Map(instances.map((i) => [i, instanceState(i, x)]));
      const rows = lab.apps.map((a) => {
        const p = predicted.apps.find((r) => r.app === a.name)!;
        const wanted = marked ? outcomeOf(a.name, (i) => expect(i, true).ready.length) : p.outcome;
        const observed = outcomeOf(a.name, (i) => now.get(i)!.ready.length);
        const why = (st: (i: string) => { terminating: number; pending: number; readyLen: number }, o: Outcome) => o !== "down" ? "" : instancesOf(a.name).some((i) => st(i).pending > 0) ? " (Pending)" : instancesOf(a.name).some((i) => st(i).terminating > 0 && st(i).readyLen < b.pods.filter((q) => q.app === i).length) ? " (Terminating until out-of-service)" : "";
        const predictedWhy = why((i) => { const w = expect(i, marked); return { terminating: w.terminating, pending: w.pending, readyLen: w.ready.length }; }, wanted);
        const observedWhy = why((i) => { const g = now.get(i)!; return { terminating: g.terminating, pending: g.pending, readyLen: g.ready.length }; }, observed);
        return {
          app: a.name, predicted: `${wanted}${predictedWhy}${!marked && p.alternatives ? ` (or ${p.alternatives.join(", ")})` : ""}`, observed: `${observed}${observedWhy}`,
          predictedWhere: instancesOf(a.name).map((i) => `${i}: ${showWant(expect(i, marked))}`).join("; "),
          observedWhere: instancesOf(a.name).map((i) => `${i}: ${showState(now.get(i)!)}`).join("; "),
          placementAsPredicted: instancesOf(a.name).every((i) => agrees(expect(i, marked), now.get(i)!)),
          outcomeOk: observed === wanted || (!marked && (p.alternatives ?? []).includes(observed)), whyOk: predictedWhy === observedWhy,
        };
      });
      console.error(`kubelets: ${label}:\n${rows.map((r) => `  ${r.app}: predicted ${r.predicted} [${r.predictedWhere}], observed ${r.observed} [${r.observedWhere}]`).join("\n")}`);
      return rows;
    };
    const allAgree = (marked: boolean) => instances.every((i) => agrees(expect(i, marked), instanceState(i, x)));

    const t0 = Date.now();
    await kl.nodes.get(x)!.kill();
    await cluster.waitFor(`${x} NotReady`, () => nodeReady(x) === "Unknown", 120_000);
    const notReadyAfter = (Date.now() - t0) / 1000;
    // the pods on the lost node are evicted (10 s toleration) and their controllers act: wait until reality
    // shows what-if's answer (or give up and show the difference)
    const settledBefore = await cluster.waitFor("every app instance as what-if predicts", () => allAgree(false), 180_000).then(() => true, () => false);
    const settled = (Date.now() - t0) / 1000;
    // what stays down stays down: 30 s more, and nothing changed
    await new Promise((r) => setTimeout(r, 30_000));
    const rows = compare(false, `what-if --down ${host} vs a power cut of ${x}`);
    for (const r of rows) {
      assert.ok(r.placementAsPredicted, `${r.app}: what-if predicted ${r.predictedWhere}, reality ${r.observedWhere}`);
      assert.ok(r.outcomeOk && r.whyOk, `${r.app}: what-if predicted ${r.predicted}, reality ${r.observed}`);
    }
    assert.ok(settledBefore);
    // the design of the lab: this scenario shows every kind of outcome, none of them tie-dependent
    assert.deepEqual(new Set(rows.map((r) => r.observed)), new Set(["unaffected", "degraded", "restarted", "down (Terminating until out-of-service)"]), "the scenario covers each outcome");
    assert.ok(predicted.apps.every((a) => !a.alternatives), "no outcome depends on a tie");
    assert.deepEqual(predicted.outOfService.map((o) => o.node), [x]);

    // marked out-of-service (the command what-if prints): the pods on it are deleted; the StatefulSets' come back where what-if says, or stay Pending
    const t1 = Date.now();
    cluster.kubectl(["taint", "node", x, "node.kubernetes.io/out-of-service=nodeshutdown:NoExecute"]);
    const settledAfter = await cluster.waitFor("every app instance as what-if predicts once the node is marked", () => allAgree(true), 180_000).then(() => true, () => false);
    const back = (Date.now() - t1) / 1000;
    const marked = compare(true, `after ${outOfServiceText(predicted)}`);
    for (const r of marked) {
      assert.ok(r.placementAsPredicted, `${r.app} (node marked out-of-service): what-if predicted ${r.predictedWhere}, reality ${r.observedWhere}`);
      assert.ok(r.outcomeOk && r.whyOk, `${r.app} (node marked out-of-service): what-if predicted ${r.predicted}, reality ${r.observed}`);
    }
    assert.ok(settledAfter);
    assert.ok(marked.some((r) => r.observed === "down (Pending)"), "a Pending app once the node is marked");
    const strip = (xs: typeof rows) => xs.map(({ outcomeOk: _o, whyOk: _w, ...r }) => r);
    report.scenarios.push({
      scenario: `what-if --down ${host} (node ${x}) vs SIGKILL of its kubelet, containerd and containers`,
      apps: strip(rows),
      notes: [`NotReady after ${notReadyAfter.toFixed(0)} s; every app as predicted after ${settled.toFixed(0)} s (node monitor grace 20 s, not-ready/unreachable tolerations 10 s), unchanged 30 s later`,
        `baseline placement (real = simulated): ${[...before].map(([i, nodes]) => `${i} ${nodes.join(",")}`).join("; ")}`],
    });
    report.scenarios.push({
      scenario: `then ${predicted.outOfService[0]!.command}`,
      apps: strip(marked),
      notes: [`every app as predicted ${back.toFixed(0)} s after the taint`],
    });
  });

  it("drover node remove of a worker running pods: drained, the Node gone, its pods recreated on the other nodes (Ready where they fit)", async () => {
    const dead = [...kl.nodes.values()].filter((n) => n.killed).map((n) => n.name);
    const victim = readyOf("homepage").map((p) => p.node).find((n) => !dead.includes(n) && n !== "n1")!;
    assert.ok(victim, "a live worker runs a homepage replica");
    const onVictim = pods().filter((p) => p.node === victim && !p.terminating);
    assert.ok(onVictim.length > 0);
    const instancesHit = [...new Set(onVictim.map((p) => p.app))];
    const live = (i: string, off?: string) => pods().filter((p) => p.app === i && !p.terminating && p.node !== off && (p.ready || p.unschedulable)).length;
    const want = new Map(instancesHit.map((i) => [i, live(i)]));
    const r = await nodeRemove(victim, { labPath, rerender: (p) => render(p, {}), client, drain: { ignoreDaemonSets: true, deleteEmptyDirData: true } });
    assert.deepEqual([...(r.drained?.evicted ?? [])].sort(), onVictim.map((p) => `${p.ns}/${p.name}`).sort());
    assert.ok(r.nodeDeleted);
    assert.equal(nodeReady(victim), "gone");
    // each evicted pod's controller made a new one elsewhere: Ready, or Pending where no node has room left
    await cluster.waitFor("the evicted pods recreated off the node, Ready or unschedulable", () =>
      instancesHit.every((i) => live(i, victim) >= want.get(i)!) && pods().filter((p) => instancesHit.includes(p.app) && !p.terminating && p.node !== victim).every((p) => p.ready || p.unschedulable), 180_000);
    const where = instancesHit.map((i) => `${i}: ${showState(instanceState(i, victim))}`);
    // the machine is switched off after its removal
    await kl.nodes.get(victim)!.kill();
    report.scenarios.push({ scenario: `drover node remove ${victim}`, apps: [], notes: [`evicted ${onVictim.map((p) => `${p.ns}/${p.name}`).join(", ")}; now ${where.join("; ")}`] });
  });
});

/** "kubectl taint node n4 node.kubernetes.io/out-of-service=nodeshutdown:NoExecute" */
const outOfServiceText = (r: WhatIfReport): string => r.outOfService.map((o) => o.command).join("; ");
