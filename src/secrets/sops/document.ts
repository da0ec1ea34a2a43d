// A whole SOPS document: the values (tree.ts) plus the `sops:` metadata block — the data key wrapped
// with age per recipient (`age: [{recipient, enc}]`), `lastmodified`, the encrypted MAC (AAD: the
// lastmodified text), the encryption rule (`unencrypted_suffix: _unencrypted` by default) and `version`.
import { createHmac, randomBytes } from "node:crypto";
import { decryptArmored, encryptArmored } from "../age.js";
import type { EncryptionRules, IvSource } from "./tree.js";
import { decryptTree, encryptTree, SopsTreeError } from "./tree.js";
import type { SopsMap, SopsValue } from "./value.js";
import { IV_BYTES, SopsValueError, decryptValue, seal } from "./value.js";

/** The sops release whose format this writes (the version sops records in files it writes). */
export const SOPS_FORMAT_VERSION = "3.11.0";
export const DEFAULT_UNENCRYPTED_SUFFIX = "_unencrypted";
/** What Flux and kubectl-sops users set for Kubernetes Secrets: only data/stringData are encrypted. */
export const KUBERNETES_SECRET_RULES: EncryptionRules = { encryptedRegex: "^(data|stringData)$" };

export interface AgeStanza {
  readonly recipient: string;
  /** the 32-byte data key as an armored age file */
  readonly enc: string;
}

/** A data key and its age-wrapped copies, one per recipient. */
export interface DataKeyEnvelope {
  readonly dataKey: Buffer;
  readonly age: readonly AgeStanza[];
}

export interface SopsMetadata {
  readonly age: readonly AgeStanza[];
  readonly lastmodified: string;
  readonly mac: string;
  readonly rules: EncryptionRules;
  readonly version: string;
}

/** A problem with a SOPS file; `path` is the key path of the offending value, if any. */
export class SopsError extends Error {
  constructor(message: string, readonly path?: string) {
    super(message);
  }
}

/** A fresh random data key wrapped for each recipient (what `sops -e` does). */
export async function newEnvelope(recipients: readonly string[], dataKey: Buffer = randomBytes(32)): Promise<DataKeyEnvelope> {
  if (!recipients.length) throw new SopsError("no recipients to encrypt to");
  const age = [];
  for (const r of recipients) age.push({ recipient: r, enc: await encryptArmored(dataKey, r) });
  return { dataKey, age };
}

/** Keeps the data key, wrapping it anew only for recipients that have no stanza yet (and dropping removed ones). */
export async function rewrapEnvelope(env: DataKeyEnvelope, recipients: readonly string[]): Promise<DataKeyEnvelope> {
  const age = [];
  for (const r of recipients) age.push(env.age.find((s) => s.recipient === r) ?? { recipient: r, enc: await encryptArmored(env.dataKey, r) });
  return { dataKey: env.dataKey, age };
}

export const sameRecipients = (a: readonly AgeStanza[], recipients: readonly string[]): boolean =>
  a.length === recipients.length && a.every((s, i) => s.recipient === recipients[i]);

export const randomIv: IvSource = () => randomBytes(IV_BYTES);

/** IVs derived from the data key, the value's path, type and plaintext: same input, same ciphertext. */
export function deterministicIv(dataKey: Buffer): IvSource {
  const ivKey = createHmac("sha256", dataKey).update("drover/sops/deterministic-iv/v1").digest();
  return (aad, type, plain) => createHmac("sha256", ivKey).update(`${type}\0${aad}\0`).update(plain).digest().subarray(0, IV_BYTES);
}

/** RFC 3339 in UTC, seconds precision, as sops writes lastmodified. */
export const rfc3339 = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, "Z");

export interface EncryptOptions {
  readonly rules?: EncryptionRules;
  readonly lastModified?: string;
  /** "deterministic": IVs derived from the data key (byte-identical output for identical input) */
  readonly iv?: "random" | "deterministic";
}

function metadataMap(meta: SopsMetadata): SopsMap {
  const m: SopsMap = new Map<string, SopsValue>([
    ["age", meta.age.map((s) => new Map<string, SopsValue>([["recipient", s.recipient], ["enc", s.enc]]))],
    ["lastmodified", meta.lastmodified],
    ["mac", meta.mac],
  ]);
  const r = meta.rules;
  if (r.unencryptedSuffix) m.set("unencrypted_suffix", r.unencryptedSuffix);
  if (r.encryptedSuffix) m.set("encrypted_suffix", r.encryptedSuffix);
  if (r.unencryptedRegex) m.set("unencrypted_regex", r.unencryptedRegex);
  if (r.encryptedRegex) m.set("encrypted_regex", r.encryptedRegex);
  if (r.macOnlyEncrypted) m.set("mac_only_encrypted", true);
  m.set("version", meta.version);
  return m;
}

/** Encrypts a plaintext document; the result carries its `sops` metadata key. Synchronous: the data key is already wrapped. */
export function encryptDocument(doc: SopsMap, env: DataKeyEnvelope, opts: EncryptOptions = {}): SopsMap {
  if (doc.has("sops")) throw new SopsError("the document already has a top-level `sops` key (is it already encrypted?)");
  const rules = opts.rules ?? { unencryptedSuffix: DEFAULT_UNENCRYPTED_SUFFIX };
  const selectors = [rules.unencryptedSuffix, rules.encryptedSuffix, rules.unencryptedRegex, rules.encryptedRegex].filter(Boolean).length;
  if (selectors > 1) throw new SopsError("use only one of unencryptedSuffix, encryptedSuffix, unencryptedRegex, encryptedRegex");
  const lastmodified = opts.lastModified ?? rfc3339(new Date());
  const iv = opts.iv === "deterministic" ? deterministicIv(env.dataKey) : randomIv;
  const { doc: out, mac } = encryptTree(doc, env.dataKey, rules, iv);
  const macBytes = Buffer.from(mac);
  const encMac = seal(macBytes, "str", env.dataKey, lastmodified, iv(lastmodified, "str", macBytes));
  out.set("sops", metadataMap({ age: env.age, lastmodified, mac: encMac, rules, version: SOPS_FORMAT_VERSION }));
  return out;
}

const str = (m: SopsMap, k: string): string | undefined => {
  const v = m.get(k);
  return typeof v === "string" ? v : undefined;
};

/** Reads the `sops` metadata block of an encrypted document. */
export function readMetadata(doc: SopsMap): SopsMetadata {
  const s = doc.get("sops");
  if (!(s instanceof Map)) throw new SopsError("has no `sops` metadata block: it is not a SOPS-encrypted file (encrypt it with sops, or let drover write it)");
  const ageList = s.get("age");
  const age: AgeStanza[] = [];
  if (Array.isArray(ageList)) {
    for (const a of ageList) {
      if (a instanceof Map && typeof a.get("recipient") === "string" && typeof a.get("enc") === "string") age.push({ recipient: a.get("recipient") as string, enc: a.get("enc") as string });
    }
  }
  const groups = s.get("key_groups");
  if (Array.isArray(groups)) {
    for (const g of groups) {
      const gl = g instanceof Map ? g.get("age") : undefined;
      if (Array.isArray(gl)) for (const a of gl) if (a instanceof Map) age.push({ recipient: String(a.get("recipient")), enc: String(a.get("enc")) });
    }
    if (typeof s.get("shamir_threshold") === "number" && (s.get("shamir_threshold") as number) > 1) throw new SopsError("uses Shamir key groups (shamir_threshold > 1), which drover does not read; decrypt it with sops");
  }
  const lastmodified = str(s, "lastmodified");
  const mac = str(s, "mac");
  if (!lastmodified || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(lastmodified)) throw new SopsError("sops.lastmodified is missing or not an RFC 3339 time");
  if (!mac) throw new SopsError("sops.mac is missing");
  for (const k of ["encrypted_comment_regex", "unencrypted_comment_regex"]) if (str(s, k)) throw new SopsError(`uses sops.${k}, which drover does not support`);
  const rules: EncryptionRules = {
    unencryptedSuffix: str(s, "unencrypted_suffix"),
    encryptedSuffix: str(s, "encrypted_suffix"),
    unencryptedRegex: str(s, "unencrypted_regex"),
    encryptedRegex: str(s, "encrypted_regex"),
    macOnlyEncrypted: s.get("mac_only_encrypted") === true,
  };
  const count = [rules.unencryptedSuffix, rules.encryptedSuffix, rules.unencryptedRegex, rules.encryptedRegex].filter(Boolean).length;
  if (count > 1) throw new SopsError("sets more than one of encrypted_suffix, unencrypted_suffix, encrypted_regex, unencrypted_regex");
  const effective = count === 0 ? { ...rules, unencryptedSuffix: DEFAULT_UNENCRYPTED_SUFFIX } : rules;
  return { age, lastmodified, mac, rules: effective, version: str(s, "version") ?? "" };
}

/** Unwraps the data key with any of the identities. */
export async function openDataKey(meta: SopsMetadata, identities: readonly string[]): Promise<Buffer> {
  if (!meta.age.length) throw new SopsError("has no age recipients in its sops metadata (only other key types, which drover does not use)");
  for (const s of meta.age) {
    let key: Uint8Array | undefined;
    try {
      key = await decryptArmored(s.enc, identities);
    } catch (e) {
      throw new SopsError(`the age stanza for ${s.recipient} is damaged: ${(e as Error).message}`);
    }
    if (key) {
      if (key.length !== 32) throw new SopsError(`the data key wrapped for ${s.recipient} is ${key.length} bytes, not 32`);
      return Buffer.from(key);
    }
  }
  throw new SopsError(`none of your age keys can decrypt it; it is encrypted to ${meta.age.map((s) => s.recipient).join(", ")}`);
}

/** Go's time.Format(time.RFC3339) of a parsed RFC 3339 time: fractional seconds dropped. */
const macAad = (lastmodified: string): string => lastmodified.replace(/\.\d+(?=Z|[+-])/, "");

const showPath = (p: readonly string[]): string => p.join(".") || "(top level)";

/** Decrypts an encrypted document with its data key and verifies the MAC; returns the plaintext without `sops`. */
export function decryptDocument(doc: SopsMap, dataKey: Buffer, meta: SopsMetadata = readMetadata(doc)): SopsMap {
  const body: SopsMap = new Map([...doc].filter(([k]) => k !== "sops"));
  let plain: SopsMap;
  let mac: string;
  try {
    ({ doc: plain, mac } = decryptTree(body, dataKey, meta.rules));
  } catch (e) {
    if (e instanceof SopsTreeError) throw new SopsError(`value at ${showPath(e.path)} ${e.message}`, showPath(e.path));
    throw e;
  }
  let stored;
  try {
    stored = decryptValue(meta.mac, dataKey, macAad(meta.lastmodified));
  } catch (e) {
    if (e instanceof SopsValueError) throw new SopsError(`sops.mac ${e.message}`, "sops.mac");
    throw e;
  }
  if (stored !== mac) throw new SopsError("the MAC does not match the values: the file was modified outside sops", "sops.mac");
  return plain;
}
