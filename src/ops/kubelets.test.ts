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
// - the volatile host's node boots systemd (a container with systemd as PID 1 and a real logind) and its
//   kubelet holds the delay inhibitor lock of Drover's rendered graceful node shutdown there. The planned
//   shutdown itself is kubelets-shutdown.test.ts.
//
// Heavy: `npm run test:kubelets` builds the runtime and runs it alone; `npm test` runs it only when the
// runtime is built and otherwise says loudly that it did not (scripts/test.mjs). The timings the
// controllers use are shortened (node monitor grace 20 s, not-ready/unreachable tolerations 10 s), which
// changes when things happen, not what happens. DROVER_KUBELETS_REPORT=<file> writes the measurements
// (bench/kubelets.mjs).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { kubeletsLabYaml, KUBELETS_DOWN_HOST } from "../testing/kubelets-lab.js";
import { assertAsPredicted, readyAsSimulated, reportRows, runLabOnKubelets, showState, whatIfAgainstReality, type KubeletsReport, type LabOnKubelets } from "../testing/kubelets-run.js";
import { loginInhibitors } from "../testing/kubelets.js";
import { render } from "../cli/commands/render.js";
import { nodeRemove } from "./node-remove.js";
import { simNode, whatIf, type WhatIfReport } from "../analyze/index.js";
import { parseBytes, parseMillicores } from "../net/quantity.js";

/** a duration of whole seconds as Go prints it (kubelet's configz): 30s, 2m0s */
const goDuration = (d: string): string => {
  const sec = Number(/^(\d+)s$/.exec(d)?.[1] ?? NaN);
  return sec < 60 ? `${sec}s` : `${Math.floor(sec / 60)}m${sec % 60}s`;
};

const report: KubeletsReport = { nodes: [], scenarios: [] };

describe("kubelets (Tier 2): the rendered lab on real kubelets + containerd", { timeout: 40 * 60_000 }, () => {
  let run: LabOnKubelets;

  before(async () => {
    run = await runLabOnKubelets((recipient) => kubeletsLabYaml({ recipient }));
    report.nodes.push(...run.readySeconds);
    console.error(`kubelets: container start → Ready: ${report.nodes.map((n) => `${n.node} ${n.readySeconds.toFixed(1)} s`).join(", ")}`);
  });

  after(async () => {
    await run?.close();
    if (process.env.DROVER_KUBELETS_REPORT) writeFileSync(process.env.DROVER_KUBELETS_REPORT, JSON.stringify(report, null, 2));
  });

  it("nodes registered with the rendered labels, taints and the lab's sizes; the rendered apps run where the simulation places them and answer on their ports", async () => {
    const { lab, b, cluster, kl, pods, readyOf, kubectlJson, out } = run;
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
    await readyAsSimulated(run);
    // each pod answers on its node's pod network, from the node's namespace: the stand-in, by its upstream name
    for (const p of pods().filter((x) => x.ready)) {
      const r = await kl.nodes.get(p.node)!.ns.exec(["curl", "-s", "--max-time", "5", `http://${p.ip}:${p.port}/`]);
      assert.match(r.stdout.trim(), new RegExp(`^standin \\S+ on ${p.name}$`), `${p.ns}/${p.name} on ${p.node}`);
    }
    const instances = [...new Set(b.pods.map((p) => p.app))];
    console.error(`kubelets: placement (real = simulated): ${instances.map((i) => `${i} ${readyOf(i).map((p) => p.node).sort().join(",")}`).join("; ")}`);
    // the volatile host's node runs with Drover's graceful-shutdown drop-in, read by the real kubelet
    // (kubelet.conf.d); the others without. (Triggering it: shutdown.kubelets.test.ts.)
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
        await cluster.waitFor(`${n.name}: the kubelet's inhibitor lock`, () => loginInhibitors(bus).some((i) => i.who === "kubelet" && i.what === "shutdown"), 60_000)
          .catch((e: Error) => { throw new Error(`${e.message}\n${kl.nodes.get(n.name)!.logTail(20)}`); });
        const { what, who, why, mode } = loginInhibitors(bus).find((i) => i.who === "kubelet")!;
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
    const { lab, b, cluster, kl, pods, nodeReady } = run;
    const host = KUBELETS_DOWN_HOST;
    const x = lab.nodes.find((n) => n.host === host)!.name;
    const predicted = whatIf(b, [host]);
    const { compare, allAgree, instances } = whatIfAgainstReality(run, predicted, x);
    const before = new Map(instances.map((i) => [i, pods().filter((p) => p.app === i && !p.terminating).map((p) => p.node).sort()]));

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
    assertAsPredicted(rows);
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
    assertAsPredicted(marked, " (node marked out-of-service)");
    assert.ok(settledAfter);
    assert.ok(marked.some((r) => r.observed === "down (Pending)"), "a Pending app once the node is marked");
    report.scenarios.push({
      scenario: `what-if --down ${host} (node ${x}) vs SIGKILL of its kubelet, containerd and containers`,
      apps: reportRows(rows),
      notes: [`NotReady after ${notReadyAfter.toFixed(0)} s; every app as predicted after ${settled.toFixed(0)} s (node monitor grace 20 s, not-ready/unreachable tolerations 10 s), unchanged 30 s later`,
        `baseline placement (real = simulated): ${[...before].map(([i, nodes]) => `${i} ${nodes.join(",")}`).join("; ")}`],
    });
    report.scenarios.push({
      scenario: `then ${predicted.outOfService[0]!.command}`,
      apps: reportRows(marked),
      notes: [`every app as predicted ${back.toFixed(0)} s after the taint`],
    });
  });

  it("drover node remove of a worker running pods: drained, the Node gone, its pods recreated on the other nodes (Ready where they fit)", async () => {
    const { cluster, kl, pods, readyOf, nodeReady, instanceState, labPath, client } = run;
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
