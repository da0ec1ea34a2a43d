// A rendered file tree: relative path → content. Deterministic by construction: files are sorted
// on output, YAML is dumped with stable options, and nothing reads the clock or random numbers.
import { stringify } from "yaml";

export interface RenderedFile {
  readonly content: string;
  /** holds secret material: written 0600, never into a committed folder */
  readonly secret?: boolean;
  /** executable script */
  readonly mode?: number;
}

export type FileTree = Map<string, RenderedFile>;

export function tree(): FileTree {
  return new Map();
}

export function addFile(t: FileTree, path: string, content: string, opts: { secret?: boolean; mode?: number } = {}): void {
  if (path.startsWith("/") || path.split("/").includes("..")) throw new Error(`internal: bad render path ${path}`);
  if (t.has(path)) throw new Error(`internal: ${path} rendered twice`);
  t.set(path, { content, ...(opts.secret ? { secret: true } : {}), ...(opts.mode ? { mode: opts.mode } : {}) });
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

/** Stable YAML: block style, no line folding, keys in insertion order (callers build objects in a fixed order). */
export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false, singleQuote: false });
}

/** A multi-document YAML stream, documents separated by ---. */
export function toYamlStream(docs: readonly unknown[]): string {
  return docs.map((d) => toYaml(d)).join("---\n");
}

export function sortedPaths(t: FileTree): string[] {
  return [...t.keys()].sort();
}
