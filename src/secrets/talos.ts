// The Talos secrets bundle (what `talosctl gen secrets` makes), generated with node:crypto.
// PLACEHOLDER: implemented by the Talos render work (issue 3).
import type { TalosSecrets } from "./types.js";

export function generateTalosSecrets(): TalosSecrets {
  throw new Error("generateTalosSecrets is not implemented yet");
}
