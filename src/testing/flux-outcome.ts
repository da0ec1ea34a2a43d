// What real Flux can and cannot bring to Ready from a rendered tree on the test control plane, worked
// out from the tree itself (src/testing/flux-ownership.ts walks it as kustomize does), so a test can
// assert the observed state exactly. On this machine:
//   - nothing outside loopback is reachable (src/testing/egress.ts refuses it): a chart source
//     (HelmRepository/OCIRepository) on the internet fails, so a Kustomization that waits for it or for
//     a HelmRelease of its charts never becomes Ready ("chart"), unless the caller serves that source;
//   - kwok nodes run no containers but report their pods Running and Ready, so Deployments and
//     StatefulSets become available; claims bind only to volumes the test provides (a claim naming a
//     StorageClass has no provisioner here: "volume");
//   - a chart the caller serves (chart-hosts.ts) installs, but what it brings is only what its manifests
//     hold: a kind whose CRD no chart or file of the tree installs (Cilium's operator registers its CRDs
//     at run time, and no operator runs) cannot be applied ("crd"), nor can an object of an API group
//     an installed chart's admission webhook intercepts: the webhook is a Service of the chart's pods,
//     which kwok runs in name only, so the API server's call fails ("webhook");
//   - a Kustomization whose dependsOn names one that is not Ready waits for it ("dependency").
// Everything else is expected Ready=True at the pushed revision.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parseAllDocuments } from "yaml";
import type { FileTree } from "../render/tree.js";
import { fluxOwnership, type Ownership } from "./flux-ownership.js";
import type { ChartFacts } from "./chart-hosts.js";
import type { FluxObjectState } from "./flux.js";

type Obj = Record<string, any>;

/** A rendered output folder read back as a FileTree (paths relative to it, e.g. kubernetes/apps.yaml). */
export function readRenderedTree(outDir: string, sub = "kubernetes"): FileTree {
  const t: FileTree = new Map();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else t.set(relative(outDir, p).split("\\").join("/"), { content: readFileSync(p, "utf8") });
    }
  };
  walk(join(outDir, sub));
  return t;
}

export interface ChartSource {
  readonly kind: "HelmRepository" | "OCIRepository";
  readonly namespace: string;
  readonly name: string;
  readonly url: string;
}

export type Blocked =
  | { readonly why: "dependency"; readonly on: readonly string[] }
  | { readonly why: "chart"; readonly sources: readonly ChartSource[] }
  | { readonly why: "volume"; readonly claims: readonly string[] }
  | { readonly why: "crd"; readonly kinds: readonly string[] }
  | { readonly why: "webhook"; readonly kinds: readonly string[]; readonly charts: readonly string[] };

export interface FluxOutcome {
  readonly ownership: Ownership;
  /** Kustomization names (flux-system namespace) expected Ready=True, in dependency order */
  readonly ready: readonly string[];
  /** the others, each with why it cannot become Ready here */
  readonly blocked: ReadonlyMap<string, Blocked>;
  /** claims without a StorageClass in Kustomizations that will apply (the test provides a volume for each): namespace/name → size */
  readonly claims: ReadonlyMap<string, string>;
  /**
   * every HelmRelease of the tree (namespace/name): its chart source, and whether it installs once
   * applied (its chart is served, and so are those of the releases it depends on)
   */
  readonly releases: ReadonlyMap<string, { readonly source: ChartSource | undefined; readonly installs: boolean }>;
}

const isFlux = (o: Obj, kind: string, group: string): boolean => o.kind === kind && String(o.apiVersion).startsWith(`${group}.toolkit.fluxcd.io/`);

/** API groups the API server itself serves (and Flux's, whose CRDs the bootstrap installs). */
const BUILT_IN_GROUP = /^(|apps|batch|policy|autoscaling|[a-z.]*\.k8s\.io|[a-z]+\.toolkit\.fluxcd\.io)$/;
const NOT_BUILT_IN = new Set(["gateway.networking.k8s.io", "snapshot.storage.k8s.io", "gateway.networking.x-k8s.io", "policy.networking.k8s.io"]);
const groupOf = (apiVersion: string): string => (String(apiVersion).includes("/") ? String(apiVersion).split("/")[0]! : "");

/**
 * The outcome for the tree: `served(source)` says which chart sources the test serves (default: none);
 * `facts(release, source)` what a served chart installs with that HelmRelease's values (chart-hosts.ts).
 */
export function expectedFluxOutcome(t: FileTree, gitopsPath: string, served: (s: ChartSource) => boolean = () => false, facts?: (hr: Record<string, any>, s: ChartSource) => ChartFacts): FluxOutcome {
  const own = fluxOwnership(t, gitopsPath);
  // every Flux Kustomization object of the tree (the root one from gotk-sync.yaml) by namespace/name
  const specs = new Map<string, Obj>();
  const all = [...own.kustomizations.values()].flatMap((k) => k.objects.map((o) => o.obj));
  for (const [p, f] of t) {
    if (!p.endsWith("flux-system/gotk-sync.yaml")) continue;
    for (const d of parseAllDocuments(f.content)) all.push(d.toJS() as Obj);
  }
  for (const o of all) if (o && isFlux(o, "Kustomization", "kustomize")) specs.set(`${o.metadata.namespace}/${o.metadata.name}`, o.spec);
  const sources = new Map<string, ChartSource>();
  for (const o of all) {
    if (o && (isFlux(o, "HelmRepository", "source") || isFlux(o, "OCIRepository", "source"))) {
      sources.set(`${o.kind}/${o.metadata.namespace}/${o.metadata.name}`, { kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name, url: o.spec.url });
    }
  }
  const sourceOf = (hr: Obj): ChartSource | undefined => {
    const ref = hr.spec.chartRef ?? hr.spec.chart?.spec?.sourceRef;
    return ref ? sources.get(`${ref.kind}/${ref.namespace ?? hr.metadata.namespace}/${ref.name}`) : undefined;
  };

  // what the served charts and the tree's own CRD files install
  const crdKinds = new Set<string>();
  const webhooks = new Map<string, string>(); // API group -> the chart whose webhook intercepts it
  for (const o of all) if (o?.kind === "CustomResourceDefinition") crdKinds.add(`${o.spec.group}/${o.spec.names.kind}`);
  for (const o of all) {
    if (!o || !isFlux(o, "HelmRelease", "helm")) continue;
    const s = sourceOf(o);
    if (!s || !served(s) || !facts) continue;
    const f = facts(o, s);
    for (const k of f.crdKinds) crdKinds.add(k);
    for (const g of f.webhookGroups) webhooks.set(g, `${o.metadata.namespace}/${o.metadata.name}`);
  }
  const noCrd = (o: Obj): boolean => {
    const g = groupOf(o.apiVersion);
    return !(BUILT_IN_GROUP.test(g) && !NOT_BUILT_IN.has(g)) && !crdKinds.has(`${g}/${o.kind}`);
  };
  const ready: string[] = [];
  const blocked = new Map<string, Blocked>();
  const claims = new Map<string, string>();
  const state = new Map<string, boolean>();
  const visit = (id: string): boolean => {
    const known = state.get(id);
    if (known !== undefined) return known;
    const k = own.kustomizations.get(id);
    if (!k) throw new Error(`Kustomization ${id} is not in the tree`);
    const notReady = k.dependsOn.filter((d) => !visit(d));
    const spec = specs.get(id) ?? {};
    const waits = spec.wait === true || (spec.healthChecks?.length ?? 0) > 0;
    const checked = (o: Obj): boolean => spec.wait === true || (spec.healthChecks ?? []).some((h: Obj) => h.kind === o.kind && h.name === o.metadata.name && (h.namespace ?? o.metadata.namespace) === o.metadata.namespace);
    const objs = k.objects.map((o) => o.obj);
    const unserved = new Map<string, ChartSource>();
    for (const o of objs) {
      if (!waits || !checked(o)) continue;
      const s = isFlux(o, "HelmRelease", "helm") ? sourceOf(o) : sources.get(`${o.kind}/${o.metadata?.namespace}/${o.metadata?.name}`);
      if (s && !served(s)) unserved.set(`${s.kind}/${s.namespace}/${s.name}`, s);
    }
    const classed = objs.filter((o) => o.kind === "PersistentVolumeClaim" && o.spec?.storageClassName && waits).map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
    const kindOf = (o: Obj) => `${o.kind}/${o.metadata?.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata?.name}`;
    const crdless = objs.filter(noCrd).map(kindOf);
    const guarded = objs.filter((o) => webhooks.has(groupOf(o.apiVersion)) || (webhooks.has("*") && o.kind !== "Namespace"));
    let ok = true;
    if (notReady.length) blocked.set(id, { why: "dependency", on: notReady });
    else if (crdless.length) blocked.set(id, { why: "crd", kinds: crdless });
    else if (guarded.length) blocked.set(id, { why: "webhook", kinds: guarded.map(kindOf), charts: [...new Set(guarded.map((o) => webhooks.get(groupOf(o.apiVersion)) ?? webhooks.get("*")!))] });
    else if (unserved.size) blocked.set(id, { why: "chart", sources: [...unserved.values()] });
    else if (classed.length) blocked.set(id, { why: "volume", claims: classed });
    else ready.push(id);
    if (blocked.has(id)) ok = false;
    if (!notReady.length) {
      for (const o of objs) if (o.kind === "PersistentVolumeClaim" && !o.spec?.storageClassName) claims.set(`${o.metadata.namespace}/${o.metadata.name}`, String(o.spec.resources.requests.storage));
    }
    state.set(id, ok);
    return ok;
  };
  for (const id of own.kustomizations.keys()) visit(id);
  const hrs = new Map<string, Obj>();
  for (const o of all) if (o && isFlux(o, "HelmRelease", "helm")) hrs.set(`${o.metadata.namespace}/${o.metadata.name}`, o);
  const installs = (id: string, seen: Set<string> = new Set()): boolean => {
    const hr = hrs.get(id);
    if (!hr || seen.has(id)) return false;
    seen.add(id);
    const s = sourceOf(hr);
    return !!s && served(s) && (hr.spec.dependsOn ?? []).every((d: Obj) => installs(`${d.namespace ?? hr.metadata.namespace}/${d.name}`, seen));
  };
  const releases = new Map([...hrs].map(([id, hr]) => [id, { source: sourceOf(hr), installs: installs(id) }]));
  return { ownership: own, ready: ready.map((id) => id.split("/")[1]!), blocked: new Map([...blocked].map(([id, b]) => [id.split("/")[1]!, b])), claims, releases };
}

/** A one-line reason, for messages and reports. */
export function describeBlocked(b: Blocked): string {
  switch (b.why) {
    case "dependency": return `waits for ${b.on.map((d) => d.split("/")[1]).join(", ")}`;
    case "chart": return `chart source not reachable here: ${b.sources.map((s) => `${s.kind} ${s.name} (${s.url})`).join(", ")}`;
    case "volume": return `claims of a StorageClass with no provisioner here: ${b.claims.join(", ")}`;
    case "crd": return `no CRD for ${b.kinds.join(", ")} (registered at run time by an operator, which does not run here)`;
    case "webhook": return `${b.kinds.join(", ")}: intercepted by the admission webhook of ${b.charts.join(", ")}, whose pods kwok runs in name only`;
  }
}

/**
 * Whether the cluster shows the outcome at `revision` (main@sha1:…): every Ready one Ready at it, no
 * other Kustomization left (pruned ones gone), the dependency-blocked ones saying so, and the chart
 * sources of the chart-blocked ones failed.
 */
export function outcomeReached(objs: FluxObjectState[], want: FluxOutcome, revision: string): boolean {
  const ks = new Map(objs.filter((o) => o.kind === "Kustomization" && o.namespace === "flux-system").map((o) => [o.name, o]));
  if (ks.size !== want.ready.length + want.blocked.size) return false; // (pruned ones still going)
  for (const name of want.ready) {
    const k = ks.get(name);
    if (!k || k.ready !== "True" || k.revision !== revision || !k.observed) return false;
  }
  for (const [name, b] of want.blocked) {
    // (not `observed`: a Kustomization waiting for a dependency or a health check has not finished a
    // reconcile of its spec, and never will here)
    const k = ks.get(name);
    if (!k || k.ready === "True") return false;
    if (b.why === "dependency" && k.reason !== "DependencyNotReady") return false;
    if ((b.why === "crd" || b.why === "webhook") && (k.reason !== "ReconciliationFailed" || !(b.why === "crd" ? /no matches for kind/ : /failed calling webhook/).test(k.message))) return false;
    if (b.why === "chart") {
      for (const s of b.sources) {
        const src = objs.find((o) => o.kind === s.kind && o.namespace === s.namespace && o.name === s.name);
        if (!src || src.ready !== "False") return false;
      }
    }
  }
  return true;
}

