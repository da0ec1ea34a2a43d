// Writing one file so that readers see the old content or the new, never a half-written file:
// a temporary sibling, fsync, then rename into place. Every user-facing file Drover writes goes through
// here (lab.yaml edits, init); rendered trees use render/write.ts, which swaps whole folders.
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";

export interface AtomicWriteOptions {
  /** replace an existing file (default true); false refuses with an EEXIST error */
  readonly overwrite?: boolean;
  /** file mode; default: keep the existing file's mode, else 0644 */
  readonly mode?: number;
}

export function writeFileAtomic(path: string, text: string | Uint8Array, opts: AtomicWriteOptions = {}): void {
  mkdirSync(dirname(path), { recursive: true });
  const exists = existsSync(path);
  if (opts.overwrite === false && exists) throw Object.assign(new Error(`${path} exists`), { code: "EEXIST" });
  const mode = opts.mode ?? (exists ? statSync(path).mode & 0o777 : 0o644);
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString("hex")}.tmp`);
  const fd = openSync(tmp, "wx", mode);
  try {
    if (typeof text === "string") writeSync(fd, text);
    else writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    if (opts.mode !== undefined) chmodSync(tmp, opts.mode); // exactly this mode, whatever the umask
    renameSync(tmp, path);
  } catch (e) {
    try { closeSync(fd); } catch { /* already closed */ }
    rmSync(tmp, { force: true });
    throw e;
  }
}
