// Making the lab's secret material once, with node:crypto, and adding only what is missing later:
// existing values are never changed, so every render after the first is byte-identical.
import { randomBytes, randomInt, randomUUID } from "node:crypto";
import type { Lab } from "../lab/types.js";
import type { CertAndKey, LabSecrets, TalosSecrets, WireguardKeyPair } from "./types.js";
import { generateInternalCa } from "./internal-ca.js";
import { generatePresharedKey, generateWireguardKeyPair } from "./wireguard.js";
import { generateTalosSecrets } from "./talos.js";
import { forEachPeerPair, wireguardPeers } from "../lab/mesh.js";
import { editPresharedKeys, presharedKey } from "./preshared-keys.js";
import { pairKey } from "./types.js";
import { appSecretSpecs } from "../catalog/secrets.js";
import { generateSshKeyPair, type SshKeyPair } from "./ssh.js";

export interface Generators {
  readonly talos: () => TalosSecrets;
  readonly wireguard: () => WireguardKeyPair;
  readonly presharedKey: () => string;
  readonly k3sToken: () => string;
  /** an app secret value of the given kind (admin password, database password, key) */
  readonly appSecret: (kind: AppSecretKind) => string;
  /** the lab UID (the lab's identity in the cluster's inventory) */
  readonly labUid: () => string;
  /** an SSH key pair (admin access to k3s nodes, Flux's deploy key) */
  readonly ssh: (comment: string) => SshKeyPair;
  /** the internal CA for a lab's private domains */
  readonly internalCa: (labName: string, privateDomains: readonly string[]) => CertAndKey;
}

export const defaultGenerators: Generators = {
  talos: generateTalosSecrets,
  wireguard: generateWireguardKeyPair,
  presharedKey: generatePresharedKey,
  k3sToken: () => randomBytes(32).toString("hex"),
  appSecret: (kind) => randomSecret(kind),
  labUid: () => randomUUID(),
  ssh: generateSshKeyPair,
  internalCa: (name, domains) => generateInternalCa(name, domains),
};

/**
 * The lab's secrets: `existing` with whatever the lab now needs and lacks (a node's WireGuard keys, a
 * peer pair's preshared key, the Talos bundle, the k3s token). Never changes an existing value; keeps
 * material of removed nodes (harmless, and restores them unchanged if they come back).
 * `added` names each addition, e.g. "wireguard key node/cp-1".
 */
export function ensureSecrets(lab: Lab, existing: LabSecrets | undefined, gen: Partial<Generators> = {}): { secrets: LabSecrets; added: string[] } {
  const g = { ...defaultGenerators, ...gen };
  const added: string[] = [];
  const labUid = existing?.labUid ?? (added.push("lab uid"), g.labUid());
  const talos = existing?.talos ?? (added.push("talos secrets bundle"), g.talos());
  const k3s = existing?.k3s ?? (added.push("k3s token"), { token: g.k3sToken() });
  const ssh = existing?.ssh ?? (added.push("ssh keys"), { admin: g.ssh(`drover-admin@${lab.name}`), deploy: g.ssh(`drover-deploy@${lab.name}`) });
  const internalCa = existing?.internalCa ?? (added.push("internal CA"), g.internalCa(lab.name, [lab.domains.private]));
  const wireguard: Record<string, WireguardKeyPair> = { ...existing?.wireguard };
  for (const peer of wireguardPeers(lab)) {
    if (!wireguard[peer]) {
      wireguard[peer] = g.wireguard();
      added.push(`wireguard key ${peer}`);
    }
  }
  const existingPsks = existing?.wireguardPresharedKeys ?? {};
  const psks = editPresharedKeys(existingPsks);
  const newPairs: string[] = [];
  forEachPeerPair(lab, (a, b) => {
    if (presharedKey(existingPsks, a, b) === undefined) newPairs.push(pairKey(a, b));
  });
  for (const pair of [...new Set(newPairs)].sort()) {
    const [a, b] = pair.split("|") as [string, string];
    psks.set(a, b, g.presharedKey());
    added.push(`preshared key ${pair}`);
  }
  const apps: Record<string, Record<string, string>> = {};
  for (const [app, values] of Object.entries(existing?.apps ?? {})) apps[app] = { ...values };
  // each app's generated values (secrets.apps[instance][key]): made once, never changed
  for (const a of lab.apps) {
    const specs = appSecretSpecs(a);
    for (const key of Object.keys(specs).sort()) {
      if (apps[a.name]?.[key] !== undefined) continue;
      (apps[a.name] ??= {})[key] = g.appSecret(specs[key]!);
      added.push(`app secret ${a.name}/${key}`);
    }
  }
  for (const app of Object.keys(apps)) apps[app] = sortKeys(apps[app]!);
  const secrets: LabSecrets = {
    version: 1,
    labUid,
    talos,
    k3s,
    ssh,
    internalCa,
    wireguard: sortKeys(wireguard),
    wireguardPresharedKeys: newPairs.length ? psks.done() : existingPsks,
    apps: sortKeys(apps),
    ...(existing?.manifestKey ? { manifestKey: existing.manifestKey } : {}),
  };
  return { secrets, added };
}

const sortKeys = <T>(o: Record<string, T>): Record<string, T> => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

export type AppSecretKind = "password" | "hex" | "base64" | "uuid";

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A new random value: password (32 letters and digits), hex (32 bytes), base64 (32 bytes), uuid. */
export function randomSecret(kind: AppSecretKind): string {
  switch (kind) {
    case "password":
      return Array.from({ length: 32 }, () => ALNUM[randomInt(ALNUM.length)]).join("");
    case "hex":
      return randomBytes(32).toString("hex");
    case "base64":
      return randomBytes(32).toString("base64");
    case "uuid":
      return randomUUID();
  }
}

const pending = new WeakMap<LabSecrets, string[]>();

/**
 * An app's secret (admin password, OIDC client secret…): the stored value, or on first use a new
 * random one, recorded in `secrets` and reported by `takeAdditions` so `drover render` saves the store.
 * The only randomness a render can see, and only the first time: later renders read the stored value.
 */
export function appSecret(secrets: LabSecrets, app: string, name: string, kind: AppSecretKind = "password"): string {
  return derivedSecret(secrets, app, name, () => randomSecret(kind));
}

/**
 * A value kept in the store under apps[app][name], made by `make` when missing or when `stale` says
 * the stored one no longer fits (e.g. a password hash, costly to compute on every render, whose
 * password changed). Recorded like appSecret's values, so `drover render` saves it.
 */
export function derivedSecret(secrets: LabSecrets, app: string, name: string, make: () => string, stale: (have: string) => boolean = () => false): string {
  const have = secrets.apps[app]?.[name];
  if (have !== undefined && !stale(have)) return have;
  const apps = secrets.apps as Record<string, Record<string, string>>;
  if (!Object.isFrozen(apps) && (!apps[app] || !Object.isFrozen(apps[app]))) {
    const value = make();
    (apps[app] ??= {})[name] = value;
    const list = pending.get(secrets) ?? [];
    list.push(`app secret ${app}/${name}`);
    pending.set(secrets, list);
    return value;
  }
  throw new Error(`internal: app secret ${app}/${name} is missing and the secrets are frozen`);
}

/** The app secrets generated since the last call (and forgets them). */
export function takeAdditions(secrets: LabSecrets): string[] {
  const list = pending.get(secrets) ?? [];
  pending.delete(secrets);
  return list;
}
