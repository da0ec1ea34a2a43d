// The options a `drover up` test runs `up` with against the test control plane: the lab in `dir` is
// loaded and its secrets store read with the test's age key, as the CLI does; the real runner and
// tools; the cluster's kubeconfig stands for the one the machines would give; short waits and polls.
import { join } from "node:path";
import { loadRenderableLab } from "../render/load.js";
import { findLocalKey } from "../secrets/keys.js";
import { loadSecrets } from "../secrets/store.js";
import type { UpOptions } from "../ops/up/index.js";
import { upPaths } from "../ops/up/state.js";
import { processRunner } from "../ops/up/runner.js";
import type { UpEvent } from "../ops/up/progress.js";
import { debianTool } from "./paths.js";

export interface UpTestSetup {
  /** the lab's folder: lab.yaml, its secrets store, out/ and .drover/ */
  readonly dir: string;
  readonly keyFile: string;
  readonly kubeconfig: string;
  readonly fluxTimeoutMs: number;
}

/** `up`'s options for the lab in setup.dir; its events go to `events`; `o` overrides any of them. */
export async function upTestOptions(setup: UpTestSetup, events: UpEvent[], o: Partial<UpOptions> = {}): Promise<UpOptions> {
  const loaded = loadRenderableLab(join(setup.dir, "lab.yaml"));
  const k = findLocalKey({ keyFile: setup.keyFile });
  const store = await loadSecrets(loaded.lab, loaded.dir, k);
  return {
    lab: loaded.lab, secrets: store.secrets, outDir: join(setup.dir, "out"), paths: upPaths(setup.dir), ageIdentities: k.identities, recipients: store.recipients,
    runner: processRunner, tools: { talosctl: "talosctl", ssh: debianTool("ssh"), sshKeyscan: "ssh-keyscan", git: debianTool("git") },
    existingKubeconfig: setup.kubeconfig, machinesTimeoutMs: 60_000, fluxTimeoutMs: setup.fluxTimeoutMs, wait: true, pollMs: 1000,
    report: (e) => events.push(e), ...o,
  };
}
