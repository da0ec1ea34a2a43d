// Every `drover keys rotate <what>`, by name.
import type { Rotation } from "./types.js";
import { sopsRotation } from "./sops.js";
import { joinTokenRotation } from "./join-token.js";
import { talosCaRotation } from "./talos-ca.js";
import { wireguardKeyRotation } from "./wireguard.js";

export const rotations: Rotation[] = [wireguardKeyRotation, sopsRotation, joinTokenRotation, talosCaRotation];

export function rotationNamed(name: string): Rotation | undefined {
  return rotations.find((r) => r.name === name);
}
