// A rendered file tree: relative path → content. Deterministic by construction: files are sorted
// on output, YAML is dumped with stable options, and nothing reads the clock or random numbers.
import { emitYaml } from "./yaml.js";

export interface RenderedFile {
  readonly content: string;
  /** holds secret material: written 0600, never into a committed folder */
  readonly secret?: boolean;
  /** executable script */
  readonly mode?: number;
  /** SOPS-encrypt this file (a Kubernetes Secret: data/stringData) before writing; done by `drover render` */
  readonly encrypt?: "sops";
  /** the data `content` was emitted from (toYaml), so encryption need not parse the text back */
  readonly doc?: unknown;
}

export type FileTree = Map<string, RenderedFile>;

export function tree(): FileTree {
  return new Map();
}

export function addFile(t: FileTree, path: string, content: string, opts: { secret?: boolean; mode?: number; encrypt?: "sops"; doc?: unknown } = {}): void {
  if (path.startsWith("/") || path.split("/").includes("..")) throw new Error(`internal: bad render path ${path}`);
  if (t.has(path)) throw new Error(`internal: ${path} rendered twice`);
  t.set(path, { content, ...(opts.secret ? { secret: true } : {}), ...(opts.mode ? { mode: opts.mode } : {}), ...(opts.encrypt ? { encrypt: opts.encrypt } : {}), ...(opts.doc !== undefined ? { doc: opts.doc } : {}) });
}

/** Merges trees, each under an optional prefix. */
export function mergeTrees(...parts: readonly (FileTree | [string, FileTree])[]): FileTree {
  const out = tree();
  for (const p of parts) {
    const [prefix, t] = Array.isArray(p) ? p : ["", p];
    for (const [path, f] of t) addFile(out, prefix ? `${prefix}/${path}` : path, f.content, f);
  }
  return out;
}

/**
 * Stable YAML: block style, no line folding, keys in insertion order (callers build objects in a fixed order).
 * Scalars are quoted as YAML 1.1 needs: Kubernetes, kustomize and Flux read YAML with Go's YAML 1.1
 * parsers, which take an unquoted `no`, `on`, `y`, `1_000` or `12:30:00` for a boolean or a number.
 */
export function toYaml(value: unknown): string {
  return emitYaml(value); // the `yaml` package's output, byte for byte, from a faster emitter (yaml.ts)
}

/** A multi-document YAML stream, documents separated by ---. */
export function toYamlStream(docs: readonly unknown[]): string {
  return docs.map((d) => toYaml(d)).join("---\n");
}

export function sortedPaths(t: FileTree): string[] {
  return [...t.keys()].sort();
}

/** The node a rendered path belongs to (a path segment or file stem equal to its name), if any. */
export function nodeOfPath(path: string, nodes: readonly string[]): string | undefined {
  const segs = path.split("/");
  for (const s of segs) {
    const stem = s.replace(/\.[^.]*$/, "");
    if (nodes.includes(s)) return s;
    if (nodes.includes(stem)) return stem;
  }
  return undefined;
}

/** Files of one node in a folder of the tree (e.g. talos/, k3s/, wireguard/). */
export function nodeFiles(t: FileTree, node: string, folder: string): string[] {
  return [...t.keys()].filter((p) => p.startsWith(`${folder}/`) && nodeOfPath(p.slice(folder.length + 1), [node]) === node).sort();
}
