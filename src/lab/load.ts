// lab.yaml text → validated Spec → resolved Lab, with every problem placed at file:line:column:
// the spec's own rules first, then (on a valid spec) the rules that read the resolved Lab.
import { capFindings, loadSpec, locate, sortDiagnostics, type LoadOptions } from "../spec/load.js";
import type { LabSpec } from "../spec/schema.js";
import type { Diagnostic, Finding } from "../spec/diagnostic.js";
import type { Source } from "../spec/source.js";
import { resolveLab } from "./resolve.js";
import { loadVersions } from "../spec/versions.js";
import { checkLab } from "./rules/index.js";
import type { Lab } from "./types.js";

export interface LabLoadResult {
  /** both present when there are no errors (warnings may exist) */
  readonly spec?: LabSpec;
  readonly lab?: Lab;
  readonly diagnostics: readonly Diagnostic[];
  readonly source: Source;
}

export interface LabLoadOptions extends LoadOptions {
  /** the function scripts' texts (file as written → text), or problems reading them; asked only of a valid spec */
  readonly functionSources?: (spec: LabSpec) => { sources: ReadonlyMap<string, string> } | { diagnostics: Finding[] };
  /** the text of the lab's versions.yaml (beside lab.yaml), when it has one */
  readonly versions?: { readonly text: string; readonly file: string };
}

export function loadLabText(text: string, file = "lab.yaml", opts: LabLoadOptions = {}): LabLoadResult {
  const r0 = loadSpec(text, file, opts);
  const v = opts.versions ? loadVersions(opts.versions.text, opts.versions.file, r0.spec) : undefined;
  // versions.yaml's problems come after lab.yaml's (each located in its own file)
  const r = v?.diagnostics.length ? { ...r0, diagnostics: [...r0.diagnostics, ...v.diagnostics] } : r0;
  if (!r.spec) return { diagnostics: r.diagnostics, source: r.source };
  if (v && !v.overrides) return { diagnostics: r.diagnostics, source: r.source };
  const fns = opts.functionSources?.(r.spec);
  if (fns && "diagnostics" in fns) return { diagnostics: [...r.diagnostics, ...fns.diagnostics.map((f) => locate(r.source, f))], source: r.source };
  const lab = resolveLab(r.spec, { ...(fns ? { functionSources: fns.sources } : {}), ...(v?.overrides ? { versions: v.overrides } : {}) });
  const findings = capFindings(checkLab(lab));
  if (!findings.length) return { spec: r.spec, lab, diagnostics: r.diagnostics, source: r.source };
  const diagnostics = [...sortDiagnostics([...r0.diagnostics, ...findings.map((f) => locate(r.source, f))]), ...(v?.diagnostics ?? [])];
  if (findings.some((f) => f.severity === "error")) return { diagnostics, source: r.source };
  return { spec: r.spec, lab, diagnostics, source: r.source };
}
