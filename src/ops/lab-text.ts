// The lab.yaml a node operation starts from and the one it leaves: the edited text is validated like
// any lab.yaml before anything is written, and written atomically (temp file, fsync, rename).
import { writeFileAtomic } from "../fs/atomic-write.js";
import { loadLabText } from "../lab/load.js";
import type { Lab } from "../lab/types.js";
import type { LabSpec } from "../spec/schema.js";
import { formatDiagnostic } from "../spec/diagnostic.js";
import { UserError } from "../errors.js";
import type { LoadedLab } from "../lab/file.js";

/** The lab after an edit of lab.yaml's text; a UserError listing every problem the edit would cause. */
export function relabel(loaded: LoadedLab, text: string, what: string, hint: string): { spec: LabSpec; lab: Lab; warnings: string[] } {
  const sources = new Map(loaded.lab.functions.filter((f) => f.source !== undefined).map((f) => [f.file, f.source!]));
  const r = loadLabText(text, loaded.display, { functionSources: () => ({ sources }) });
  if (!r.spec || !r.lab) {
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    throw new UserError(`${what} would make ${loaded.display} invalid:\n${errors.map((d) => "  " + formatDiagnostic(d)).join("\n")}`, hint);
  }
  // warnings the edit brings (an even number of control planes, all of them on volatile hosts…)
  const known = new Set(loaded.diagnostics.filter((d) => d.severity === "warning").map((d) => d.message));
  const warnings = r.diagnostics.filter((d) => d.severity === "warning" && !known.has(d.message)).map((d) => `${d.path}: ${d.message}${d.hint ? ` (${d.hint})` : ""}`);
  return { spec: r.spec, lab: r.lab, warnings };
}

/** Writes lab.yaml atomically, keeping its mode. */
export function writeLabText(path: string, text: string): void {
  writeFileAtomic(path, text);
}
