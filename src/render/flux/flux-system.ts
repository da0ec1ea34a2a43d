// kubernetes/flux-system: the pinned Flux release, vendored (nothing is downloaded at bootstrap or at
// reconcile time), split so that the bootstrap applies the CRDs before the objects that use them:
//   flux-system/crds/          the release's CustomResourceDefinitions (applied first)
//   flux-system/controllers.yaml  namespace, RBAC, Services and Deployments of the controllers
//   flux-system/gotk-sync.yaml    the GitRepository and the root Kustomization, which decrypts
//                                 SOPS-encrypted Secrets with the age key in Secret sops-age
// The root kustomization.yaml lists flux-system/crds and flux-system, so Flux keeps both up to date.
import type { Lab } from "../../lab/types.js";
import { addFile, toYaml, toYamlStream, type FileTree } from "../tree.js";
import { FLUX_NS, gitopsPath, kustomization, meta, SOPS_SECRET, type Obj } from "./layout.js";
import { gitSource } from "./git-source.js";
import { fluxControllerObjects } from "./controllers.js";
import { fluxCrds } from "./crds.js";

/** The folders the bootstrap applies, in order (relative to the gitops path). */
export const FLUX_CRDS_DIR = "flux-system/crds";
export const FLUX_SYSTEM_DIR = "flux-system";

/**
 * The bootstrap commands, exactly as the READMEs and `drover render` print them; `path` is where the
 * rendered kubernetes/ folder is (the gitops path in a checkout of the repository by default).
 */
export function fluxBootstrapCommands(lab: Lab, path: string = gitopsPath(lab)): string[] {
  return [
    `kubectl apply --server-side -k ${path}/${FLUX_CRDS_DIR}`,
    "kubectl wait --for=condition=Established crd -l app.kubernetes.io/part-of=flux --timeout=2m",
    `kubectl apply --server-side -k ${path}/${FLUX_SYSTEM_DIR}`,
  ];
}

export function gitRepository(lab: Lab): Obj {
  const src = gitSource(lab);
  return {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "GitRepository",
    metadata: meta("flux-system", FLUX_NS),
    spec: {
      interval: "1m",
      url: src.url,
      ref: { branch: src.branch },
      ...(src.credentials !== "none" ? { secretRef: { name: "flux-system" } } : {}),
      // only the cluster's folder matters to Flux
      ignore: `/*\n!/${gitopsPath(lab)}/\n`,
    },
  };
}

export function rootKustomization(lab: Lab): Obj {
  return {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: meta("flux-system", FLUX_NS),
    spec: {
      interval: lab.gitops.interval,
      path: `./${gitopsPath(lab)}`,
      prune: true,
      sourceRef: { kind: "GitRepository", name: "flux-system" },
      decryption: { provider: "sops", secretRef: { name: SOPS_SECRET } },
    },
  };
}

let crdFiles: readonly [string, string][] | undefined;

export function writeFluxSystem(t: FileTree, lab: Lab): void {
  // the CRDs are the same for every lab: emitted once per process
  crdFiles ??= fluxCrds().map(({ file, crd }) => [file, toYaml(crd)]);
  for (const [file, text] of crdFiles) addFile(t, `${FLUX_CRDS_DIR}/${file}`, text);
  addFile(t, `${FLUX_CRDS_DIR}/kustomization.yaml`, toYaml(kustomization(crdFiles.map(([f]) => f))));
  addFile(t, "flux-system/controllers.yaml", toYamlStream(fluxControllerObjects()));
  addFile(t, "flux-system/gotk-sync.yaml", toYamlStream([gitRepository(lab), rootKustomization(lab)]));
  addFile(t, "flux-system/kustomization.yaml", toYaml(kustomization(["controllers.yaml", "gotk-sync.yaml"])));
}
