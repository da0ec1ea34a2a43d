// The CustomResourceDefinitions of the pinned Flux release, vendored in the repository
// (vendor/flux/v<version>/crds.json: source- and kustomize-controller's config/crd/bases, helm- and
// notification-controller's generated from their api modules with controller-gen, as upstream does,
// each read as Kubernetes reads YAML; scripts/flux/vendor.mjs refreshes them from the tool cache and a
// test keeps them equal to it). They are rendered into kubernetes/flux-system/crds/ so that nothing is
// downloaded at bootstrap or reconcile time, and so that the bootstrap applies them before the objects
// that use them.
import { readFileSync } from "node:fs";
import { FLUX_NS, FLUX_VERSION, type Obj } from "./layout.js";

/** The vendored CRDs (dist/render/flux → the package root). */
export const FLUX_CRD_FILE = new URL(`../../../vendor/flux/v${FLUX_VERSION}/crds.json`, import.meta.url);

const controllerOf = (group: string): string => `${group.split(".")[0]}-controller`;

let cached: readonly { file: string; crd: Obj }[] | undefined;

/** The vendored CRDs, file name → object, in file-name order, exactly as upstream ships them. */
export function vendoredFluxCrds(): readonly { file: string; crd: Obj }[] {
  cached ??= JSON.parse(readFileSync(FLUX_CRD_FILE, "utf8")) as { file: string; crd: Obj }[];
  return cached;
}

/** The CRDs as Drover renders them: labelled as `flux install` labels them (and as Drover's own). */
export function fluxCrds(): { file: string; crd: Obj }[] {
  return vendoredFluxCrds().map(({ file, crd }) => {
    if (crd.kind !== "CustomResourceDefinition" || !/^[a-z0-9._-]+\.yaml$/.test(file)) throw new Error(`internal: vendored Flux CRD ${file} is not a CRD file`);
    const m = crd.metadata as Obj;
    const labels = {
      "app.kubernetes.io/managed-by": "drover",
      "app.kubernetes.io/component": controllerOf(String((crd.spec as Obj).group)),
      "app.kubernetes.io/instance": FLUX_NS,
      "app.kubernetes.io/part-of": "flux",
      "app.kubernetes.io/version": `v${FLUX_VERSION}`,
    };
    // the same keys in the same order, the metadata labelled
    return { file, crd: Object.fromEntries(Object.entries(crd).map(([k, v]) => [k, k === "metadata" ? { ...m, labels: { ...labels, ...(m.labels as Obj | undefined) } } : v])) };
  });
}
