// The storage drivers' installs (src/storage: one file per driver, found by a class's type): each driver
// says which Helm releases, StorageClasses and Secrets it needs; this renders them into the shared
// `storage` component, in the table's order, or into a component of its own (Longhorn's).
import type { Lab, StorageClass } from "../../lab/types.js";
import { helmRelease, meta, secret, type Component, type Obj } from "../flux/layout.js";
import { CHARTS, type ChartName } from "../flux/charts.js";
import { NAMESPACES } from "./contract.js";
import type { SecretSource } from "./secrets.js";
import { STORAGE_DRIVERS, type DriverClass, type InstallItem } from "../../storage/index.js";

function storageClass(c: StorageClass, provisioner: string, parameters: Record<string, string>, extra: Obj = {}, annotations: Record<string, string> = {}): Obj {
  return {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: meta(c.name, undefined, undefined, { ...(c.default ? { "storageclass.kubernetes.io/is-default-class": "true" } : {}), ...annotations }),
    provisioner,
    // an empty map is stored as none: sending {} again reads as a change of the immutable parameters
    ...(Object.keys(parameters).length ? { parameters } : {}),
    reclaimPolicy: "Delete",
    allowVolumeExpansion: true,
    volumeBindingMode: c.nodeLocal ? "WaitForFirstConsumer" : "Immediate",
    ...extra,
  };
}

function chartName(name: string): ChartName {
  if (!(name in CHARTS)) throw new Error(`internal: storage driver chart ${name} has no pin in render/flux/charts.ts`);
  return name as ChartName;
}

function object(lab: Lab, item: InstallItem, ns: string): Obj {
  if (item.kind === "release") return helmRelease(item.name, ns, lab.versions.charts[chartName(item.chart)], item.values, item.valuesFromSecret ? { valuesFrom: [{ kind: "Secret", name: item.valuesFromSecret, valuesKey: "values.yaml" }] } : {});
  const c = lab.storageClasses.find((x) => x.name === item.name);
  if (!c) throw new Error(`internal: a storage driver rendered class ${item.name}, which the lab does not declare`);
  return storageClass(c, item.provisioner, item.parameters, item.extra, item.annotations);
}

export function storage(lab: Lab, s: SecretSource, deps: readonly string[]): Component[] {
  const shared = { objects: [] as Obj[], secrets: [] as Obj[], charts: [] as ChartName[] };
  const own: Component[] = [];
  const all: readonly DriverClass[] = lab.storageClasses;
  for (const driver of Object.values(STORAGE_DRIVERS)) {
    const classes = lab.storageClasses.filter((c) => c.type === driver.type);
    if (!classes.length) continue;
    const ns = driver.component?.namespace ?? NAMESPACES.storage;
    const install = (driver.install as (cs: readonly DriverClass[], ctx: Parameters<typeof driver.install>[1]) => ReturnType<typeof driver.install>)(classes, { namespace: ns, distribution: lab.distribution, classes: all, external: (key, description) => s.external(key, description) });
    const objects = install.items.map((i) => object(lab, i, ns));
    const secrets = install.secrets.map((x) => secret(x.name, ns, x.stringData));
    const charts = install.items.flatMap((i) => (i.kind === "release" ? [chartName(i.chart)] : []));
    if (driver.component) own.push({ name: driver.component.name, namespace: ns, podSecurity: "privileged", dependsOn: deps, objects, ...(secrets.length ? { secrets } : {}), charts });
    else {
      shared.objects.push(...objects);
      shared.secrets.push(...secrets);
      shared.charts.push(...charts);
    }
  }
  const out: Component[] = [];
  if (shared.objects.length) out.push({ name: "storage", namespace: NAMESPACES.storage, podSecurity: "privileged", dependsOn: deps, ...shared });
  return [...out, ...own];
}
