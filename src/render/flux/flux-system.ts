// kubernetes/flux-system: the pinned Flux release (the upstream install manifest, by URL, so the
// controllers and CRDs are exactly the release's) and gotk-sync.yaml: the GitRepository and the root
// Kustomization, which decrypts SOPS-encrypted Secrets with the age key in Secret sops-age.
import type { Lab } from "../../lab/types.js";
import { addFile, toYaml, toYamlStream, type FileTree } from "../tree.js";
import { FLUX_NS, FLUX_VERSION, gitopsPath, kustomization, meta, SOPS_SECRET, type Obj } from "./layout.js";
import { gitSource } from "./git-source.js";

export const FLUX_INSTALL_URL = `https://github.com/fluxcd/flux2/releases/download/v${FLUX_VERSION}/install.yaml`;

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

export function writeFluxSystem(t: FileTree, lab: Lab): void {
  addFile(t, "flux-system/gotk-sync.yaml", toYamlStream([gitRepository(lab), rootKustomization(lab)]));
  addFile(t, "flux-system/kustomization.yaml", toYaml(kustomization([FLUX_INSTALL_URL, "gotk-sync.yaml"])));
}
