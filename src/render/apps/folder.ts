// One app's folder in the Flux tree: its manifests, one file per concern, and the kustomization.yaml
// that lists them. Secrets go in files of their own, flagged for SOPS encryption.
import { addFile, toYaml, toYamlStream, type FileTree } from "../tree.js";

export interface FolderFile {
  readonly file: string;
  readonly docs: readonly Record<string, unknown>[];
  /** a Kubernetes Secret: one document, SOPS-encrypted by `drover render` */
  readonly secret?: boolean;
}

export interface Folder {
  readonly namespace: string;
  readonly name: string;
  readonly files: readonly FolderFile[];
  /** Pod Security level the folder's pods need (the namespace takes the most permissive) */
  readonly podSecurity: PodSecurityLevel;
}

export type PodSecurityLevel = "restricted" | "baseline" | "privileged";

export function kustomization(resources: readonly string[]): Record<string, unknown> {
  return { apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources: [...resources] };
}

/** Writes the folder under apps/<namespace>/<name>/. */
export function writeFolder(t: FileTree, f: Folder): void {
  const dir = `apps/${f.namespace}/${f.name}`;
  const files = f.files.filter((x) => x.docs.length);
  for (const x of files) {
    if (x.secret) {
      if (x.docs.length !== 1) throw new Error(`internal: ${dir}/${x.file} must hold exactly one Secret`);
      addFile(t, `${dir}/${x.file}`, toYaml(x.docs[0]), { encrypt: "sops", doc: x.docs[0] });
    } else addFile(t, `${dir}/${x.file}`, toYamlStream(x.docs));
  }
  addFile(t, `${dir}/kustomization.yaml`, toYaml(kustomization(files.map((x) => x.file))));
}

const ORDER: Record<PodSecurityLevel, number> = { restricted: 0, baseline: 1, privileged: 2 };
export const mostPermissive = (levels: readonly PodSecurityLevel[]): PodSecurityLevel =>
  levels.reduce<PodSecurityLevel>((a, b) => (ORDER[b] > ORDER[a] ? b : a), "restricted");

/**
 * apps/<namespace>/kustomization.yaml lists the namespace's apps and apps/kustomization.yaml the
 * namespaces. The Namespace objects are not here: the platform's `namespaces` Kustomization owns every
 * namespace (see src/render/flux/namespaces.ts), so removing the last app of a namespace never prunes it.
 */
export function writeAppsIndex(t: FileTree, folders: readonly Folder[]): void {
  const byNs = new Map<string, Folder[]>();
  for (const f of folders) {
    const list = byNs.get(f.namespace) ?? [];
    list.push(f);
    byNs.set(f.namespace, list);
  }
  const namespaces = [...byNs.keys()].sort();
  for (const ns of namespaces) addFile(t, `apps/${ns}/kustomization.yaml`, toYaml(kustomization(byNs.get(ns)!.map((f) => f.name).sort())));
  if (namespaces.length) addFile(t, "apps/kustomization.yaml", toYaml(kustomization(namespaces)));
}
