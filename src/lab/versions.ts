// The versions a lab renders: Drover's defaults (versions/defaults.ts), then lab.yaml's cluster
// versions, then the lab's versions.yaml (spec/versions.ts refuses a version set in both files).
import type { LabSpec } from "../spec/schema.js";
import { NO_OVERRIDES, type VersionOverrides } from "../spec/versions.js";
import { DEFAULT_CHARTS, DEFAULT_IMAGES, DEFAULT_KUBERNETES, DEFAULT_TALOS, FLUX_VERSION, defaultK3s, type Chart, type ChartName, type ImageName, type ImagePin, type Versions } from "../versions/defaults.js";

export function effectiveVersions(spec: LabSpec, o: VersionOverrides = NO_OVERRIDES): Versions {
  const kubernetes = o.kubernetes ?? spec.cluster.kubernetesVersion ?? DEFAULT_KUBERNETES;
  const charts = Object.fromEntries(
    (Object.entries(DEFAULT_CHARTS) as [ChartName, Chart][]).map(([k, c]) => [k, o.charts[k] ? { ...c, version: o.charts[k] } : c]),
  ) as Versions["charts"];
  const images = Object.fromEntries((Object.entries(DEFAULT_IMAGES) as [ImageName, ImagePin][]).map(([k, i]) => [k, o.images[k] ?? i])) as Versions["images"];
  return {
    talos: o.talos ?? spec.cluster.talosVersion ?? DEFAULT_TALOS,
    kubernetes,
    k3s: o.k3s ?? spec.cluster.k3sVersion ?? defaultK3s(kubernetes),
    flux: FLUX_VERSION,
    charts,
    images,
    upgradeCompatibility: o.upgradeCompatibility ?? {},
  };
}
