// Writing a rendered tree to disk: the one writer every render goes through (`drover render`, and the
// node, seat and key operations that re-render). It only ever creates, replaces or deletes files that
// it wrote, which it records in the output folder's manifest (output-manifest.ts):
// - a new folder is written into a temporary sibling and renamed into place;
// - an existing folder must hold the manifest (or be empty): a folder with files but no manifest is
//   refused before anything is touched, as is a file of the user's where the render puts one of its own;
// - an update writes new and changed files into a staging folder first and only when all are written
//   moves them into place, deletes the files of the previous render the new one no longer has, and
//   removes the folders it created once they are empty. An error while writing (disk full, permissions)
//   leaves the previous output exactly as it was. Files it did not write (a user's notes, a .git
//   folder, anything .gitignored) are never read, replaced or deleted;
// - an output folder that is, or contains, the lab file, the secrets store or the age key is refused;
// - .gitignore files naming every secret file are derived from the tree (gitignore.ts). Secret files are 0600.
import { closeSync, fstatSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, realpathSync, renameSync, rmSync, rmdirSync, statSync, unlinkSync, writeFileSync, chmodSync } from "node:fs";
import type { Stats } from "node:fs";
import { dirname, join, basename, resolve, relative, isAbsolute } from "node:path";
import { randomBytes } from "node:crypto";
import type { FileTree, RenderedFile } from "./tree.js";
import { mergeTrees, sortedPaths } from "./tree.js";
import { gitignores, isSecretFile } from "./gitignore.js";
import { MANIFEST, ManifestError, STAGING_PREFIX, manifestText, ownablePath, readManifest, type OutputManifest } from "./output-manifest.js";
import { writeFileAtomic } from "../fs/atomic-write.js";
import { Forbidden } from "../errors.js";

/** The output folder cannot be written as asked; nothing was changed (a user error: exit 1, with the hint). */
export class OutputFolderError extends Forbidden {
  constructor(message: string, hint: string) {
    super(message, hint);
    this.name = "OutputFolderError";
  }
}

export interface ProtectedFile {
  readonly path: string;
  /** what it is, for the message: "the lab file", "the secrets store", "the age key" */
  readonly what: string;
}

export interface WriteOptions {
  /** called after each file is written or found unchanged (tests use it to interrupt a write half-way) */
  readonly onFile?: (path: string) => void;
  /** files the output folder must never hold: an output folder that is or contains one is refused */
  readonly protect?: readonly ProtectedFile[];
  /** how to show paths in messages (default: relative to the working folder) */
  readonly display?: (path: string) => string;
}

export interface WriteResult {
  /** files the folder holds for this render, .gitignore files included */
  readonly files: number;
  /** files (re)written */
  readonly written: number;
  /** files of the previous render deleted */
  readonly removed: number;
}

/** The tree with its derived .gitignore files: what the writer puts on disk. */
export function withGitignores(t: FileTree): FileTree {
  return mergeTrees(t, gitignores(t));
}

/** Writes the tree to outDir (see the top of this file). */
export function writeTree(rendered: FileTree, outDir: string, opts: WriteOptions = {}): WriteResult {
  return write(rendered, outDir, opts, false);
}

/**
 * Everything writeTree would refuse, without writing: an OutputFolderError when the folder is not
 * drover's, holds the lab file, the secrets store or the age key, or a file of the user's is in the way.
 * `drover render` asks before it saves new secrets, so that a refused render changes nothing at all.
 */
export function checkOutputFolder(rendered: FileTree, outDir: string, opts: WriteOptions = {}): void {
  write(rendered, outDir, opts, true);
}

function write(rendered: FileTree, outDir: string, opts: WriteOptions, dryRun: boolean): WriteResult {
  const t = withGitignores(rendered);
  for (const p of t.keys()) if (!ownablePath(p)) throw new Error(`internal: cannot write rendered path ${JSON.stringify(p)}`);
  const show = opts.display ?? ((p: string) => relative(process.cwd(), p) || p);
  let target = resolve(outDir);
  refuseProtected(target, opts.protect ?? [], show);
  const st = lstatOrUndefined(target);
  if (!st) return dryRun ? { files: t.size, written: 0, removed: 0 } : fresh(t, target, opts);
  if (st.isSymbolicLink()) {
    // an output folder may be a link to a folder elsewhere (another disk); what it points to is checked too
    let real: string;
    try {
      real = realpathSync(target);
    } catch {
      throw new OutputFolderError(`${show(target)} is a symbolic link to nothing`, "remove the link, or point -o at an existing folder");
    }
    if (!statSync(real).isDirectory()) throw new OutputFolderError(`${show(target)} is not a folder`, "point -o at a folder drover renders into, such as out/");
    target = real;
    refuseProtected(target, opts.protect ?? [], show);
  } else if (!st.isDirectory()) throw new OutputFolderError(`${show(target)} is a file, not a folder`, "point -o at a folder drover renders into, such as out/");
  let old: OutputManifest | undefined;
  try {
    old = readManifest(target);
  } catch (e) {
    if (!(e instanceof ManifestError)) throw e;
    throw new OutputFolderError(`${show(target)}: ${e.message}; nothing was changed`, `restore ${MANIFEST} as drover wrote it, or render into a new folder with -o`);
  }
  if (!old) {
    if (readdirSync(target).length) {
      throw new OutputFolderError(
        `${show(target)} is not empty and has no ${MANIFEST}: drover render writes only into a folder it made (or an empty one), and nothing was changed`,
        `render into a new or empty folder with -o; if ${show(target)} is the output of an earlier drover version, move it away (mv ${show(target)} ${show(target)}.old) and render again`,
      );
    }
    old = { files: [], dirs: [] };
  }
  return update(t, target, old, opts, show, dryRun);
}

function lstatOrUndefined(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw e;
  }
}

/** The real path of p's longest existing prefix, with the rest appended. */
function realish(p: string): string {
  const tail: string[] = [];
  let head = p;
  for (;;) {
    try {
      return join(realpathSync(head), ...tail.reverse());
    } catch {
      const parent = dirname(head);
      if (parent === head) return p;
      tail.push(basename(head));
      head = parent;
    }
  }
}

const within = (dir: string, p: string): boolean => {
  const rel = relative(dir, p);
  return rel === "" || (rel !== ".." && !rel.startsWith("../") && !isAbsolute(rel));
};

function refuseProtected(target: string, protect: readonly ProtectedFile[], show: (p: string) => string): void {
  if (target.split("/").some((s) => s.toLowerCase() === ".git")) throw new OutputFolderError(`refusing to render into ${show(target)}: it is inside a .git folder`, "render into a folder of its own, such as out/ beside lab.yaml");
  for (const f of protect) {
    const p = resolve(f.path);
    if (within(target, p) || within(realish(target), realish(p))) {
      throw new OutputFolderError(
        `refusing to render into ${show(target)}: it ${resolve(target) === p ? "is" : "contains"} ${f.what} ${show(p)}, and nothing was changed`,
        "render into a folder of its own, such as out/ beside lab.yaml (-o out)",
      );
    }
  }
}

const fileMode = (f: RenderedFile): number => (isSecretFile(f) ? 0o600 : (f.mode ?? 0o644));

function writeOne(p: string, f: RenderedFile): void {
  writeFileSync(p, f.content, { mode: fileMode(f) });
  if (isSecretFile(f)) chmodSync(p, 0o600);
}

const ancestors = (p: string): string[] => {
  const out: string[] = [];
  for (let i = p.indexOf("/"); i > 0; i = p.indexOf("/", i + 1)) out.push(p.slice(0, i));
  return out;
};

/** A new output folder: the whole tree written into a temporary sibling, renamed into place. */
function fresh(t: FileTree, target: string, opts: WriteOptions): WriteResult {
  mkdirSync(dirname(target), { recursive: true });
  const tmp = mkdtempSync(join(dirname(target), `.${basename(target)}.tmp-`));
  try {
    const dirs = new Set<string>();
    for (const path of sortedPaths(t)) {
      for (const d of ancestors(path)) {
        if (!dirs.has(d)) {
          mkdirSync(join(tmp, d));
          dirs.add(d);
        }
      }
      writeOne(join(tmp, path), t.get(path)!);
      opts.onFile?.(path);
    }
    writeFileSync(join(tmp, MANIFEST), manifestText({ files: [...t.keys()], dirs: [...dirs] }));
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return { files: t.size, written: t.size, removed: 0 };
}

const umask = process.umask();

/** Whether the file at p already holds exactly this content with this mode (scratch buffers reused: no garbage per file). */
function unchanged(p: string, f: RenderedFile, scratch: { read: Buffer; want: Buffer }): boolean {
  const size = Buffer.byteLength(f.content, "utf8");
  const fd = openSync(p, "r");
  try {
    const st = fstatSync(fd);
    const mode = isSecretFile(f) ? 0o600 : fileMode(f) & ~umask;
    if (!st.isFile() || st.size !== size || (st.mode & 0o777) !== mode) return false;
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

type Kind = "none" | "file" | "link" | "dir" | "other";

function kindOf(p: string): Kind {
  const st = lstatOrUndefined(p);
  if (!st) return "none";
  return st.isSymbolicLink() ? "link" : st.isFile() ? "file" : st.isDirectory() ? "dir" : "other";
}

/** Updates a folder drover owns (or an empty one) in place. */
function update(t: FileTree, target: string, old: OutputManifest, opts: WriteOptions, show: (p: string) => string, dryRun: boolean): WriteResult {
  const at = (rel: string) => join(target, rel);
  // what is on disk before anything changes: one listing per folder (not one lstat per file), and
  // nothing below a link or a file (a link is never followed)
  const listings = new Map<string, Map<string, Kind>>();
  const kind = (rel: string): Kind => {
    const slash = rel.lastIndexOf("/");
    const parent = slash < 0 ? "" : rel.slice(0, slash);
    if (parent && kind(parent) !== "dir") return "none";
    let l = listings.get(parent);
    if (!l) {
      l = new Map();
      try {
        for (const e of readdirSync(parent ? at(parent) : target, { withFileTypes: true })) l.set(e.name, e.isSymbolicLink() ? "link" : e.isFile() ? "file" : e.isDirectory() ? "dir" : "other");
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT" && (e as NodeJS.ErrnoException).code !== "ENOTDIR") throw e;
      }
      listings.set(parent, l);
    }
    return l.get(slash < 0 ? rel : rel.slice(slash + 1)) ?? "none";
  };
  /** while committing: what is there now */
  const kindNow = (rel: string) => kindOf(at(rel));
  /** every folder between the output folder and rel is a real folder (never a link drover would write through) */
  const realParents = (rel: string) => ancestors(rel).every((d) => kindNow(d) === "dir");
  const oldFiles = new Set(old.files);
  const oldDirs = new Set(old.dirs);
  const stale = old.files.filter((p) => !t.has(p)).sort();
  const staleSet = new Set(stale);
  const needDirs = new Set<string>();
  for (const p of t.keys()) for (const d of ancestors(p)) needDirs.add(d);
  const refuse = (rel: string, what: string): never => {
    throw new OutputFolderError(`${show(at(rel))} ${what}; drover render replaces only files it wrote, and nothing was changed`, `move ${show(at(rel))} away (or render into another folder with -o) and render again`);
  };

  // check everything before touching anything
  const removableDir = (d: string): boolean =>
    oldDirs.has(d) &&
    readdirSync(at(d)).every((n) => {
      const c = `${d}/${n}`;
      const k = kind(c);
      return k === "dir" ? removableDir(c) : (k === "file" || k === "link") && staleSet.has(c);
    });
  const create: string[] = [];
  for (const d of [...needDirs].sort()) {
    const k = kind(d);
    if (k === "dir") continue;
    if (k === "none" || ((k === "file" || k === "link") && staleSet.has(d))) create.push(d);
    else refuse(d, `is ${k === "link" ? "a symbolic link" : "a file"} drover did not write, where the render puts a folder`);
  }
  for (const p of sortedPaths(t)) {
    const k = kind(p);
    if (k === "none") continue;
    if ((k === "file" || k === "link") && !oldFiles.has(p)) refuse(p, "exists and was not written by drover render");
    if (k === "dir" && !removableDir(p)) refuse(p, "is a folder holding files drover did not write, where the render puts a file");
    if (k === "other") refuse(p, "is not a regular file");
  }

  if (dryRun) return { files: t.size, written: 0, removed: 0 };
  // a staging folder left by an interrupted update
  if (old.staging && kindNow(old.staging) === "dir") rmSync(at(old.staging), { recursive: true, force: true });

  // stage new and changed files; record them (and the staging folder) in the manifest first, so that
  // an interruption at any later point leaves nothing drover wrote unlisted
  const manifestPath = at(MANIFEST);
  let oldText: string | undefined;
  try {
    oldText = readFileSync(manifestPath, "utf8");
  } catch {
    oldText = undefined;
  }
  const scratch = { read: Buffer.allocUnsafe(1 << 16), want: Buffer.allocUnsafe(1 << 16) };
  const changed = new Set(sortedPaths(t).filter((p) => !(kind(p) === "file" && oldFiles.has(p) && unchanged(at(p), t.get(p)!, scratch))));
  // the folders drover made that remain: those the tree needs, and those it could not remove (not empty)
  const kept = new Set<string>();
  const finalText = () => manifestText({ files: [...t.keys()], dirs: [...oldDirs, ...create].filter((d) => needDirs.has(d) || kept.has(d)) });
  if (!changed.size && !stale.length && !create.length && [...oldDirs].every((d) => needDirs.has(d)) && oldText === finalText()) {
    for (const path of sortedPaths(t)) opts.onFile?.(path);
    return { files: t.size, written: 0, removed: 0 };
  }
  const staging = STAGING_PREFIX + randomBytes(6).toString("base64url").replace(/[-_]/g, "x").slice(0, 6);
  const staged: string[] = [];
  try {
    writeFileAtomic(manifestPath, manifestText({ files: [...oldFiles, ...t.keys()], dirs: [...oldDirs, ...create], staging }), { mode: 0o644 });
    if (changed.size) mkdirSync(at(staging), { mode: 0o700 });
    for (const path of sortedPaths(t)) {
      if (changed.has(path)) {
        writeOne(join(at(staging), String(staged.length)), t.get(path)!);
        staged.push(path);
      }
      opts.onFile?.(path);
    }
  } catch (e) {
    rmSync(at(staging), { recursive: true, force: true });
    if (oldText === undefined) rmSync(manifestPath, { force: true });
    else writeFileAtomic(manifestPath, oldText, { mode: 0o644 });
    throw e;
  }

  // commit: stale files go (only files and links, only below real folders), then the folders drover made
  // that are no longer needed, once empty (children first); new folders are made and staged files moved in
  let removed = 0;
  for (const p of stale) {
    const k = kindNow(p);
    if ((k === "file" || k === "link") && realParents(p)) {
      unlinkSync(at(p));
      removed++;
    }
  }
  for (const d of [...oldDirs].sort().reverse()) {
    if (needDirs.has(d) || kindNow(d) !== "dir" || !realParents(d)) continue;
    try {
      rmdirSync(at(d));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOTEMPTY" && (e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      kept.add(d);
    }
  }
  for (const d of create) if (kindNow(d) !== "dir") mkdirSync(at(d));
  staged.forEach((path, i) => renameSync(join(at(staging), String(i)), at(path)));
  if (changed.size) rmdirSync(at(staging));
  writeFileAtomic(manifestPath, finalText(), { mode: 0o644 });
  return { files: t.size, written: staged.length, removed };
}
