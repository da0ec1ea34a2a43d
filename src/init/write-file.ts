// Writing one file atomically: a temporary sibling, fsync, then rename into place. Never overwrites
// unless asked.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname, join, basename } from "node:path";
import { randomBytes } from "node:crypto";

export function writeFileAtomic(path: string, text: string, opts: { overwrite?: boolean; mode?: number } = {}): void {
  mkdirSync(dirname(path), { recursive: true });
  if (!opts.overwrite && existsSync(path)) throw Object.assign(new Error(`${path} exists`), { code: "EEXIST" });
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString("hex")}.tmp`);
  const fd = openSync(tmp, "wx", opts.mode ?? 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
}
