// Every object of the rendered Flux tree belongs to exactly one Flux Kustomization, for every bundled
// example and every lab the suite generates: were an object (a shared Namespace above all) listed by
// two, the one that stops listing it would prune it under the other. Also: every manifest file is
// applied by some Kustomization, a Kustomization's objects only go into namespaces that exist before
// it (it owns them or waits for their owner), each component waits only for its own chart sources,
// and the PersistentVolumeClaims of apps (and the namespaces holding them) are never pruned by Flux.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Lab } from "../../lab/types.js";
import { renderApps } from "../apps/index.js";
import { renderPlatform } from "../platform/index.js";
import { mergeTrees, type FileTree } from "../tree.js";
import { exampleLab, testSecrets } from "../../testing/apps-lab.js";
import { PLATFORM_LABS } from "../../testing/platform-labs.js";
import { k3sLab } from "../../testing/k3s-lab.js";
import { meshLab } from "../../testing/mesh-lab.js";
import { generatedLab } from "../../testing/talos-labs.js";
import { fluxOwnership, longestChain, objectKey, transitiveDeps, type Ownership } from "../../testing/flux-ownership.js";
import { gitopsPath, writeLayout, type Component } from "./layout.js";
import { KEEP_ANNOTATION } from "./keep.js";
import { CHARTS } from "./charts.js";
import { writeFluxSystem } from "./flux-system.js";

const EXAMPLE_NAMES = ["starter", "talos-mixed", "pi-cluster", "proxmox-k3s", "multi-site"];

async function allLabs(): Promise<[string, Lab][]> {
  return [
    ...EXAMPLE_NAMES.map((n): [string, Lab] => [`examples/${n}`, exampleLab(n)]),
    ...PLATFORM_LABS.map(([n, make]): [string, Lab] => [n, make()]),
    ["k3s-lab (flannel)", k3sLab()],
    ["k3s-lab (cilium, registry mirror)", k3sLab({ cni: "cilium", registryMirror: true })],
    ["mesh-lab", meshLab()],
    ["mesh-lab (site leaders)", meshLab({ topology: "site-leaders" })],
    ["generated lab (3 sites)", await generatedLab({ hosts: 6, nodesPerHost: 2, sites: 3 })],
  ];
}

const clusterTree = (lab: Lab): FileTree => mergeTrees(["kubernetes", renderApps(lab, testSecrets(lab))], ["kubernetes", renderPlatform(lab, testSecrets(lab))]);

const PREEXISTING = new Set(["kube-system", "flux-system", "default"]);

function check(name: string, o: Ownership): void {
  const twice = [...o.owners].filter(([, by]) => by.length > 1).map(([k, by]) => `${k} (by ${by.join(", ")})`);
  assert.deepEqual(twice, [], `${name}: objects listed by more than one Flux Kustomization`);
  assert.deepEqual(o.unreached, [], `${name}: manifest files no Kustomization applies`);
  const owner = (key: string) => o.owners.get(key)?.[0];
  for (const ks of o.kustomizations.values()) {
    for (const d of ks.dependsOn) assert.ok(o.kustomizations.has(d), `${name}: ${ks.id} depends on ${d}, which does not exist`);
    const waits = transitiveDeps(o, ks.id);
    for (const { obj, file } of ks.objects) {
      // the object's namespace exists before it is applied: this Kustomization or one it waits for owns it
      const ns = obj.metadata?.namespace as string | undefined;
      if (ns && !PREEXISTING.has(ns)) {
        const nsOwner = owner(objectKey({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }));
        assert.ok(nsOwner, `${name}: ${file}: namespace ${ns} is created by no Kustomization`);
        assert.ok(nsOwner === ks.id || waits.has(nsOwner), `${name}: ${ks.id} applies ${obj.kind} ${ns}/${obj.metadata.name} but does not wait for ${nsOwner}, which creates ${ns}`);
      }
      // a HelmRelease's chart source is applied with it or by a Kustomization it waits for
      if (obj.kind === "HelmRelease") {
        const ref = obj.spec.chartRef ?? obj.spec.chart.spec.sourceRef;
        const src = owner(objectKey({ apiVersion: "source.toolkit.fluxcd.io/v1", kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } }));
        assert.ok(src, `${name}: the source ${ref.kind} ${ref.name} of HelmRelease ${obj.metadata.name} is rendered nowhere`);
        assert.ok(src === ks.id || waits.has(src), `${name}: ${ks.id} does not wait for ${src}, which has its chart source`);
      }
      // app data is never pruned by Flux: claims of apps, and the namespaces they live in
      if (obj.kind === "PersistentVolumeClaim" && file.startsWith("kubernetes/apps/")) {
        assert.equal(obj.metadata.annotations?.[KEEP_ANNOTATION], "disabled", `${name}: ${file}: PersistentVolumeClaim ${obj.metadata.name} may be pruned`);
        const nsObj = o.kustomizations.get(owner(objectKey({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }))!)!.objects.find((x) => x.obj.kind === "Namespace" && x.obj.metadata.name === ns)!.obj;
        assert.equal(nsObj.metadata.annotations?.[KEEP_ANNOTATION], "disabled", `${name}: namespace ${ns} holds app data but may be pruned`);
      }
    }
    // a component waits for no Kustomization of chart sources it does not use (one unreachable repository holds up only its users)
    const sourcesOf = (id: string) => {
      const objs = o.kustomizations.get(id)!.objects;
      return objs.every((x) => /^(HelmRepository|OCIRepository)$/.test(x.obj.kind)) ? objs.map((x) => x.obj.metadata.name as string) : [];
    };
    const used = new Set(ks.objects.filter((x) => x.obj.kind === "HelmRelease").map((x) => (x.obj.spec.chartRef ?? x.obj.spec.chart.spec.sourceRef).name as string));
    for (const d of ks.dependsOn) {
      const foreign = sourcesOf(d).filter((s) => !used.has(s));
      assert.deepEqual(foreign, [], `${name}: ${ks.id} waits for ${d}, which holds chart sources it does not use`);
    }
  }
}

test("every object of the rendered Flux tree belongs to exactly one Flux Kustomization (every example and generated lab)", async () => {
  let objects = 0;
  for (const [name, lab] of await allLabs()) {
    const o = fluxOwnership(clusterTree(lab), gitopsPath(lab));
    check(name, o);
    objects += o.owners.size;
  }
  assert.ok(objects > 1000, `only ${objects} objects walked`);
});

test("the checker catches an object listed by two Kustomizations (the shared-namespace bug), and a foreign source dependency", () => {
  const lab = exampleLab("talos-mixed");
  const t = clusterTree(lab);
  // the old layout: the apps wrote their own Namespace monitoring beside the platform's
  t.set("kubernetes/apps/monitoring/namespace.yaml", { content: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: monitoring\n", mode: 0o644 } as never);
  const k = t.get("kubernetes/apps/monitoring/kustomization.yaml")!;
  t.set("kubernetes/apps/monitoring/kustomization.yaml", { ...k, content: k.content.replace("resources:\n", "resources:\n  - namespace.yaml\n") });
  assert.throws(() => check("talos-mixed", fluxOwnership(t, gitopsPath(lab))), /core\/Namespace\/\/monitoring \(by flux-system\/namespaces, flux-system\/apps\)/);
});

test("dependsOn chains are as short as the real dependencies: talos-mixed's longest is 4 Kustomizations (it was 8)", () => {
  const lab = exampleLab("talos-mixed");
  const { length, chain } = longestChain(fluxOwnership(clusterTree(lab), gitopsPath(lab)));
  assert.equal(length, 4, chain.join(" → "));
  for (const n of EXAMPLE_NAMES) {
    const l = exampleLab(n);
    const c = longestChain(fluxOwnership(clusterTree(l), gitopsPath(l)));
    assert.ok(c.length <= 5, `examples/${n}: ${c.chain.join(" → ")}`);
  }
});

test("a chart source two components use gets a Kustomization of its own, which only those two wait for", () => {
  const lab = exampleLab("starter");
  const release = (name: string, ns: string, chart: keyof typeof CHARTS) => ({ apiVersion: "helm.toolkit.fluxcd.io/v2", kind: "HelmRelease", metadata: { name, namespace: ns }, spec: { chart: { spec: { chart, sourceRef: { kind: "HelmRepository", name: (CHARTS[chart].source as { repo: string }).repo, namespace: "flux-system" } } } } });
  const comps: Component[] = [
    { name: "logs", namespace: "logs", podSecurity: "restricted", dependsOn: [], objects: [release("loki", "logs", "loki")], charts: ["loki"] },
    { name: "agents", namespace: "agents", podSecurity: "privileged", dependsOn: [], objects: [release("alloy", "agents", "alloy")], charts: ["alloy"] },
    { name: "dns", namespace: "dns", podSecurity: "restricted", dependsOn: [], objects: [release("external-dns", "dns", "external-dns")], charts: ["external-dns"] },
  ];
  const t = new Map() as FileTree;
  writeFluxSystem(t, lab);
  writeLayout(t, lab, comps, { appsDependOn: [], apps: false });
  const o = fluxOwnership(mergeTrees(["kubernetes", t]), gitopsPath(lab));
  check("synthetic", o);
  assert.deepEqual(o.kustomizations.get("flux-system/logs")!.dependsOn, ["flux-system/namespaces", "flux-system/source-grafana"]);
  assert.deepEqual(o.kustomizations.get("flux-system/dns")!.dependsOn, ["flux-system/namespaces"]);
  assert.deepEqual(o.owners.get("source.toolkit.fluxcd.io/HelmRepository/flux-system/external-dns"), ["flux-system/dns"]);
});

