// Reading lab.yaml from disk for a command: errors are located and printed, never thrown as traces.
import { readFileSync, statSync } from "node:fs";
import { resolve, relative, dirname } from "node:path";
import { loadSpec } from "../spec/load.js";
import { resolveLab } from "../lab/resolve.js";
import type { Lab } from "../lab/types.js";
import type { LabSpec } from "../spec/schema.js";
import type { Diagnostic } from "../spec/diagnostic.js";
import { UserError } from "./errors.js";
import { MAX_BYTES } from "../spec/source.js";

export const DEFAULT_LAB_FILE = "lab.yaml";

export interface LoadedLab {
  readonly path: string;
  readonly dir: string;
  readonly display: string;
  readonly text: string;
  readonly spec: LabSpec;
  readonly lab: Lab;
  readonly diagnostics: readonly Diagnostic[];
}

export class InvalidLab extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[], readonly display: string) {
    super(`${display} is not valid`);
  }
}

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
  const result = loadSpec(text, display);
  if (!result.spec) throw new InvalidLab(result.diagnostics, display);
  return { path: p, dir: dirname(p), display, text, spec: result.spec, lab: resolveLab(result.spec), diagnostics: result.diagnostics };
}
