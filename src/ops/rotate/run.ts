// Running a rotation: the store is first brought up to date for the lab (missing material added,
// wrapped for the current recipients), then rotated, written atomically (0600), and the lab re-rendered.
import { resolve } from "node:path";
import { loadLab } from "../../cli/lab-file.js";
import { findLocalKey } from "../../secrets/keys.js";
import { loadSecrets, readStore, writeStore } from "../../secrets/store.js";
import type { Generators } from "../../secrets/generate.js";
import { renderLab } from "../../render/index.js";
import type { Rotation, RotationResult, RotationStep } from "./types.js";

export interface RotateOptions {
  readonly labPath?: string;
  readonly out?: string;
  readonly ageKey?: string;
  readonly generators?: Partial<Generators>;
  /** writes the rendered tree (drover render); injected so ops stays below the CLI */
  readonly rerender: (labPath: string) => Promise<unknown>;
  readonly now?: Date;
}

export interface RotateReport {
  readonly rotation: string;
  readonly store: string;
  readonly changed: readonly string[];
  readonly phase: string | undefined;
  readonly outDir: string;
  readonly steps: readonly RotationStep[];
}

export async function runRotation(rotation: Rotation, opts: RotateOptions): Promise<RotateReport> {
  const loaded = loadLab(opts.labPath);
  const key = findLocalKey({ keyFile: opts.ageKey });
  const now = opts.now ?? new Date();
  const current = await loadSecrets(loaded.lab, loaded.dir, key, { generators: opts.generators ?? {} });
  current.save(now);
  const opened = await readStore(current.path, current.display, key.identities);
  const result: RotationResult = await rotation.rotate({ lab: loaded.lab, store: opened, recipients: current.recipients, now });
  writeStore(current.path, result.store, now);
  await opts.rerender(loaded.path);
  const outDir = resolve(opts.out ?? resolve(loaded.dir, "out"));
  const tree = renderLab(loaded.lab, result.store.secrets);
  return {
    rotation: rotation.name,
    store: current.display,
    changed: result.changed,
    phase: result.phase,
    outDir,
    steps: rotation.rollout({ lab: loaded.lab, tree, outDir, result }),
  };
}
