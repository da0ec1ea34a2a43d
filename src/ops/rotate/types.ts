// Key rotation, one kind at a time (`drover keys rotate <kind>`). A Rotation replaces material in the
// secrets store and says how the change reaches the machines (a rollout: which rendered file goes to
// which node, in which order). The caller writes the store and re-renders.
import type { Lab } from "../../lab/types.js";
import type { StoreFile } from "../../secrets/store.js";

export type RotationKind = "wireguard" | "sops" | "join-token" | "talos-ca" | "kubernetes-ca" | "app-secrets" | "internal-ca";

export type { RolloutStep } from "../../render/distributions.js";
import type { RolloutStep } from "../../render/distributions.js";

export interface RotationResult {
  /** the store with the new material (same envelope unless the rotation re-encrypts) */
  readonly store: StoreFile;
  /** what changed, one entry per item, e.g. "wireguard key node/cp1" */
  readonly changed: readonly string[];
  /** nodes to update after the re-render, in order (empty when nothing on the machines changes) */
  readonly rollout: readonly RolloutStep[];
  /** things the user must know, e.g. clients that need their config again */
  readonly notes: readonly string[];
  /** a read-only command (argv, paths relative to the output folder) that checks the cluster can take the rollout, run before it */
  readonly check?: readonly string[];
  /** what breaks until the user acts (printed before the notes, as warnings) */
  readonly warnings?: readonly string[];
}

/** What some rotations need to be told (app-secrets: which app, which of its secrets). */
export interface RotationOptions {
  readonly app?: string;
  readonly secrets?: readonly string[];
}

export interface Rotation {
  readonly kind: RotationKind;
  readonly description: string;
  rotate(store: StoreFile, lab: Lab, options?: RotationOptions): RotationResult | Promise<RotationResult>;
}
