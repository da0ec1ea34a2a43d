// A rendered lab running on real kubelets (issue 15, Tier 2), shared by the kubelets tests: render the
// lab, start the test control plane and one real kubelet + containerd per node with the labels, taints
// and kubelet drop-ins Drover renders for it (k3s config.yaml and user-data), push stand-in images under
// the upstream names the workloads use, provision the NFS class, and apply the apps one instance at a
// time in the order the simulation places them. Then `whatIfAgainstReality` compares what-if's answer for
// a lost node with what the cluster does, per app and per pod.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { startCluster, type TestCluster } from "./cluster.js";
import { tempDir, type TestKey } from "./age-key.js";
import { isolatedAgeKey } from "./cli-harness.js";
import { mirrorsFromRegistriesYaml, startKubelets, type KubeletNodeSpec, type Kubelets } from "./kubelets.js";
import { Client } from "../cluster/client.js";
import { render } from "../cli/commands/render.js";
import { loadLab } from "../lab/file.js";
import type { Lab } from "../lab/types.js";
import { baseline, simNode, type Baseline, type Outcome, type WhatIfReport } from "../analyze/index.js";
import { fileInput } from "../ops/cluster-input.js";

export interface PodView { name: string; ns: string; app: string; node: string; phase: string; ready: boolean; terminating: boolean; unschedulable: boolean; ip: string; port: number }

/** what happened to one app instance's pods: the nodes its Ready pods run on, and how many are Terminating on the lost node or Pending */
export interface InstanceState { ready: string[]; terminating: number; pending: number }

/** "n2,n3" for a sorted list of nodes, with a mark for Terminating and Pending pods */
export const showState = (s: InstanceState): string => [...s.ready.sort(), ...Array(s.terminating).fill("Terminating"), ...Array(s.pending).fill("Pending")].join(",") || "-";

export interface LabOnKubelets {
  readonly key: TestKey;
  readonly dir: string;
  readonly labPath: string;
  readonly out: string;
  readonly lab: Lab;
  readonly b: Baseline;
  readonly cluster: TestCluster;
  readonly client: Client;
  readonly kl: Kubelets;
  /** per node: seconds from its processes' start to Ready */
  readonly readySeconds: readonly { node: string; readySeconds: number }[];
  kubectlJson<T>(args: string[]): T;
  /** the apps' pods now */
  pods(): PodView[];
  /** an instance's pods now: Ready ones by node, Terminating ones on `lost`, Pending (unschedulable) ones */
  instanceState(instance: string, lost?: string): InstanceState;
  readyOf(app: string, on?: (n: string) => boolean): PodView[];
  /** a node's Ready condition ("True", "False", "Unknown"), or "gone" */
  nodeReady(n: string): string;
  close(): Promise<void>;
}

/**
 * Renders the lab and runs it on real kubelets. `logind` decides which nodes boot systemd with a real
 * logind for the kubelet's graceful node shutdown (default: the nodes Drover renders it for).
 */
export async function runLabOnKubelets(labYaml: (recipient: string) => string): Promise<LabOnKubelets> {
  const key = isolatedAgeKey();
  const dir = tempDir();
  const labPath = join(dir, "lab.yaml");
  const out = join(dir, "out");
  writeFileSync(labPath, labYaml(key.recipient));
  await render(labPath, {});
  let cluster: TestCluster | undefined;
  let client: Client | undefined;
  let kl: Kubelets | undefined;
  let provisioner: NodeJS.Timeout | undefined;
  const close = async () => {
    if (provisioner) clearInterval(provisioner);
    client?.close();
    try {
      await kl?.close();
    } finally {
      await cluster?.stop();
    }
  };
  try {
    cluster = await startCluster({ nodeMonitorGracePeriod: "20s", defaultTolerationSeconds: 10 });
    const c = cluster;
    client = Client.fromKubeconfig({ kubeconfig: c.kubeconfig, maxSockets: 16 });
    kl = await startKubelets(c, { mirrors: mirrorsFromRegistriesYaml(readFileSync(join(out, "k3s", "registries.yaml"), "utf8")) });
    const k = kl;
    const kubectlJson = <T>(args: string[]): T => JSON.parse(c.kubectl([...args, "-o", "json"])) as T;
    const nodeReady = (n: string) => { try { return c.kubectl(["get", "node", n, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"]).trim(); } catch { return "gone"; } };

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
        // the nodes Drover renders graceful node shutdown for boot systemd, whose logind the kubelet uses
        systemd: Object.values(dropIns).some((t) => /shutdownGracePeriod/.test(t)),
      };
    });
    const appNamespaces = [...new Set(lab.apps.map((a) => a.namespace))];
    for (const s of specs) await k.addNode(s);
    const readyAt = new Map<string, number>();
    await c.waitFor("every node Ready", () => {
      for (const s of specs) if (!readyAt.has(s.name) && nodeReady(s.name) === "True") readyAt.set(s.name, Date.now());
      return readyAt.size === specs.length;
    }, 240_000).catch((e: Error) => { throw new Error(`${e.message}\n${[...k.nodes.values()].map((n) => n.logTail()).join("\n")}`); });
    const readySeconds = specs.map((s) => ({ node: s.name, readySeconds: (readyAt.get(s.name)! - k.nodes.get(s.name)!.startedAt) / 1000 }));
    for (const s of specs) {
      // k3s labels its servers itself (a kubelet may not claim node-role.kubernetes.io/* for itself)
      if (lab.nodes.find((n) => n.name === s.name)!.role === "controlplane") c.kubectl(["label", "node", s.name, "node-role.kubernetes.io/control-plane=true", "node-role.kubernetes.io/master=true", "node-role.kubernetes.io/etcd=true"]);
    }

    const pods = (): PodView[] => kubectlJson<{ items: { metadata: { name: string; namespace: string; labels?: Record<string, string>; deletionTimestamp?: string }; spec: { nodeName?: string; containers: { ports?: { containerPort: number }[] }[] }; status: { phase: string; podIP?: string; conditions?: { type: string; status: string; reason?: string }[] } }[] }>(["get", "pods", "-A"]).items
      .filter((p) => appNamespaces.includes(p.metadata.namespace))
      .map((p) => ({
        name: p.metadata.name, ns: p.metadata.namespace, app: p.metadata.labels?.["app.kubernetes.io/instance"] ?? "", node: p.spec.nodeName ?? "", phase: p.status.phase,
        ready: !!p.status.conditions?.some((x) => x.type === "Ready" && x.status === "True"), terminating: !!p.metadata.deletionTimestamp, ip: p.status.podIP ?? "",
        unschedulable: !p.spec.nodeName && !!p.status.conditions?.some((x) => x.type === "PodScheduled" && x.status === "False" && x.reason === "Unschedulable"),
        port: p.spec.containers[0]?.ports?.[0]?.containerPort ?? 0,
      }));
    const instanceState = (instance: string, lost?: string): InstanceState => {
      const ps = pods().filter((p) => p.app === instance);
      return {
        ready: ps.filter((p) => p.ready && !p.terminating && p.node !== lost).map((p) => p.node).sort(),
        terminating: ps.filter((p) => p.terminating && p.node === lost).length,
        pending: ps.filter((p) => p.unschedulable && !p.terminating).length,
      };
    };
    const readyOf = (app: string, on?: (n: string) => boolean) => pods().filter((p) => p.app === app && p.ready && !p.terminating && (!on || on(p.node)));

    // stand-in images under the upstream names the rendered workloads use, answering on their ports (and,
    // where a rendered probe runs a program such as pg_isready, holding that program too)
    const appDirs = lab.apps.map((a) => join(out, "kubernetes", "apps", a.namespace, a.name));
    const images = new Map<string, { app: string; tcp: Set<number>; udp: Set<number>; programs: Set<string> }>();
    type Container = { image: string; ports?: { containerPort: number; protocol?: string }[]; readinessProbe?: { exec?: { command: string[] } }; livenessProbe?: { exec?: { command: string[] } }; startupProbe?: { exec?: { command: string[] } } };
    for (const d of appDirs) {
      for (const o of (await fileInput([d])).objects) {
        if (o.kind !== "Deployment" && o.kind !== "StatefulSet") continue;
        const w = o as unknown as { metadata: { name: string }; spec: { template: { spec: { containers: Container[] } } } };
        for (const ct of w.spec.template.spec.containers) {
          const e = images.get(ct.image) ?? images.set(ct.image, { app: w.metadata.name, tcp: new Set(), udp: new Set(), programs: new Set() }).get(ct.image)!;
          for (const p of ct.ports ?? []) (p.protocol === "UDP" ? e.udp : e.tcp).add(p.containerPort);
          for (const probe of [ct.readinessProbe, ct.livenessProbe, ct.startupProbe]) if (probe?.exec) e.programs.add(probe.exec.command[0]!);
        }
      }
    }
    for (const [ref, e] of images) await k.pushImage(ref, k.tools.standin, "/standin", [`DROVER_STANDIN_NAME=${e.app}`, `DROVER_STANDIN_PORTS=${[...e.tcp].join(",")}`, `DROVER_STANDIN_UDP_PORTS=${[...e.udp].join(",")}`], [...e.programs]);

    // the NFS class's provisioner stands in: each claim gets a hostPath volume in one shared folder,
    // reachable from every node (all nodes share this machine's disk), which is what an NFS share is to them
    const nfsClasses = lab.storage.classes.filter((x) => x.type === "nfs").map((x) => x.name);
    const share = join(dir, "share");
    provisioner = setInterval(() => {
      try {
        for (const cl of kubectlJson<{ items: { metadata: { name: string; namespace: string }; spec: { storageClassName?: string; volumeName?: string; accessModes: string[]; resources: { requests: { storage: string } } }; status: { phase: string } }[] }>(["get", "pvc", "-A"]).items) {
          if (cl.spec.volumeName || cl.status.phase !== "Pending" || !nfsClasses.includes(cl.spec.storageClassName ?? "")) continue;
          const path = join(share, `${cl.metadata.namespace}-${cl.metadata.name}`);
          mkdirSync(path, { recursive: true, mode: 0o777 });
          c.kubectl(["apply", "-f", "-"], JSON.stringify({
            apiVersion: "v1", kind: "PersistentVolume", metadata: { name: `pv-${cl.metadata.namespace}-${cl.metadata.name}` },
            spec: { capacity: { storage: cl.spec.resources.requests.storage }, accessModes: cl.spec.accessModes, storageClassName: cl.spec.storageClassName, persistentVolumeReclaimPolicy: "Retain", hostPath: { path, type: "Directory" }, claimRef: { namespace: cl.metadata.namespace, name: cl.metadata.name } },
          }));
        }
      } catch { /* the next round */ }
    }, 1000);

    // the cluster layer the apps need (their namespaces, the storage classes), then the apps, as rendered,
    // one instance at a time in the order the simulation places them (the lab's apps in order, each app
    // before its own Postgres), each applied once the one before is bound to its node: kube-scheduler
    // places pods in the order they arrive, and a placement depends on what is already placed
    c.kubectl(["apply", "-f", join(out, "kubernetes", "infrastructure", "namespaces", "namespaces.yaml")]);
    c.kubectl(["apply", "-f", join(out, "kubernetes", "infrastructure", "storage", "resources.yaml")]);
    const b = baseline(lab);
    for (const [i, a] of lab.apps.entries()) {
      const objects = (await fileInput([appDirs[i]!])).objects;
      const instances = [...new Set((b.podsByApp.get(a.name) ?? []).map((p) => p.app))];
      for (const inst of instances) {
        // the app's own objects first (everything not labelled as a dependency instance), then each dependency's
        const mine = objects.filter((o) => { const l = (o.metadata as { labels?: Record<string, string> }).labels?.["app.kubernetes.io/instance"]; return inst === a.name ? !instances.slice(1).includes(l ?? "") : l === inst; });
        c.kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: mine }));
        const want = b.pods.filter((p) => p.app === inst).length;
        await c.waitFor(`${inst}: ${want} pod(s) bound to nodes`, () => pods().filter((p) => p.app === inst && p.node).length === want, 180_000);
      }
    }
    return { key, dir, labPath, out, lab, b, cluster: c, client, kl: k, readySeconds, kubectlJson, pods, instanceState, readyOf, nodeReady, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * Waits until every app instance is Ready, then checks that each runs where the simulation placed it and
 * that no placement is a scoring tie (the kubelets labs are sized so that none is).
 */
export async function readyAsSimulated(run: LabOnKubelets): Promise<void> {
  const { b, cluster, kl, readyOf } = run;
  const instances = [...new Set(b.pods.map((p) => p.app))];
  const planned = (inst: string) => b.pods.filter((p) => p.app === inst).length;
  await cluster.waitFor("every app instance Ready", () => instances.every((i) => readyOf(i).length === planned(i)), 300_000)
    .catch((e: Error) => { throw new Error(`${e.message}\n${cluster.kubectl(["get", "pods", "-A", "-o", "wide"])}\n${cluster.kubectl(["get", "events", "-A"]).slice(-4000)}\n${[...kl.nodes.values()].map((n) => n.logTail(15)).join("\n")}`); });
  for (const p of b.pods) assert.equal(b.state.doubtOf(p.id), undefined, `${p.id}: the simulation's placement is a tie`);
  for (const inst of instances) assert.deepEqual(readyOf(inst).map((p) => p.node).sort(), b.pods.filter((p) => p.app === inst).map((p) => b.placed.get(p.id)).sort(), `${inst}: placed as simulated`);
}

/** One app of a what-if scenario next to reality. */
export interface ScenarioRow {
  app: string;
  predicted: string;
  observed: string;
  predictedWhere: string;
  observedWhere: string;
  placementAsPredicted: boolean;
  outcomeOk: boolean;
  whyOk: boolean;
}

/** every app where what-if says, with the outcome and the reason it gives (`context` names the moment) */
export function assertAsPredicted(rows: readonly ScenarioRow[], context = ""): void {
  for (const r of rows) {
    assert.ok(r.placementAsPredicted, `${r.app}${context}: what-if predicted ${r.predictedWhere}, reality ${r.observedWhere}`);
    assert.ok(r.outcomeOk && r.whyOk, `${r.app}${context}: what-if predicted ${r.predicted}, reality ${r.observed}`);
  }
}

/** What bench/kubelets.mjs prints from a kubelets test: node start to Ready, and each scenario per app. */
export interface KubeletsReport {
  nodes: { node: string; readySeconds: number }[];
  scenarios: { scenario: string; apps: Omit<ScenarioRow, "outcomeOk" | "whyOk">[]; notes: string[] }[];
}

/** a scenario's rows as the report keeps them */
export const reportRows = (rows: readonly ScenarioRow[]): KubeletsReport["scenarios"][number]["apps"] => rows.map(({ outcomeOk: _o, whyOk: _w, ...r }) => r);

/**
 * What-if's answer for the loss of node `lost` next to the cluster's state, per app instance: where its
 * pods run (one node, or the tied ones), how many are left Terminating on the lost node and how many are
 * Pending. Lost ungracefully, every pod that ran there stays Terminating (the kubelet never confirms a
 * deletion) until the node is marked out-of-service (`marked`); shut down gracefully, the kubelet ended
 * them first, and their controllers replaced them at once.
 */
export function whatIfAgainstReality(run: LabOnKubelets, predicted: WhatIfReport, lost: string) {
  const { b, lab } = run;
  const graceful = predicted.shutdown === "graceful" && !predicted.ungracefulNodes.some((u) => u.node === lost);
  const instances = [...new Set(b.pods.map((p) => p.app))];
  const expect = (inst: string, marked: boolean) => {
    const ready: string[][] = [];
    let terminating = 0, pending = 0;
    for (const p of b.pods.filter((q) => q.app === inst)) {
      const was = b.placed.get(p.id);
      if (was !== lost) { if (was) ready.push([was]); else pending++; continue; }
      if (!marked && !graceful) terminating++;
      if (!marked && predicted.stuck[p.id]) continue;
      if (predicted.moves[p.id]) ready.push([...predicted.moves[p.id]!]);
      else { if (!predicted.pending[p.id]) throw new Error(`${p.id}: what-if says neither where it runs nor why not`); pending++; }
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
    const hit = own.filter((p) => b.placed.get(p.id) === lost);
    const after = deps.some((d) => readyCount(d) < b.pods.filter((p) => p.app === d).length) ? 0 : readyCount(app);
    if (after === 0) return "down";
    if (hit.length === 0 && after === main.length) return "unaffected";
    if (hit.some((p) => p.dependency)) return "restarted";
    return main.some((p) => b.placed.get(p.id) !== lost) ? "degraded" : "restarted";
  };
  const instancesOf = (app: string) => [...new Set((b.podsByApp.get(app) ?? []).map((p) => p.app))];

  const compare = (marked: boolean, label: string): ScenarioRow[] => {
    const now = new Map(instances.map((i) => [i, run.instanceState(i, lost)]));
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
  const allAgree = (marked: boolean) => instances.every((i) => agrees(expect(i, marked), run.instanceState(i, lost)));
  return { compare, allAgree, instances };
}
