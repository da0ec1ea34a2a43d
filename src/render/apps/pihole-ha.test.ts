// Highly available DNS (issue 13, item 10; seed 002's first goal): Pi-hole with replicas: 2 is two
// independent Pi-holes (each its own /etc/pihole from the StatefulSet's claim templates) on two hosts
// behind the one DNS address, each given every private record by its own external-dns; what-if shows
// DNS surviving any one host.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { loadLabText } from "../../lab/load.js";
import { EXAMPLES } from "../../testing/paths.js";
import { renderLab } from "../index.js";
import { testSecrets } from "../../testing/apps-lab.js";
import { allSingle, baseline, whatIf } from "../../analyze/whatif.js";

type Obj = Record<string, any>;
const text = readFileSync(join(EXAMPLES, "pi-cluster", "lab.yaml"), "utf8");
const docs = (lab: NonNullable<ReturnType<typeof loadLabText>["lab"]>): [string, Obj][] =>
  [...renderLab(lab, testSecrets(lab))].filter(([p]) => p.startsWith("kubernetes/") && p.endsWith(".yaml")).flatMap(([p, f]) => parseAllDocuments(f.content).map((d) => [p, d.toJS()] as [string, Obj])).filter(([, o]) => o);

test("pi-cluster: replicas: 2 renders two independent Pi-holes spread across hosts, each with its own claims, behind one DNS address", () => {
  const lab = loadLabText(text, "lab.yaml").lab!;
  assert.ok(lab);
  const pihole = lab.app("pihole");
  assert.equal(pihole.replicas, 2);
  assert.equal(pihole.independentReplicas, true);
  const all = docs(lab);
  const of = (kind: string, name: string) => all.filter(([, o]) => o.kind === kind && o.metadata.name === name).map(([, o]) => o);
  const [sts] = of("StatefulSet", "pihole");
  assert.equal(sts!.spec.replicas, 2);
  assert.equal(sts!.spec.serviceName, "pihole-replicas");
  assert.equal(sts!.spec.podManagementPolicy, "Parallel");
  assert.deepEqual(sts!.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: "Retain", whenScaled: "Retain" });
  // its own config claim per replica, filled from the backup on a rebuild; no shared claim
  assert.deepEqual(sts!.spec.volumeClaimTemplates.map((t: Obj) => [t.metadata.name, t.spec.storageClassName, t.spec.dataSourceRef?.kind]), [["config", "iscsi", "ReplicationDestination"]]);
  assert.equal(sts!.spec.template.spec.volumes, undefined);
  assert.equal(all.filter(([, o]) => o.kind === "PersistentVolumeClaim" && o.metadata.namespace === pihole.namespace).length, 0);
  // on two different hosts, and never both drained at once
  assert.deepEqual(sts!.spec.template.spec.topologySpreadConstraints.map((c: Obj) => [c.topologyKey, c.maxSkew, c.whenUnsatisfiable]), [["drover.dev/host", 1, "DoNotSchedule"]]);
  assert.equal(of("PodDisruptionBudget", "pihole")[0]!.spec.maxUnavailable, 1);
  // one DNS address for the network, a name per replica for external-dns
  const [lb] = of("Service", "pihole-lb");
  assert.equal(lb!.spec.type, "LoadBalancer");
  assert.equal(of("Service", "pihole-replicas")[0]!.spec.clusterIP, "None");
  const servers = all.filter(([, o]) => o.kind === "HelmRelease" && o.spec.values?.provider?.name === "pihole").map(([, o]) => o.spec.values.extraArgs.find((x: string) => x.startsWith("--pihole-server=")));
  assert.deepEqual(servers, [0, 1].map((i) => `--pihole-server=http://pihole-${i}.pihole-replicas.${pihole.namespace}.svc.cluster.local:80`));
  // the first replica's claim is the one backed up (the replicas hold the same)
  const sources = all.filter(([, o]) => o.kind === "ReplicationSource" && o.metadata.namespace === pihole.namespace).map(([, o]) => o.spec.sourcePVC);
  assert.ok(sources.length > 0 && sources.every((s) => s === "config-pihole-0"), JSON.stringify(sources));
});

test("pi-cluster what-if: DNS survives any single board with two Pi-holes, and not with one", () => {
  const lab = loadLabText(text, "lab.yaml").lab!;
  const b = baseline(lab);
  const hostsOf = [...b.placed].filter(([id]) => id.startsWith(`${lab.app("pihole").namespace}/pihole-`)).map(([, node]) => lab.node(node).host);
  assert.equal(new Set(hostsOf).size, 2, `the replicas share a host: ${hostsOf.join(", ")}`);
  const r = whatIf(b, [hostsOf[0]!]);
  const p = r.apps.find((a) => a.app === "pihole")!;
  assert.equal(p.outcome, "degraded", JSON.stringify(p));
  assert.equal(p.after, 1);
  assert.ok(!r.spofs.some((s) => s.component === "DNS"), JSON.stringify(r.spofs));
  for (const rep of allSingle(b).filter((x) => x.unit.kind === "host")) {
    assert.notEqual(rep.apps.find((a) => a.app === "pihole")!.outcome, "down", rep.unit.name);
    assert.ok(!rep.spofs.some((s) => s.component === "DNS"), rep.unit.name);
  }
  // one Pi-hole: the board it runs on takes the network's DNS with it
  const one = loadLabText(text.replace("{ name: pihole, replicas: 2,", "{ name: pihole,"), "lab.yaml").lab!;
  const b1 = baseline(one);
  const host = one.node(b1.placed.get(`${one.app("pihole").namespace}/pihole-0`)!).host;
  const r1 = whatIf(b1, [host]);
  assert.ok(r1.spofs.some((s) => s.component === "DNS"), JSON.stringify(r1.spofs));
});

test("replicas: 2 stays refused for an app whose replicas would share one volume", () => {
  const r = loadLabText(text.replace("{ name: pihole, replicas: 2,", "{ name: pihole,").replace(/^apps:\n/m, "apps:\n  - { name: vaultwarden, replicas: 2 }\n"), "lab.yaml");
  assert.equal(r.lab, undefined);
  assert.ok(r.diagnostics.some((d) => d.severity === "error" && /runs one replica/.test(d.message)), JSON.stringify(r.diagnostics));
});
