// The secrets store: every LabSecrets value in one SOPS-encrypted YAML file (default
// secrets.sops.yaml next to lab.yaml), readable with plain `sops -d`. Written atomically, mode 0600,
// only when something changed; unchanged values keep their ciphertext (IVs derived from the data key).
import { existsSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import type { Lab } from "../lab/types.js";
import { writeFileAtomic } from "../fs/atomic-write.js";
import { UserError } from "../errors.js";
import type { LabSecrets } from "./types.js";
import type { DataKeyEnvelope, SopsMap, SopsValue } from "./sops/index.js";
import { SopsFloat, encryptWith, newEnvelope, rewrapEnvelope, rfc3339, sameRecipients } from "./sops/index.js";
import { decryptFile } from "./sops/file.js";
import type { Generators } from "./generate.js";
import { ensureSecrets, takeAdditions } from "./generate.js";
import { newManifestKey, rewrapManifestKey } from "./manifest.js";
import type { LocalKey } from "./keys.js";
import { recipientOf } from "./age.js";
import { presharedKeysFromStore, presharedKeysToStore } from "./preshared-keys.js";

export { DEFAULT_SECRETS_FILE as DEFAULT_STORE_FILE } from "../lab/resolve.js";

function toSops(v: unknown): SopsValue {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.map(toSops);
  if (typeof v === "object") return new Map(Object.entries(v as object).filter(([, x]) => x !== undefined).map(([k, x]) => [k, toSops(x)]));
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  throw new Error(`internal: cannot store a ${typeof v}`);
}

function fromSops(v: SopsValue): unknown {
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, fromSops(x)]));
  if (Array.isArray(v)) return v.map(fromSops);
  return v instanceof SopsFloat ? v.value : v;
}

export function secretsToDocument(s: LabSecrets): SopsMap {
  return toSops({ ...s, wireguardPresharedKeys: presharedKeysToStore(s.wireguardPresharedKeys) }) as SopsMap;
}

/** Checks the shape of a decrypted store; a UserError naming the field when it is wrong. */
export function secretsFromDocument(doc: SopsMap, display: string): LabSecrets {
  const o = fromSops(doc) as Record<string, unknown>;
  const bad = (field: string, what: string) => new UserError(`${display}: ${field} ${what}`, "restore the store from version control; drover only ever adds to it");
  if (o.version !== 1) throw bad("version", `is ${JSON.stringify(o.version)}; this drover reads version 1`);
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
  for (const f of ["talos", "k3s", "wireguard", "wireguardPresharedKeys", "apps"]) if (!isObj(o[f])) throw bad(f, "is missing or not a mapping");
  if (typeof (o.k3s as Record<string, unknown>).token !== "string") throw bad("k3s.token", "is missing");
  if (o.labUid !== undefined && (typeof o.labUid !== "string" || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(o.labUid))) throw bad("labUid", "is not a UUID");
  if (o.ssh !== undefined) {
    for (const k of ["admin", "deploy"]) {
      const kp = isObj(o.ssh) ? o.ssh[k] : undefined;
      if (!isObj(kp) || typeof kp.privateKey !== "string" || typeof kp.publicKey !== "string") throw bad(`ssh.${k}`, "needs privateKey and publicKey");
    }
  }
  if (o.internalCa !== undefined && (!isObj(o.internalCa) || typeof o.internalCa.crt !== "string" || typeof o.internalCa.key !== "string")) throw bad("internalCa", "needs crt and key (PEM)");
  for (const [peer, kp] of Object.entries(o.wireguard as object)) {
    if (!isObj(kp) || typeof kp.privateKey !== "string" || typeof kp.publicKey !== "string") throw bad(`wireguard.${peer}`, "needs privateKey and publicKey");
  }
  return { ...o, wireguardPresharedKeys: presharedKeysFromStore(o.wireguardPresharedKeys as Record<string, unknown>, bad) } as unknown as LabSecrets;
}

/** Writes text to path atomically (temp file in the same folder, fsync, rename), mode 0600. */
export function writeFileAtomic0600(path: string, text: string): void {
  writeFileAtomic(path, text, { mode: 0o600 });
}

export interface StoreFile {
  readonly secrets: LabSecrets;
  /** the store's own data key and its stanzas (kept across writes) */
  readonly envelope: DataKeyEnvelope;
}

export async function readStore(path: string, display: string, identities: readonly string[]): Promise<StoreFile> {
  const opened = await decryptFile(path, display, identities);
  return { secrets: secretsFromDocument(opened.doc, display), envelope: opened.envelope };
}

export function storeText(store: StoreFile, now: Date = new Date()): string {
  return encryptWith(secretsToDocument(store.secrets), store.envelope, { lastModified: rfc3339(now), iv: "deterministic" });
}

export function writeStore(path: string, store: StoreFile, now: Date = new Date()): void {
  writeFileAtomic0600(path, storeText(store, now));
}

/** Where the lab's secrets store lives: secrets.file of lab.yaml, relative to the lab folder, or secrets.sops.yaml beside it. */
export function storeFile(lab: Lab, labDir: string): string {
  return resolve(labDir, lab.secretsStore.file);
}

export interface LoadedSecrets {
  readonly secrets: LabSecrets;
  readonly path: string;
  readonly display: string;
  readonly recipients: readonly string[];
  /** where the recipients came from */
  readonly recipientsFrom: "lab.yaml" | "local key";
  readonly created: boolean;
  /** what was added (or "recipients changed") and not yet saved */
  readonly added: readonly string[];
  /** writes the store if anything changed since it was read, including app secrets made during a render; returns what was saved */
  save(now?: Date): string[];
}

/**
 * Reads the lab's secrets store (or starts one), adds what the lab needs, wraps keys for the current
 * recipients. Needs the local key: to read the store, and to make sure the store stays readable by it.
 */
export async function loadSecrets(lab: Lab, labDir: string, key: LocalKey, opts: { generators?: Partial<Generators> } = {}): Promise<LoadedSecrets> {
  const fromSpec = lab.secretsStore.recipients;
  const recipients = fromSpec ? [...fromSpec] : [key.recipient];
  const path = storeFile(lab, labDir);
  const display = relative(process.cwd(), path) || path;
  const mine = key.identities.map(recipientOf);
  if (!recipients.some((r) => mine.includes(r))) {
    throw new UserError(
      `your age key ${key.recipient} (from ${key.source}) is not one of secrets.recipients in lab.yaml`,
      `add it to secrets.recipients (and re-render), or use a recipient's key with --age-key; otherwise you could not read ${display} back`,
    );
  }
  const existed = existsSync(path);
  const old = existed ? await readStore(path, display, key.identities) : undefined;
  const added: string[] = [];
  const { secrets: ensured, added: material } = ensureSecrets(lab, old?.secrets, opts.generators);
  for (const m of material) added.push(m);
  let envelope = old?.envelope ?? (await newEnvelope(recipients));
  if (old && !sameRecipients(envelope.age, recipients)) {
    envelope = await rewrapEnvelope(envelope, recipients);
    added.push(`recipients changed to ${recipients.join(", ")}`);
  }
  let manifestKey = ensured.manifestKey;
  if (!manifestKey) {
    manifestKey = await newManifestKey(recipients);
    added.push("manifest encryption key");
  } else {
    const rewrapped = await rewrapManifestKey(manifestKey, recipients);
    if (rewrapped !== manifestKey && !added.some((a) => a.startsWith("recipients changed"))) added.push(`recipients changed to ${recipients.join(", ")}`);
    manifestKey = rewrapped;
  }
  const secrets: LabSecrets = { ...ensured, manifestKey };
  let unsaved = [...added];
  if (!existed) unsaved.unshift(`new store ${display}`);
  return {
    secrets,
    path,
    display,
    recipients,
    recipientsFrom: fromSpec ? "lab.yaml" : "local key",
    created: !existed,
    added,
    save(now = new Date()) {
      const all = [...unsaved, ...takeAdditions(secrets)];
      if (!all.length) return [];
      writeStore(path, { secrets, envelope }, now);
      unsaved = [];
      return all;
    },
  };
}
