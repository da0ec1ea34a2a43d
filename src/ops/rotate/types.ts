// A key rotation: takes the opened secrets store, replaces one kind of material, and says how to roll
// the change out once the lab is re-rendered. Every rotation (wireguard, sops, join-token, talos-ca)
// has this shape; run.ts does the reading, writing and re-rendering around it.
import type { Lab } from "../../lab/types.js";
import type { StoreFile } from "../../secrets/store.js";
import type { FileTree } from "../../render/tree.js";

export interface RotationStep {
  readonly title: string;
  readonly commands: readonly string[];
}

export interface RotationInput {
  readonly lab: Lab;
  /** the decrypted store and the data-key envelope it is written with */
  readonly store: StoreFile;
  /** the age recipients the store must be readable by now (lab.yaml's secrets.recipients, or the local key) */
  readonly recipients: readonly string[];
  readonly now: Date;
}

export interface RotationResult {
  readonly store: StoreFile;
  /** what changed, one line each, no secret values ("k3s token", "store data key") */
  readonly changed: readonly string[];
  /** a multi-phase rotation says where it is ("phase 1 of 3: …") */
  readonly phase?: string;
}

export interface RolloutContext {
  readonly lab: Lab;
  /** the re-rendered tree (before SOPS encryption) */
  readonly tree: FileTree;
  /** where it was written */
  readonly outDir: string;
  readonly result: RotationResult;
}

export interface Rotation {
  /** the word after `drover keys rotate` */
  readonly name: string;
  readonly description: string;
  rotate(input: RotationInput): Promise<RotationResult>;
  /** how to bring the new material to the machines */
  rollout(ctx: RolloutContext): RotationStep[];
}
