// The output folder's record of what `drover render` wrote there (.drover-render.json): the files it
// owns and the folders it created. The writer replaces or deletes only files listed here and removes
// only listed folders, and only when they are empty; everything else in the folder (a user's notes, a
// .git folder, another tool's output) is never touched. A folder with files but no record is not
// Drover's: the writer refuses it. Deterministic (sorted, no times), so a re-render leaves it unchanged.
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const MANIFEST = ".drover-render.json";

export interface OutputManifest {
  /** relative paths of the files drover wrote (including .gitignore files, excluding the manifest) */
  readonly files: readonly string[];
  /** relative paths of the folders drover created (removed again only when empty) */
  readonly dirs: readonly string[];
  /** a staging folder of an update that did not finish (removed by the next render) */
  readonly staging?: string;
}

const NOTE = "drover render wrote these files and folders; a re-render replaces or deletes only them. Do not edit.";

/** A relative path the writer may own: no absolute or parent parts, no empty segment, never inside .git. */
export function ownablePath(p: unknown): p is string {
  if (typeof p !== "string" || p === "" || p.length > 4096 || /[\0\r\n\\]/.test(p)) return false;
  const segs = p.split("/");
  return segs.every((s) => s !== "" && s !== "." && s !== ".." && s.toLowerCase() !== ".git") && segs[0] !== MANIFEST;
}

export const STAGING_PREFIX = ".drover-staging-";
const STAGING = /^\.drover-staging-[A-Za-z0-9]{6}$/;

export class ManifestError extends Error {}

/** The manifest in dir, undefined when there is none; a ManifestError when it is not one drover wrote. */
export function readManifest(dir: string): OutputManifest | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, MANIFEST), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new ManifestError(`cannot read ${MANIFEST}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (e) {
    throw new ManifestError(`${MANIFEST} is not JSON (${(e as Error).message})`);
  }
  const m = o as Record<string, unknown>;
  if (!m || typeof m !== "object" || m.version !== 1 || !Array.isArray(m.files) || !Array.isArray(m.dirs)) throw new ManifestError(`${MANIFEST} is not a drover render manifest (version 1 with files and dirs)`);
  const bad = [...m.files, ...m.dirs].find((p) => !ownablePath(p));
  if (bad !== undefined) throw new ManifestError(`${MANIFEST} lists ${JSON.stringify(bad)}, which is not a path inside the output folder that drover could have written`);
  if (m.staging !== undefined && !(typeof m.staging === "string" && STAGING.test(m.staging))) throw new ManifestError(`${MANIFEST}: staging ${JSON.stringify(m.staging)} is not a drover staging folder`);
  return { files: m.files as string[], dirs: m.dirs as string[], ...(m.staging ? { staging: m.staging as string } : {}) };
}

export function manifestText(m: OutputManifest): string {
  return JSON.stringify({ note: NOTE, version: 1, files: [...new Set(m.files)].sort(), dirs: [...new Set(m.dirs)].sort(), ...(m.staging ? { staging: m.staging } : {}) }, null, 2) + "\n";
}
