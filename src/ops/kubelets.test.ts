// Tier 2 (issue 15): the rendered lab on real kubelets. Four nodes, each a real kubelet + containerd +
// runc + CNI bridge (src/testing/kubelets.ts) joined to the real test control plane, registered with the
// labels, taints and kubelet drop-ins Drover renders for them (k3s config.yaml and user-data), pulling
// the apps' images by their upstream names through the registry mirror Drover renders (registries.yaml)
// from a local registry holding stand-ins. On it, against reality rather than kwok:
// - the rendered apps (a Deployment and a StatefulSet on the NFS class) run, answer their probes;
// - `drover node remove` of a node with running pods: drained, the pods running elsewhere;
// - `drover what-if --down <host>` versus a real power cut of that node: which apps come back where;
//   the StatefulSet stays down until the node is marked out-of-service, and comes back once it is.
// Not covered: a graceful stop (the kubelet's graceful node shutdown needs systemd-logind inhibitors,
// which this host has not; what-if --off stays proven by the simulation only).
//
// Heavy: `npm run test:kubelets` builds the runtime and runs it alone; `npm test` runs it only when the
// runtime is built and otherwise says loudly that it did not (scripts/test.mjs). The timings the
// controllers use are shortened (node monitor grace 20 s, not-ready/unreachable tolerations 10 s), which
// changes when things happen, not what happens. DROVER_KUBELETS_REPORT=<file> writes the measurements
// (bench/kubelets.mjs).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
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
import { baseline, whatIf, type Outcome } from "../analyze/index.js";

/** a duration of whole seconds as Go prints it (kubelet's configz): 30s, 2m0s */
const goDuration = (d: string): string => {
  const sec = Number(/^(\d+)s$/.exec(d)?.[1] ?? NaN);
  return sec < 60 ? `${sec}s` : `${Math.floor(sec / 60)}m${sec % 60}s`;
};

interface PodView { name: string; ns: string; app: string; node: string; phase: string; ready: boolean; terminating: boolean; ip: string }

const report: { nodes: { node: string; readySeconds: number }[]; scenarios: { scenario: string; apps: { app: string; predicted: string; observed: string; predictedWhere?: string; observedWhere?: string; placementAsPredicted: boolean }[]; notes: string[] }[] } = { nodes: [], scenarios: [] };

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

  const pods = (): PodView[] => kubectlJson<{ items: { metadata: { name: string; namespace: string; labels?: Record<string, string>; deletionTimestamp?: string }; spec: { nodeName?: string }; status: { phase: string; podIP?: string; conditions?: { type: string; status: string }[] } }[] }>(["get", "pods", "-A"]).items
    .filter((p) => ["dashboard", "monitoring"].includes(p.metadata.namespace))
    .map((p) => ({
      name: p.metadata.name, ns: p.metadata.namespace, app: p.metadata.labels?.["app.kubernetes.io/instance"] ?? "", node: p.spec.nodeName ?? "", phase: p.status.phase,
      ready: !!p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True"), terminating: !!p.metadata.deletionTimestamp, ip: p.status.podIP ?? "",
    }));
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
      };
    });
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

    // stand-in images under the upstream names the rendered workloads use, answering on their ports
    const appDirs = ["apps/dashboard/homepage", "apps/monitoring/uptime-kuma"].map((d) => join(out, "kubernetes", d));
    const images = new Map<string, { app: string; tcp: Set<number>; udp: Set<number> }>();
    for (const d of appDirs) {
      for (const doc of parseAllDocuments(readFileSync(join(d, "workload.yaml"), "utf8"))) {
        const w = doc.toJS() as { metadata: { name: string }; spec: { template: { spec: { containers: { image: string; ports?: { containerPort: number; protocol?: string }[] }[] } } } };
        for (const c of w.spec.template.spec.containers) {
          const e = images.get(c.image) ?? images.set(c.image, { app: w.metadata.name, tcp: new Set(), udp: new Set() }).get(c.image)!;
          for (const p of c.ports ?? []) (p.protocol === "UDP" ? e.udp : e.tcp).add(p.containerPort);
        }
      }
    }
    for (const [ref, e] of images) await kl.pushImage(ref, kl.tools.standin, "/standin", [`DROVER_STANDIN_NAME=${e.app}`, `DROVER_STANDIN_PORTS=${[...e.tcp].join(",")}`, `DROVER_STANDIN_UDP_PORTS=${[...e.udp].join(",")}`]);

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

    // the cluster layer the apps need (their namespaces, the storage classes), then the apps, as rendered
    cluster.kubectl(["apply", "-f", join(out, "kubernetes", "infrastructure", "namespaces", "namespaces.yaml")]);
    cluster.kubectl(["apply", "-f", join(out, "kubernetes", "infrastructure", "storage", "resources.yaml")]);
    for (const d of appDirs) cluster.kubectl(["apply", "-k", d]);
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

  it("nodes registered with the rendered labels and taints; the rendered apps run and answer on their ports", async () => {
    const { lab } = loadLab(labPath);
    // the node lifecycle controller takes its own node.kubernetes.io/not-ready taint off a moment after
    // the node turns Ready: wait for that before comparing the node's taints with the rendered ones
    const lifecycleTainted = (name: string) => (kubectlJson<{ spec: { taints?: { key: string }[] } }>(["get", "node", name]).spec.taints ?? []).some((t) => t.key.startsWith("node.kubernetes.io/"));
    await cluster.waitFor("the node lifecycle controller's not-ready taints gone", () => lab.nodes.every((n) => !lifecycleTainted(n.name)), 60_000);
    for (const n of lab.nodes) {
      const node = kubectlJson<{ metadata: { labels: Record<string, string> }; spec: { taints?: unknown[] }; status: { nodeInfo: { kubeletVersion: string; containerRuntimeVersion: string } } }>(["get", "node", n.name]);
      const conf = parse(readFileSync(join(out, "k3s", n.name, "config.yaml"), "utf8")) as { "node-label"?: string[]; "node-taint"?: string[] };
      for (const l of conf["node-label"] ?? []) { const [k, v] = l.split("="); assert.equal(node.metadata.labels[k!], v, `${n.name}: label ${k}`); }
      const taints = ((node.spec.taints ?? []) as { key: string; value?: string; effect: string }[]).map((t) => `${t.key}${t.value ? `=${t.value}` : ""}:${t.effect}`);
      assert.deepEqual(taints.sort(), [...(conf["node-taint"] ?? [])].sort(), `${n.name}: taints`);
      assert.equal(node.status.nodeInfo.kubeletVersion, `v${kl.tools.versions.kubernetes}`);
      assert.match(node.status.nodeInfo.containerRuntimeVersion, new RegExp(`^containerd://v?${kl.tools.versions.containerd.replaceAll(".", "\\.")}$`));
    }
    await cluster.waitFor("homepage 3/3 and uptime-kuma 1/1 Ready", () => readyOf("homepage").length === 3 && readyOf("uptime-kuma").length === 1, 300_000)
      .catch((e: Error) => { throw new Error(`${e.message}\n${cluster.kubectl(["get", "pods", "-A", "-o", "wide"])}\n${cluster.kubectl(["get", "events", "-A"]).slice(-4000)}\n${[...kl.nodes.values()].map((n) => n.logTail(15)).join("\n")}`); });
    // each pod answers on its node's pod network, from the node's namespace: the stand-in, by its upstream name
    for (const p of pods().filter((x) => x.ready)) {
      const port = p.app === "homepage" ? 3000 : 3001;
      const r = await kl.nodes.get(p.node)!.ns.exec(["curl", "-s", "--max-time", "5", `http://${p.ip}:${port}/`]);
      assert.equal(r.stdout.trim(), `standin ${p.app} on ${p.name}`, `${p.ns}/${p.name} on ${p.node}`);
    }
    // the volatile host's node runs with Drover's graceful-shutdown drop-in, read by the real kubelet
    // (kubelet.conf.d); the others without. (Triggering it needs systemd-logind, which this host has not.)
    for (const n of lab.nodes) {
      const r = await kl.nodes.get(n.name)!.ns.exec(["curl", "-sk", "--max-time", "5", "https://127.0.0.1:10250/configz"]);
      const kc = (JSON.parse(r.stdout) as { kubeletconfig: { shutdownGracePeriod?: string; shutdownGracePeriodCriticalPods?: string } }).kubeletconfig;
      const rendered = n.volatile ? parse(readFileSync(join(out, "k3s", n.name, "user-data"), "utf8")).write_files.find((f: { path: string }) => f.path.endsWith("-graceful-shutdown.conf")) : undefined;
      if (n.volatile) {
        const want = parse(rendered.content) as { shutdownGracePeriod: string; shutdownGracePeriodCriticalPods: string };
        assert.deepEqual([kc.shutdownGracePeriod, kc.shutdownGracePeriodCriticalPods], [want.shutdownGracePeriod, want.shutdownGracePeriodCriticalPods].map(goDuration), `${n.name}: the kubelet's shutdown grace periods are the rendered ones`);
      } else {
        assert.ok(!kc.shutdownGracePeriod || kc.shutdownGracePeriod === "0s", `${n.name}: no graceful shutdown configured (${kc.shutdownGracePeriod})`);
      }
    }
    const images = cluster.kubectl(["get", "pods", "-A", "-o", "jsonpath={range .items[*]}{.status.containerStatuses[*].image}{\"\\n\"}{end}"]);
    assert.match(images, /ghcr\.io\/gethomepage\/homepage:v1\.8\.0/);
    assert.match(images, /docker\.io\/louislam\/uptime-kuma:2\.0\.2/);
  });

  it("drover node remove of a worker running pods: drained, its pods running on the other nodes, the Node gone", async () => {
    const sts = readyOf("uptime-kuma")[0]!.node;
    const victim = readyOf("homepage").map((p) => p.node).find((n) => n !== sts && n !== "n1") ?? readyOf("homepage")[0]!.node;
    const onVictim = pods().filter((p) => p.node === victim && !p.terminating).map((p) => `${p.ns}/${p.name}`).sort();
    assert.ok(onVictim.length > 0);
    const r = await nodeRemove(victim, { labPath, rerender: (p) => render(p, {}), client, drain: { ignoreDaemonSets: true, deleteEmptyDirData: true } });
    assert.deepEqual([...(r.drained?.evicted ?? [])].sort(), onVictim);
    assert.ok(r.nodeDeleted);
    await cluster.waitFor("homepage 3/3 and uptime-kuma 1/1 Ready without the removed node", () =>
      readyOf("homepage", (n) => n !== victim).length === 3 && readyOf("uptime-kuma", (n) => n !== victim).length === 1, 180_000);
    assert.equal(nodeReady(victim), "gone");
    // the machine is switched off after its removal
    await kl.nodes.get(victim)!.kill();
    report.scenarios.push({ scenario: `drover node remove ${victim}`, apps: [], notes: [`evicted ${onVictim.join(", ")}; all Ready elsewhere`] });
  });

  it("what-if --down versus a real power cut: Deployments come back elsewhere; the StatefulSet stays down until the node is marked out-of-service, then comes back", async () => {
    const { lab } = loadLab(labPath);
    const x = readyOf("uptime-kuma")[0]!.node;
    const host = lab.nodes.find((n) => n.name === x)!.host;
    const b = baseline(lab);
    const predicted = whatIf(b, [host]);
    const simWhere = (app: string) => b.pods.filter((p) => p.app === app && !p.dependency && b.placed.has(p.id)).map((p) => b.placed.get(p.id)!).sort();
    const realWhere = (app: string) => readyOf(app).map((p) => p.node).sort();
    const beforeReady = new Map(lab.apps.map((a) => [a.name, readyOf(a.name)]));

    const t0 = Date.now();
    await kl.nodes.get(x)!.kill();
    await cluster.waitFor(`${x} NotReady`, () => nodeReady(x) === "Unknown", 120_000);
    const notReadyAfter = (Date.now() - t0) / 1000;
    // the Deployment's pods are replaced elsewhere; the StatefulSet's pod stays Terminating on x
    await cluster.waitFor("the pods on the lost node marked for deletion", () => pods().filter((p) => p.node === x).every((p) => p.terminating), 120_000);
    await cluster.waitFor("homepage 3/3 Ready off the lost node", () => readyOf("homepage", (n) => n !== x).length === 3, 180_000);
    const settled = (Date.now() - t0) / 1000;
    // what stays down stays down: 30 s more and the StatefulSet pod is still the Terminating one on x
    await new Promise((r) => setTimeout(r, 30_000));
    const stsPods = pods().filter((p) => p.app === "uptime-kuma");
    assert.deepEqual(stsPods.map((p) => [p.name, p.node, p.terminating]), [["uptime-kuma-0", x, true]], "the StatefulSet is not replaced while its node is only unreachable");

    const observed = (app: string): Outcome => {
      const before = beforeReady.get(app)!;
      const lost = before.filter((p) => p.node === x).length;
      const now = readyOf(app, (n) => n !== x).length;
      if (lost === 0) return "unaffected";
      if (now < before.length) return "down";
      return lost === before.length ? "restarted" : "degraded";
    };
    const rows = lab.apps.map((a) => {
      const p = predicted.apps.find((r) => r.app === a.name)!;
      const placementAsPredicted = JSON.stringify(simWhere(a.name)) === JSON.stringify(beforeReady.get(a.name)!.map((q) => q.node).sort());
      return { app: a.name, predicted: p.outcome, observed: observed(a.name), predictedWhere: simWhere(a.name).join(","), observedWhere: beforeReady.get(a.name)!.map((q) => q.node).sort().join(","), placementAsPredicted };
    });
    console.error(`kubelets: what-if --down ${host} (${x}) vs a power cut: ${rows.map((r) => `${r.app} predicted ${r.predicted} (on ${r.predictedWhere}), observed ${r.observed} (was on ${r.observedWhere})`).join("; ")}`);
    // the StatefulSet's node was chosen by where it really ran; for every app placed as the simulation
    // placed it, the outcome must be the one predicted (the others depend on a scheduling tie)
    for (const r of rows) if (r.placementAsPredicted) assert.equal(r.observed, r.predicted, `${r.app}: what-if predicted ${r.predicted}, reality ${r.observed}`);
    assert.equal(rows.find((r) => r.app === "uptime-kuma")!.observed, "down");
    if (rows.find((r) => r.app === "uptime-kuma")!.placementAsPredicted) assert.deepEqual(predicted.outOfService.map((o) => o.node), [x]);

    // marked out-of-service (the command what-if prints): the pod is deleted and restarts elsewhere
    const t1 = Date.now();
    cluster.kubectl(["taint", "node", x, "node.kubernetes.io/out-of-service=nodeshutdown:NoExecute"]);
    await cluster.waitFor("uptime-kuma Ready on another node", () => readyOf("uptime-kuma", (n) => n !== x).length === 1, 180_000);
    const back = (Date.now() - t1) / 1000;
    const where = readyOf("uptime-kuma")[0]!.node;
    const said = /restarts on (\S+?)\)/.exec(predicted.apps.find((a) => a.app === "uptime-kuma")!.reason ?? "")?.[1];
    report.scenarios.push({
      scenario: `what-if --down ${host} (node ${x}) vs SIGKILL of its kubelet, containerd and containers`,
      apps: rows,
      notes: [
        `NotReady after ${notReadyAfter.toFixed(0)} s, homepage Ready elsewhere after ${settled.toFixed(0)} s (grace 20 s, tolerations 10 s)`,
        `uptime-kuma Terminating on ${x} until out-of-service; Ready on ${where} ${back.toFixed(0)} s after the taint (what-if said: on ${said ?? "?"})`,
        ...realWhere("homepage").length ? [`homepage now on ${realWhere("homepage").join(",")}`] : [],
      ],
    });
  });
});
