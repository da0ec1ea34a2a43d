// Reading lab.yaml (and its function scripts) from disk: the one place a lab enters as text. Problems
// are thrown located (InvalidLab) or as a UserError, never as traces.
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, realpathSync, statSync } from "node:fs";
import { resolve, relative, dirname, isAbsolute, join, sep } from "node:path";
import { loadLabText } from "./load.js";
import type { Lab } from "./types.js";
import type { LabSpec } from "../spec/schema.js";
import type { Diagnostic, Finding } from "../spec/diagnostic.js";
import { InvalidLab } from "../spec/diagnostic.js";
import { UserError } from "../errors.js";
import { MAX_BYTES } from "../spec/source.js";
import { VERSIONS_FILE } from "../spec/versions.js";
import type { Source } from "../spec/source.js";

export const DEFAULT_LAB_FILE = "lab.yaml";

export interface LoadedLab {
  readonly path: string;
  readonly dir: string;
  readonly display: string;
  readonly text: string;
  readonly spec: LabSpec;
  readonly lab: Lab;
  readonly diagnostics: readonly Diagnostic[];
  /** the text's positions, to place problems found later (render/load.ts) */
  readonly source: Source;
}

export { InvalidLab };

export function readLabText(path: string | undefined): { path: string; display: string; text: string } {
  const p = resolve(path ?? DEFAULT_LAB_FILE);
  const display = relative(process.cwd(), p) || p;
  let st;
  try {
    st = statSync(p);
  } catch {
    throw new UserError(`${display}: no such file`, path ? "check the path" : "run `drover init` to write a starter lab.yaml, or name the file: drover check path/to/lab.yaml");
  }
  if (st.isDirectory()) {
    return readLabText(resolve(p, DEFAULT_LAB_FILE));
  }
  if (st.size > MAX_BYTES) {
    throw new UserError(`${display}:1:1: (document): the file is ${(st.size / 1048576).toFixed(1)} MiB; a lab spec may be at most ${MAX_BYTES / 1048576} MiB`);
  }
  const buf = readFileSync(p);
  return { path: p, display, text: buf.toString("utf8") };
}

/** Loads and resolves; throws InvalidLab (with every diagnostic) when the spec has errors. */
export function loadLab(path: string | undefined): LoadedLab {
  const { path: p, display, text } = readLabText(path);
  const versions = readVersionsText(dirname(p));
  const result = loadLabText(text, display, { functionSources: (spec) => readFunctionSources(spec, dirname(p)), ...(versions ? { versions } : {}) });
  if (!result.spec || !result.lab) throw new InvalidLab(result.diagnostics, display);
  return { path: p, dir: dirname(p), display, text, spec: result.spec, lab: result.lab, diagnostics: result.diagnostics, source: result.source };
}

/** The lab's versions.yaml beside lab.yaml (a regular file, at most MAX_BYTES), when there is one. */
export function readVersionsText(dir: string): { text: string; file: string } | undefined {
  const p = join(dir, VERSIONS_FILE);
  const display = relative(process.cwd(), p) || p;
  let st;
  try {
    st = lstatSync(p);
  } catch {
    return undefined;
  }
  if (!st.isFile()) throw new UserError(`${display}: not a regular file`, `make ${VERSIONS_FILE} beside lab.yaml a plain file (not a symlink or folder), or remove it`);
  if (st.size > MAX_BYTES) throw new UserError(`${display}:1:1: (document): the file is ${(st.size / 1048576).toFixed(1)} MiB; a versions file may be at most ${MAX_BYTES / 1048576} MiB`);
  return { text: readFileSync(p, "utf8"), file: display };
}

/**
 * The text of every function's script (relative to lab.yaml), or a located problem per unreadable one.
 * A script is a regular file inside the lab folder, reached without symlinks: a symlink (to an age key,
 * ~/.ssh/id_ed25519…) or a path leading out of the folder would put another file into a committed ConfigMap.
 */
export function readFunctionSources(spec: LabSpec, dir: string): { sources: Map<string, string> } | { diagnostics: Finding[] } {
  const sources = new Map<string, string>();
  const problems: Finding[] = [];
  let realDir: string;
  try {
    realDir = realpathSync(dir);
  } catch {
    realDir = dir;
  }
  for (const [i, f] of spec.functions.entries()) {
    const at = ["functions", i, "file"];
    const file = resolve(dir, f.file);
    const rel = relative(dir, file);
    if (isAbsolute(f.file) || rel === "" || rel.startsWith("..") || isAbsolute(rel)) {
      problems.push({ severity: "error", path: at, message: `${f.file} is outside the lab folder (${dir})`, hint: "put the script in the lab folder (for example functions/) and give its path relative to lab.yaml" });
      continue;
    }
    try {
      // every step from the lab folder down must be a real folder or file, not a symlink
      let cur = dir;
      for (const part of rel.split(sep)) {
        cur = join(cur, part);
        if (lstatSync(cur).isSymbolicLink()) throw Object.assign(new Error("symlink"), { code: "SYMLINK", at: relative(dir, cur) });
      }
      const real = realpathSync(file);
      const realRel = relative(realDir, real);
      if (realRel.startsWith("..") || isAbsolute(realRel)) throw Object.assign(new Error("outside"), { code: "OUTSIDE" });
      const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        const st = fstatSync(fd);
        if (!st.isFile()) throw Object.assign(new Error("not a file"), { code: "EISDIR" });
        if (st.size > 1024 * 1024) {
          problems.push({ severity: "error", path: at, message: `${f.file} is ${(st.size / 1048576).toFixed(1)} MiB; a function is a single small script (at most 1 MiB, the size of a ConfigMap)`, hint: "move large code into an app image" });
          continue;
        }
        sources.set(f.file, readFileSync(fd, "utf8"));
      } finally {
        closeSync(fd);
      }
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { at?: string };
      const code = err.code;
      if (code === "SYMLINK" || code === "ELOOP") problems.push({ severity: "error", path: at, message: `${f.file} is reached through a symlink (${err.at ?? f.file}); Drover reads function scripts only from regular files in the lab folder`, hint: "copy the script into the lab folder instead of linking it" });
      else if (code === "OUTSIDE") problems.push({ severity: "error", path: at, message: `${f.file} resolves to a file outside the lab folder`, hint: "put the script in the lab folder and give its path relative to lab.yaml" });
      else problems.push({ severity: "error", path: at, message: code === "ENOENT" ? `${f.file} does not exist (looked for ${file})` : `${f.file} cannot be read (${code ?? err.message})`, hint: "give the path of the script relative to lab.yaml" });
    }
  }
  return problems.length ? { diagnostics: problems } : { sources };
}
