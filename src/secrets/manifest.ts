// Deterministic SOPS encryption of rendered manifests (Kubernetes Secrets for the Flux tree): the
// store's long-lived manifest data key, its age stanzas kept in the store, IVs derived from the key,
// path and value, and a fixed lastmodified. Same spec + same secrets → byte-identical output, and
// `sops -d` (or Flux's kustomize-controller) decrypts it like any sops file.
import { randomBytes } from "node:crypto";
import type { LabSecrets, ManifestKey } from "./types.js";
import type { EncryptionRules, SopsMap, SopsValue } from "./sops/index.js";
import { KUBERNETES_SECRET_RULES, encryptWith, needsQuotes, newEnvelope, parseDocument, rewrapEnvelope, rfc3339, sameRecipients } from "./sops/index.js";

export interface EncryptManifestOptions {
  /** which values to encrypt; default: a Kubernetes Secret's data and stringData */
  readonly rules?: EncryptionRules;
  /**
   * the data the YAML text was emitted from (the renderer has it): encrypted without parsing the
   * text back, with the same result; ignored when the text could read back differently
   */
  readonly doc?: unknown;
}

/** SOPS-encrypts one YAML manifest (one document) with the lab's manifest key. Pure and synchronous. */
export function encryptManifest(yamlText: string, secrets: LabSecrets, opts: EncryptManifestOptions = {}): string {
  const key = secrets.manifestKey;
  if (!key) throw new Error("internal: the secrets have no manifestKey (load them with loadSecrets, or build fixtures with newManifestKey)");
  const doc = (opts.doc !== undefined ? fromData(opts.doc) : undefined) ?? parseDocument(yamlText);
  const env = { dataKey: Buffer.from(key.dataKey, "base64"), age: key.age };
  return encryptWith(doc, env, { rules: opts.rules ?? KUBERNETES_SECRET_RULES, lastModified: key.lastModified, iv: "deterministic" });
}

class NotPlain extends Error {}

/**
 * Rendered data as the document parsing its YAML would give: mappings in key order, undefined
 * values left out. Undefined when that is not certain: strings Go's YAML readers (and the sops
 * parser, which reads like them) might take for numbers, or anything but plain data.
 */
function fromData(v: unknown): SopsMap | undefined {
  const conv = (x: unknown): SopsValue => {
    if (x === null) return null;
    switch (typeof x) {
      case "string":
        if (x !== "" && needsQuotes(x)) throw new NotPlain();
        return x;
      case "number":
      case "boolean":
        return x;
      case "object": {
        if (Array.isArray(x)) return x.map((i) => (i === undefined ? null : conv(i)));
        const p = Object.getPrototypeOf(x);
        if (p !== Object.prototype && p !== null) throw new NotPlain();
        const m: SopsMap = new Map();
        for (const [k, i] of Object.entries(x)) {
          if (i === undefined) continue;
          if (needsQuotes(k)) throw new NotPlain();
          m.set(k, conv(i));
        }
        return m;
      }
    }
    throw new NotPlain();
  };
  try {
    const m = conv(v);
    return m instanceof Map ? m : undefined;
  } catch (e) {
    if (e instanceof NotPlain) return undefined;
    throw e;
  }
}

/** A new manifest key wrapped for the recipients (clock and randomness: only when the store first gets one). */
export async function newManifestKey(recipients: readonly string[], now: Date = new Date()): Promise<ManifestKey> {
  const env = await newEnvelope(recipients, randomBytes(32));
  return { dataKey: env.dataKey.toString("base64"), lastModified: rfc3339(now), age: env.age };
}

/** The same key for a new set of recipients; unchanged (same object) when the recipients are the same. */
export async function rewrapManifestKey(key: ManifestKey, recipients: readonly string[]): Promise<ManifestKey> {
  if (sameRecipients(key.age, recipients)) return key;
  const env = await rewrapEnvelope({ dataKey: Buffer.from(key.dataKey, "base64"), age: key.age }, recipients);
  return { ...key, age: env.age };
}
