// A lab read for rendering: lab/file.ts's loadLab plus what only the renderer can tell (the objects an
// app renders, which its per-object patches must target). `drover check` and `drover render` (and the
// in-memory render of apply/diff) read the lab through this, so check refuses whatever render would.
import { InvalidLab, loadLab, type LoadedLab } from "../lab/file.js";
import { locate, sortDiagnostics } from "../spec/load.js";
import { patchTargetFindings } from "./apps/index.js";

export function loadRenderableLab(path: string | undefined): LoadedLab {
  const loaded = loadLab(path);
  const findings = patchTargetFindings(loaded.lab);
  if (findings.length) throw new InvalidLab(sortDiagnostics([...loaded.diagnostics, ...findings.map((f) => locate(loaded.source, f))]), loaded.display);
  return loaded;
}
