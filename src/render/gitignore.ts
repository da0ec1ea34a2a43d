// The .gitignore files of a rendered tree, derived from the files' secret flags: every file that holds
// secret material (keys, tokens, password hashes; or a manifest still waiting for SOPS encryption) is
// named in a .gitignore at the top of its folder, so that `git add -A` anywhere above it (the lab
// folder, the output folder, or the top folder pushed as its own repository) never stages it. Derived,
// not written by hand: a new secret output is ignored the day it is rendered.
import type { FileTree, RenderedFile } from "./tree.js";
import { addFile, sortedPaths } from "./tree.js";

export const GITIGNORE = ".gitignore";

/** Whether a rendered file must never reach Git: secret, or a Secret not yet SOPS-encrypted. */
export function isSecretFile(f: RenderedFile): boolean {
  return !!f.secret || f.encrypt !== undefined;
}

/** The folder whose .gitignore names a file: its top-level folder, or the root for a top-level file. */
function ignoreRoot(path: string): string {
  const slash = path.indexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

/**
 * A path as a gitignore pattern matching exactly that file: anchored with a leading slash, and every
 * character gitignore reads specially (\ * ? [ and trailing blanks) escaped with a backslash. A line
 * break cannot be carried by the format: refused.
 */
export function gitignorePattern(rel: string): string {
  if (/[\r\n]/.test(rel) || rel === "") throw new Error(`internal: cannot name ${JSON.stringify(rel)} in a .gitignore`);
  return "/" + rel.replace(/[\\*?[\]]/g, (c) => `\\${c}`).replace(/ (?= *$)/g, "\\ ");
}

/** The .gitignore files the tree needs (folder/.gitignore → text); a tree that renders its own .gitignore is a bug. */
export function gitignores(t: FileTree): FileTree {
  const byRoot = new Map<string, string[]>();
  for (const path of sortedPaths(t)) {
    if (path === GITIGNORE || path.endsWith(`/${GITIGNORE}`)) throw new Error(`internal: ${path} is rendered; .gitignore files are derived by the writer`);
    if (!isSecretFile(t.get(path)!)) continue;
    const root = ignoreRoot(path);
    const list = byRoot.get(root) ?? [];
    list.push(root ? path.slice(root.length + 1) : path);
    byRoot.set(root, list);
  }
  const out: FileTree = new Map();
  for (const root of [...byRoot.keys()].sort()) {
    const lines = [
      "# Written by drover render from the files it marks secret (keys, tokens, password hashes; mode 0600).",
      "# Never commit them: they are rendered again from lab.yaml and the encrypted secrets store.",
      ...byRoot.get(root)!.map(gitignorePattern),
      "",
    ];
    addFile(out, root ? `${root}/${GITIGNORE}` : GITIGNORE, lines.join("\n"));
  }
  return out;
}
