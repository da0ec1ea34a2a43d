// What Flux would apply from a rendered tree, Kustomization by Kustomization: starting from the root
// Kustomization in flux-system/gotk-sync.yaml, each Flux Kustomization's spec.path is walked as
// kustomize does (kustomization.yaml resources: files and folders, remote URLs left out), and the
// Flux Kustomizations found on the way are walked in turn. The result says who owns each object.
import { posix } from "node:path";
import { parseAllDocuments } from "yaml";
import type { FileTree } from "../render/tree.js";

type Obj = Record<string, any>;

export interface FluxKustomization {
  /** namespace/name */
  readonly id: string;
  readonly name: string;
  /** the folder in the tree (kubernetes/...) */
  readonly folder: string;
  readonly dependsOn: readonly string[];
  /** the objects it applies, with the file each came from */
  readonly objects: readonly { readonly key: string; readonly obj: Obj; readonly file: string }[];
}

export interface Ownership {
  /** by namespace/name, in the order found */
  readonly kustomizations: ReadonlyMap<string, FluxKustomization>;
  /** object key (group/kind/namespace/name) → the Kustomizations that apply it */
  readonly owners: ReadonlyMap<string, readonly string[]>;
  /** manifest files of the tree that no Kustomization applies */
  readonly unreached: readonly string[];
}

const groupOf = (apiVersion: string): string => (apiVersion.includes("/") ? apiVersion.split("/")[0]! : "core");

export const objectKey = (o: Obj): string => `${groupOf(String(o.apiVersion))}/${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name}`;

function docs(t: FileTree, path: string): Obj[] {
  const f = t.get(path);
  if (!f) throw new Error(`${path}: not in the tree`);
  return parseAllDocuments(f.content).map((d) => d.toJS() as Obj | null).filter((o): o is Obj => !!o && typeof o === "object" && !!o.kind);
}

/** The tree's folder `root` (e.g. "kubernetes") holds the repository's gitops path `gitopsPath`. */
export function fluxOwnership(t: FileTree, gitopsPath: string, root = "kubernetes"): Ownership {
  const toTree = (fluxPath: string): string => {
    const p = posix.normalize(fluxPath.replace(/^\.\//, "")).replace(/\/$/, "");
    if (p !== gitopsPath && !p.startsWith(`${gitopsPath}/`)) throw new Error(`Flux path ${fluxPath} is outside the gitops path ${gitopsPath}`);
    return posix.join(root, p.slice(gitopsPath.length));
  };
  const reached = new Set<string>();
  const kustomizations = new Map<string, FluxKustomization>();
  const owners = new Map<string, string[]>();

  const build = (folder: string, out: { key: string; obj: Obj; file: string }[]): void => {
    const kfile = `${folder}/kustomization.yaml`;
    if (!t.has(kfile)) throw new Error(`${folder}: no kustomization.yaml`);
    reached.add(kfile);
    const k = docs(t, kfile)[0]!;
    for (const r of (k.resources ?? []) as string[]) {
      if (/^[a-z]+:\/\//.test(r)) continue; // a remote resource (the Flux release's install.yaml)
      const p = posix.join(folder, r);
      if (t.has(p)) {
        reached.add(p);
        for (const obj of docs(t, p)) out.push({ key: objectKey(obj), obj, file: p });
      } else if (t.has(`${p}/kustomization.yaml`)) build(p, out);
      else throw new Error(`${kfile}: resource ${r} is neither a file nor a folder with a kustomization.yaml`);
    }
  };

  const rootDocs = docs(t, `${root}/flux-system/gotk-sync.yaml`);
  const queue: Obj[] = rootDocs.filter((o) => o.kind === "Kustomization" && String(o.apiVersion).startsWith("kustomize.toolkit.fluxcd.io/"));
  while (queue.length) {
    const ks = queue.shift()!;
    const id = `${ks.metadata.namespace}/${ks.metadata.name}`;
    if (kustomizations.has(id)) continue;
    const folder = toTree(String(ks.spec.path));
    const objects: { key: string; obj: Obj; file: string }[] = [];
    build(folder, objects);
    const ns = String(ks.metadata.namespace);
    kustomizations.set(id, { id, name: String(ks.metadata.name), folder, dependsOn: ((ks.spec.dependsOn ?? []) as Obj[]).map((d) => `${d.namespace ?? ns}/${d.name}`), objects });
    for (const o of objects) {
      owners.set(o.key, [...(owners.get(o.key) ?? []), id]);
      if (o.obj.kind === "Kustomization" && String(o.obj.apiVersion).startsWith("kustomize.toolkit.fluxcd.io/")) queue.push(o.obj);
    }
  }
  const unreached = [...t.keys()].filter((p) => p.startsWith(`${root}/`) && /\.ya?ml$/.test(p) && !p.startsWith(`${root}/bootstrap/`) && !reached.has(p)).sort();
  return { kustomizations, owners, unreached };
}

/** The longest dependsOn chain (number of Kustomizations on it) and one such chain, first to last. */
export function longestChain(o: Ownership): { length: number; chain: string[] } {
  const memo = new Map<string, string[]>();
  const visit = (id: string, stack: Set<string>): string[] => {
    const m = memo.get(id);
    if (m) return m;
    if (stack.has(id)) throw new Error(`dependsOn cycle through ${id}`);
    stack.add(id);
    let best: string[] = [];
    for (const d of o.kustomizations.get(id)?.dependsOn ?? []) {
      const c = visit(d, stack);
      if (c.length > best.length) best = c;
    }
    stack.delete(id);
    const chain = [...best, id];
    memo.set(id, chain);
    return chain;
  };
  let longest: string[] = [];
  for (const id of o.kustomizations.keys()) {
    const c = visit(id, new Set());
    if (c.length > longest.length) longest = c;
  }
  return { length: longest.length, chain: longest };
}

/** Every Kustomization a Kustomization waits for, directly or through others. */
export function transitiveDeps(o: Ownership, id: string): Set<string> {
  const out = new Set<string>();
  const walk = (x: string): void => {
    for (const d of o.kustomizations.get(x)?.dependsOn ?? []) if (!out.has(d)) (out.add(d), walk(d));
  };
  walk(id);
  return out;
}
