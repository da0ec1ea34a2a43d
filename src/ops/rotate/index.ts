// `drover keys rotate <kind>`: reads the secrets store, lets the rotation for that kind replace its
// material, writes the store back (atomically, 0600). The caller re-renders and rolls out.
// Rotations register here by kind; each lives in its own file of this folder.
import { existsSync } from "node:fs";
import { relative, resolve } from "node:path";
import type { Lab } from "../../lab/types.js";
import type { LocalKey } from "../../secrets/keys.js";
import { readStore, writeStore } from "../../secrets/store.js";
import { UserError } from "../../errors.js";
import type { Rotation, RotationKind, RotationOptions, RotationResult } from "./types.js";
import { wireguardRotation } from "./wireguard.js";
import { sopsRotation } from "./sops.js";
import { joinTokenRotation } from "./join-token.js";
import { talosCaRotation } from "./talos-ca.js";
import { appSecretsRotation } from "./app-secrets.js";
import { kubernetesCaRotation } from "./kubernetes-ca.js";
import { internalCaRotation } from "./internal-ca.js";

export * from "./types.js";

const registry = new Map<RotationKind, Rotation>();

export function registerRotation(r: Rotation): void {
  registry.set(r.kind, r);
}

registerRotation(wireguardRotation());
registerRotation(sopsRotation());
registerRotation(joinTokenRotation());
registerRotation(talosCaRotation());
registerRotation(kubernetesCaRotation());
registerRotation(appSecretsRotation());
registerRotation(internalCaRotation());

export function rotationKinds(): RotationKind[] {
  return [...registry.keys()];
}

export function rotationFor(kind: string): Rotation {
  const r = registry.get(kind as RotationKind);
  if (!r) throw new UserError(`cannot rotate "${kind}"`, `rotatable: ${rotationKinds().join(", ")}`, 2);
  return r;
}

/** Rotates one kind of material in the lab's store and saves it (with `plan`, only says what it would do). */
export async function rotateKeys(kind: string, lab: Lab, labDir: string, key: LocalKey, now: Date = new Date(), options: RotationOptions = {}, plan = false): Promise<RotationResult & { storeFile: string }> {
  const rotation = rotationFor(kind);
  const path = resolve(labDir, lab.secretsStore.file);
  const display = relative(process.cwd(), path) || path;
  if (!existsSync(path)) throw new UserError(`${display} does not exist: there are no keys to rotate yet`, "run drover render first; it creates the secrets store");
  const store = await readStore(path, display, key.identities);
  const result = await rotation.rotate(store, lab, options);
  if (result.changed.length && !plan) writeStore(path, result.store, now);
  return { ...result, storeFile: display };
}
