// Writing a rendered tree to disk without ever leaving a half-written folder. A new folder is
// written into a temporary sibling and renamed into place. An existing folder is updated: files
// whose content and mode are unchanged are left alone (a re-render usually changes few of 40,000
// files), changed and new files are first written beside their targets under temporary names, and
// only when all of them are written are they renamed into place and stale files removed — an error
// while writing (disk full, permissions) removes the temporary files and leaves the previous output
// as it was. Secret files are 0600.
import { closeSync, existsSync, fstatSync, mkdirSync, mkdtempSync, openSync, readSync, readdirSync, renameSync, rmSync, rmdirSync, statSync, unlinkSync, writeFileSync, chmodSync } from "node:fs";
import { dirname, join, basename, resolve } from "node:path";
import type { FileTree, RenderedFile } from "./tree.js";
import { sortedPaths } from "./tree.js";

export interface WriteOptions {
  /** called after each file is written or found unchanged (tests use it to interrupt a write half-way) */
  readonly onFile?: (path: string) => void;
}

/** Writes the tree to outDir; returns how many files it holds and how many were (re)written. */
export function writeTree(t: FileTree, outDir: string, opts: WriteOptions = {}): { files: number; written: number } {
  const target = resolve(outDir);
  mkdirSync(dirname(target), { recursive: true });
  let existing: Listing | undefined;
  try {
    if (statSync(target).isDirectory()) existing = list(target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  const written = existing && !conflicts(t, existing) ? update(t, target, existing, opts) : swap(t, target, opts);
  return { files: t.size, written };
}

const fileMode = (f: RenderedFile): number => (f.secret ? 0o600 : (f.mode ?? 0o644));

function writeOne(p: string, f: RenderedFile): void {
  writeFileSync(p, f.content, { mode: fileMode(f) });
  if (f.secret) chmodSync(p, 0o600);
}

/** The whole tree into a temporary sibling folder, swapped into place. */
function swap(t: FileTree, target: string, opts: WriteOptions): number {
  const tmp = mkdtempSync(join(dirname(target), `.${basename(target)}.tmp-`));
  try {
    const made = new Set<string>();
    for (const path of sortedPaths(t)) {
      const p = join(tmp, path);
      const d = dirname(p);
      if (!made.has(d)) {
        mkdirSync(d, { recursive: true });
        made.add(d);
      }
      writeOne(p, t.get(path)!);
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
  return t.size;
}

interface Listing {
  /** relative path → entry is a plain file */
  readonly files: Map<string, boolean>;
  /** relative folder paths, parents before children */
  readonly dirs: string[];
}

function list(root: string): Listing {
  const files = new Map<string, boolean>();
  const dirs: string[] = [];
  const walk = (rel: string): void => {
    for (const e of readdirSync(rel ? join(root, rel) : root, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        dirs.push(r);
        walk(r);
      } else files.set(r, e.isFile());
    }
  };
  walk("");
  return { files, dirs };
}

/** A new file where a folder is, or a file where a new folder goes: left to the swap. */
function conflicts(t: FileTree, ex: Listing): boolean {
  const dirs = new Set(ex.dirs);
  for (const path of t.keys()) {
    if (dirs.has(path)) return true;
    for (let i = path.indexOf("/"); i > 0; i = path.indexOf("/", i + 1)) if (ex.files.has(path.slice(0, i))) return true;
  }
  return false;
}

const umask = process.umask();

/** Whether the file at p already holds exactly this content with this mode (scratch buffers reused: no garbage per file). */
function unchanged(p: string, f: RenderedFile, scratch: { read: Buffer; want: Buffer }): boolean {
  const size = Buffer.byteLength(f.content, "utf8");
  const fd = openSync(p, "r");
  try {
    const st = fstatSync(fd);
    const mode = f.secret ? 0o600 : fileMode(f) & ~umask;
    if (st.size !== size || (st.mode & 0o777) !== mode) return false;
    if (scratch.read.length < size) {
      scratch.read = Buffer.allocUnsafe(size * 2);
      scratch.want = Buffer.allocUnsafe(size * 2);
    }
    let n = 0;
    while (n < size) {
      const r = readSync(fd, scratch.read, n, size - n, n);
      if (r === 0) return false;
      n += r;
    }
    scratch.want.write(f.content, 0, size, "utf8");
    return scratch.read.compare(scratch.want, 0, size, 0, size) === 0;
  } finally {
    closeSync(fd);
  }
}

/** Updates an existing folder in place; returns how many files were written. */
function update(t: FileTree, target: string, ex: Listing, opts: WriteOptions): number {
  const staged: [string, string][] = []; // temporary → final
  const madeDirs: string[] = [];
  const haveDirs = new Set(ex.dirs);
  const scratch = { read: Buffer.allocUnsafe(1 << 16), want: Buffer.allocUnsafe(1 << 16) };
  try {
    for (const path of sortedPaths(t)) {
      const f = t.get(path)!;
      const p = join(target, path);
      if (!(ex.files.get(path) && unchanged(p, f, scratch))) {
        const slash = path.lastIndexOf("/");
        const dir = slash < 0 ? "" : path.slice(0, slash);
        if (dir && !haveDirs.has(dir)) {
          // record each folder made, so an error can take them away again
          const parts = dir.split("/");
          for (let i = 1; i <= parts.length; i++) {
            const d = parts.slice(0, i).join("/");
            if (!haveDirs.has(d)) {
              mkdirSync(join(target, d));
              haveDirs.add(d);
              madeDirs.push(d);
            }
          }
        }
        const tmp = join(target, dir, `.${path.slice(slash + 1)}.drover-tmp`);
        staged.push([tmp, p]);
        writeOne(tmp, f);
      }
      opts.onFile?.(path);
    }
  } catch (e) {
    for (const [tmp] of staged) rmSync(tmp, { force: true });
    for (const d of madeDirs.reverse()) rmSync(join(target, d), { recursive: true, force: true });
    throw e;
  }
  for (const [tmp, p] of staged) renameSync(tmp, p);
  // what the new tree no longer has: stale files, then folders left empty (children first)
  for (const path of ex.files.keys()) if (!t.has(path)) unlinkSync(join(target, path));
  const keep = new Set<string>();
  for (const path of t.keys()) for (let i = path.indexOf("/"); i > 0; i = path.indexOf("/", i + 1)) keep.add(path.slice(0, i));
  for (const d of [...ex.dirs].reverse()) if (!keep.has(d)) rmdirSync(join(target, d));
  return staged.length;
}
