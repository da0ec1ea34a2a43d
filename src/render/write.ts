// Writing a rendered tree to disk without ever leaving a half-written folder: render into a
// temporary sibling, then swap it into place. Secret files are 0600.
import { mkdirSync, writeFileSync, renameSync, rmSync, existsSync, mkdtempSync, chmodSync } from "node:fs";
import { dirname, join, basename, resolve } from "node:path";
import type { FileTree } from "./tree.js";
import { sortedPaths } from "./tree.js";

/** onFile: called after each file is written (tests use it to interrupt a write half-way). */
export function writeTree(t: FileTree, outDir: string, opts: { onFile?: (path: string) => void } = {}): { files: number } {
  const target = resolve(outDir);
  mkdirSync(dirname(target), { recursive: true });
  const tmp = mkdtempSync(join(dirname(target), `.${basename(target)}.tmp-`));
  try {
    for (const path of sortedPaths(t)) {
      const f = t.get(path)!;
      const p = join(tmp, path);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, f.content, { mode: f.secret ? 0o600 : (f.mode ?? 0o644) });
      if (f.secret) chmodSync(p, 0o600);
      opts.onFile?.(path);
    }
    const old = `${tmp}.old`;
    if (existsSync(target)) renameSync(target, old);
    renameSync(tmp, target);
    rmSync(old, { recursive: true, force: true });
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return { files: t.size };
}
