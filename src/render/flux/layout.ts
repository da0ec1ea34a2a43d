// The Flux repository layout (under the lab's gitops path, "kubernetes" by default):
//
//   kustomization.yaml            what the root Kustomization applies: flux-system/crds, flux-system, infrastructure.yaml, apps.yaml
//   flux-system/                  the Flux controllers (pinned release, vendored; CRDs in crds/) and gotk-sync.yaml: the GitRepository and
//                                 the root Kustomization with SOPS decryption (Secret sops-age)
//   infrastructure.yaml           the `namespaces` Kustomization, one Flux Kustomization per platform component
//                                 (and one per component's configuration, which needs the component's CRDs),
//                                 ordered by dependsOn: each waits only for what it really needs
//   infrastructure/namespaces/    every namespace of the tree, the platform's and the apps' (namespaces.ts): one
//                                 owner each, so no Kustomization prunes a namespace another one still uses
//   infrastructure/<component>/   the component's chart sources (HelmRepository / OCIRepository, in flux-system),
//                                 HelmRelease(s), supporting objects, SOPS-encrypted Secrets
//   infrastructure/<component>/config/   custom resources that need the component's CRDs
//   infrastructure/sources/<repo>/       a chart source that several components use (its own Kustomization)
//   apps.yaml                     the apps Kustomization, after the infrastructure it needs
//   apps/<namespace>/<app>/       written by src/render/apps
//
// Every object of the tree belongs to exactly one Flux Kustomization (a test walks them all).
import { MANAGED_BY, objectMeta } from "../meta.js";
import type { Lab } from "../../lab/types.js";
import { addFile, toYaml, toYamlStream, type FileTree } from "../tree.js";
import type { Chart, ChartName } from "./charts.js";
import type { Versions } from "../../versions/defaults.js";
import { NAMESPACES } from "../platform/contract.js";
import { namespaceObjects, PREEXISTING, type NamespaceUse } from "./namespaces.js";

export type Obj = Record<string, unknown>;
export type PodSecurityLevel = "restricted" | "baseline" | "privileged";

/** One platform component: its own folder and Flux Kustomization. */
export interface Component {
  readonly name: string;
  readonly namespace: string;
  /** Pod Security level of the namespace (components in kube-system/flux-system leave it alone) */
  readonly podSecurity: PodSecurityLevel;
  /** other components (by name) that must be ready first */
  readonly dependsOn: readonly string[];
  /** the HelmReleases and plain objects (namespace excluded: added from `namespace`) */
  readonly objects: readonly Obj[];
  /** Kubernetes Secrets, one file each (name → Secret), SOPS-encrypted on render */
  readonly secrets?: readonly Obj[];
  /** custom resources that need this component's CRDs: applied by <name>-config after <name> is ready */
  readonly config?: readonly Obj[];
  readonly configSecrets?: readonly Obj[];
  /** charts the component installs (their sources are rendered with the component, or in infrastructure/sources/<repo> when shared) */
  readonly charts: readonly ChartName[];
}

export { FLUX_VERSION } from "../../versions/defaults.js";
const FLUX_NS = NAMESPACES.flux;
const SOPS_SECRET = "sops-age";

export const meta = (name: string, namespace?: string, labels?: Record<string, string>, annotations?: Record<string, string>): Obj =>
  objectMeta(name, namespace, { ...MANAGED_BY, ...labels }, annotations);

/** A Kubernetes Secret with string data (SOPS-encrypted by `drover render`). */
export function secret(name: string, namespace: string, stringData: Record<string, string>, labels?: Record<string, string>): Obj {
  return { apiVersion: "v1", kind: "Secret", metadata: meta(name, namespace, labels), type: "Opaque", stringData };
}

/** A Namespace with its Pod Security level (the namespaces Kustomization's are built by namespaces.ts). */
export function namespace(name: string, level: PodSecurityLevel): Obj {
  return { apiVersion: "v1", kind: "Namespace", metadata: meta(name, undefined, { "pod-security.kubernetes.io/enforce": level, "pod-security.kubernetes.io/audit": level, "pod-security.kubernetes.io/warn": level }) };
}

const repoName = (c: Chart): string => (c.source.kind === "helm" ? c.source.repo : c.chart);

/** A HelmRelease (helm.toolkit.fluxcd.io/v2) of a pinned chart. */
export function helmRelease(name: string, ns: string, c: Chart, values: Obj, opts: { releaseName?: string; valuesFrom?: Obj[]; dependsOn?: { name: string; namespace?: string }[] } = {}): Obj {
  const source = c.source.kind === "oci"
    ? { chartRef: { kind: "OCIRepository", name: repoName(c), namespace: FLUX_NS } }
    : { chart: { spec: { chart: c.chart, version: c.version, sourceRef: { kind: "HelmRepository", name: repoName(c), namespace: FLUX_NS }, interval: "12h" } } };
  return {
    apiVersion: "helm.toolkit.fluxcd.io/v2",
    kind: "HelmRelease",
    metadata: meta(name, ns),
    spec: {
      interval: "1h",
      ...(opts.releaseName ? { releaseName: opts.releaseName } : {}),
      ...source,
      ...(opts.dependsOn?.length ? { dependsOn: opts.dependsOn } : {}),
      install: { crds: "CreateReplace", remediation: { retries: 3 } },
      upgrade: { crds: "CreateReplace", cleanupOnFail: true, remediation: { retries: 3, strategy: "rollback" } },
      ...(opts.valuesFrom?.length ? { valuesFrom: opts.valuesFrom } : {}),
      values,
    },
  };
}

/** The source object of a chart (HelmRepository or OCIRepository in flux-system) and its key. */
function chartSource(c: Chart): { key: string; name: string; obj: Obj } {
  const name = repoName(c);
  return {
    key: `${c.source.kind}/${name}`,
    name,
    obj: c.source.kind === "helm"
      ? { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "HelmRepository", metadata: meta(name, FLUX_NS), spec: { interval: "12h", url: c.source.url } }
      : { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "OCIRepository", metadata: meta(name, FLUX_NS), spec: { interval: "12h", url: c.source.url, ref: { tag: c.version }, layerSelector: { mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip", operation: "copy" } } },
  };
}

/** The source objects of the charts in use, one per repository or OCI artifact. */
export function chartSources(used: readonly ChartName[], versions: Versions): Obj[] {
  const out = new Map<string, Obj>();
  for (const n of [...new Set(used)].sort()) {
    const s = chartSource(versions.charts[n]);
    if (!out.has(s.key)) out.set(s.key, s.obj);
  }
  return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, o]) => o);
}

export function kustomization(resources: readonly string[]): Obj {
  return { apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources: [...resources] };
}

/** A Flux Kustomization (kustomize.toolkit.fluxcd.io/v1) of a folder of the repository. */
export function fluxKustomization(lab: Lab, name: string, folder: string, opts: { dependsOn?: readonly string[]; healthChecks?: readonly Obj[]; wait?: boolean; timeout?: string } = {}): Obj {
  return {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: meta(name, FLUX_NS),
    spec: {
      interval: lab.gitops.interval,
      retryInterval: "1m",
      timeout: opts.timeout ?? "10m",
      path: `./${gitopsPath(lab)}/${folder}`,
      prune: true,
      sourceRef: { kind: "GitRepository", name: "flux-system" },
      decryption: { provider: "sops", secretRef: { name: SOPS_SECRET } },
      ...(opts.dependsOn?.length ? { dependsOn: opts.dependsOn.map((n) => ({ name: n })) } : {}),
      ...(opts.wait ? { wait: true } : {}),
      ...(opts.healthChecks?.length ? { healthChecks: opts.healthChecks } : {}),
    },
  };
}

export const gitopsPath = (lab: Lab): string => lab.gitops.path.replace(/^\.?\/+/, "").replace(/\/+$/, "");

const kindOf = (o: Obj): string => String(o.kind);
const nameOf = (o: Obj): string => String((o.metadata as Obj).name);
const nsOf = (o: Obj): string | undefined => (o.metadata as Obj).namespace as string | undefined;

/** Writes one component: infrastructure/<name>/ (with its own chart sources) and, if it has one, infrastructure/<name>/config/. */
function writeComponent(t: FileTree, c: Component, sources: readonly Obj[]): void {
  const dir = `infrastructure/${c.name}`;
  const resources: string[] = [];
  if (sources.length) {
    addFile(t, `${dir}/sources.yaml`, toYamlStream(sources));
    resources.push("sources.yaml");
  }
  const releases = c.objects.filter((o) => kindOf(o) === "HelmRelease");
  const others = c.objects.filter((o) => kindOf(o) !== "HelmRelease");
  if (releases.length) {
    addFile(t, `${dir}/release.yaml`, toYamlStream(releases));
    resources.push("release.yaml");
  }
  if (others.length) {
    addFile(t, `${dir}/resources.yaml`, toYamlStream(others));
    resources.push("resources.yaml");
  }
  for (const s of c.secrets ?? []) {
    const f = `${nameOf(s)}.sops.yaml`;
    addFile(t, `${dir}/${f}`, toYaml(s), { encrypt: "sops" });
    resources.push(f);
  }
  addFile(t, `${dir}/kustomization.yaml`, toYaml(kustomization(resources)));
  if (c.config?.length || c.configSecrets?.length) {
    const cres: string[] = [];
    if (c.config?.length) {
      addFile(t, `${dir}/config/resources.yaml`, toYamlStream(c.config));
      cres.push("resources.yaml");
    }
    for (const s of c.configSecrets ?? []) {
      const f = `${nameOf(s)}.sops.yaml`;
      addFile(t, `${dir}/config/${f}`, toYaml(s), { encrypt: "sops" });
      cres.push(f);
    }
    addFile(t, `${dir}/config/kustomization.yaml`, toYaml(kustomization(cres)));
  }
}

/** The Flux Kustomization name that makes a component's contract usable (its config when it has one). */
export const readyName = (c: Component): string => (c.config?.length || c.configSecrets?.length ? `${c.name}-config` : c.name);

/** The namespace a component creates (none for the cluster's and Flux's own). */
const ownNamespace = (c: Component): boolean => !PREEXISTING.has(c.namespace);

/**
 * Writes infrastructure/, infrastructure.yaml, apps.yaml and the root kustomization.yaml. `appNamespaces`
 * are the namespaces the apps and functions use (src/render/apps/namespaces.ts): the `namespaces`
 * Kustomization creates them with the platform's.
 */
export function writeLayout(t: FileTree, lab: Lab, components: readonly Component[], opts: { appsDependOn: readonly string[]; apps: boolean; appNamespaces?: readonly NamespaceUse[] }): void {
  const byName = new Map(components.map((c) => [c.name, c]));
  for (const c of components) for (const d of c.dependsOn) if (!byName.has(d)) throw new Error(`internal: component ${c.name} depends on unknown ${d}`);

  // every namespace, once
  const nsObjects = namespaceObjects([
    ...components.filter(ownNamespace).map((c): NamespaceUse => ({ name: c.namespace, podSecurity: c.podSecurity, holdsData: false })),
    ...(opts.apps ? opts.appNamespaces ?? [] : []),
  ]);
  const ks: Obj[] = [];
  if (nsObjects.length) {
    addFile(t, "infrastructure/namespaces/namespaces.yaml", toYamlStream(nsObjects));
    addFile(t, "infrastructure/namespaces/kustomization.yaml", toYaml(kustomization(["namespaces.yaml"])));
    ks.push(fluxKustomization(lab, NAMESPACES_KS, "infrastructure/namespaces", { wait: true, timeout: "2m" }));
  }
  const nsDep = nsObjects.length ? [NAMESPACES_KS] : [];

  // chart sources: with the one component that uses them, or in a Kustomization of their own when shared
  const users = new Map<string, { name: string; obj: Obj; components: Set<string> }>();
  for (const c of components) {
    for (const n of c.charts) {
      const s = chartSource(lab.versions.charts[n]);
      const u = users.get(s.key) ?? { name: s.name, obj: s.obj, components: new Set<string>() };
      u.components.add(c.name);
      users.set(s.key, u);
    }
  }
  const sorted = [...users].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const shared = sorted.filter(([, u]) => u.components.size > 1);
  for (const [, u] of shared) {
    addFile(t, `infrastructure/sources/${u.name}/source.yaml`, toYaml(u.obj));
    addFile(t, `infrastructure/sources/${u.name}/kustomization.yaml`, toYaml(kustomization(["source.yaml"])));
    ks.push(fluxKustomization(lab, `source-${u.name}`, `infrastructure/sources/${u.name}`, { wait: true, timeout: "5m" }));
  }

  for (const c of components) {
    const own = sorted.filter(([, u]) => u.components.size === 1 && u.components.has(c.name)).map(([, u]) => u.obj);
    writeComponent(t, c, own);
    const releases = c.objects.filter((o) => kindOf(o) === "HelmRelease");
    ks.push(fluxKustomization(lab, c.name, `infrastructure/${c.name}`, {
      dependsOn: [
        ...(ownNamespace(c) ? nsDep : []),
        ...shared.filter(([, u]) => u.components.has(c.name)).map(([, u]) => `source-${u.name}`),
        ...c.dependsOn.map((d) => readyName(byName.get(d)!)),
      ],
      // the releases' readiness is the component's health; plain objects (no releases) are waited for
      ...(releases.length
        ? { healthChecks: releases.map((r) => ({ apiVersion: "helm.toolkit.fluxcd.io/v2", kind: "HelmRelease", name: nameOf(r), namespace: nsOf(r) })) }
        : { wait: true }),
    }));
    if (readyName(c) !== c.name) ks.push(fluxKustomization(lab, `${c.name}-config`, `infrastructure/${c.name}/config`, { dependsOn: [c.name], wait: true, timeout: "5m" }));
  }
  addFile(t, "infrastructure.yaml", toYamlStream(ks));
  const appsDeps = [...nsDep, ...opts.appsDependOn.map((n) => readyName(byName.get(n)!))];
  if (opts.apps) addFile(t, "apps.yaml", toYaml(fluxKustomization(lab, "apps", "apps", { dependsOn: appsDeps, wait: true, timeout: "15m" })));
  addFile(t, "kustomization.yaml", toYaml(kustomization(["flux-system/crds", "flux-system", "infrastructure.yaml", ...(opts.apps ? ["apps.yaml"] : [])])));
}

/** The Flux Kustomization that owns every namespace. */
export const NAMESPACES_KS = "namespaces";

export { SOPS_SECRET, FLUX_NS };
