// Walking a document the way sops does (sops.go): leaves in document order, the path is the chain of
// mapping keys (list indices are not part of it), the additional data is path.join(":") + ":", and
// the MAC is SHA-512 over every leaf's plaintext bytes (nulls skipped), written as upper-case hex.
import { createHash } from "node:crypto";
import type { SopsMap, SopsScalar, SopsValue } from "./value.js";
import { SopsFloat, SopsValueError, decryptValue, encryptValue, plainBytes } from "./value.js";

/** Which values are encrypted: the sops metadata fields of the same names. At most one selector is set. */
export interface EncryptionRules {
  readonly unencryptedSuffix?: string | undefined;
  readonly encryptedSuffix?: string | undefined;
  readonly unencryptedRegex?: string | undefined;
  readonly encryptedRegex?: string | undefined;
  readonly macOnlyEncrypted?: boolean | undefined;
}

// 32 known bytes the MAC starts with when mac_only_encrypted is set (sops.go MACOnlyEncryptedInitialization)
const MAC_ONLY_ENCRYPTED_INIT = Buffer.from("8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69", "hex");

export function shouldEncrypt(path: readonly string[], r: EncryptionRules, re = compileRules(r)): boolean {
  let encrypted = true;
  if (r.unencryptedSuffix && path.some((p) => p.endsWith(r.unencryptedSuffix!))) encrypted = false;
  if (r.encryptedSuffix) encrypted = path.some((p) => p.endsWith(r.encryptedSuffix!));
  if (re.unencrypted && path.some((p) => re.unencrypted!.test(p))) encrypted = false;
  if (re.encrypted) encrypted = path.some((p) => re.encrypted!.test(p));
  return encrypted;
}

export function compileRules(r: EncryptionRules): { encrypted?: RegExp; unencrypted?: RegExp } {
  return {
    ...(r.encryptedRegex ? { encrypted: new RegExp(r.encryptedRegex) } : {}),
    ...(r.unencryptedRegex ? { unencrypted: new RegExp(r.unencryptedRegex) } : {}),
  };
}

export const aadOf = (path: readonly string[]): string => `${path.join(":")}:`;

type Leaf = Exclude<SopsScalar, null>;

function mapLeaves(v: SopsValue, path: string[], f: (leaf: Leaf, path: string[]) => SopsValue): SopsValue {
  if (v === null) return null;
  if (v instanceof Map) {
    const out: SopsMap = new Map();
    for (const [k, x] of v) out.set(k, mapLeaves(x, [...path, k], f));
    return out;
  }
  if (Array.isArray(v)) return v.map((x) => mapLeaves(x, path, f));
  return f(v, path);
}

export type IvSource = (aad: string, type: string, plain: Buffer) => Buffer;

function newHash(r: EncryptionRules) {
  const h = createHash("sha512");
  if (r.macOnlyEncrypted) h.update(MAC_ONLY_ENCRYPTED_INIT);
  return h;
}

/** Encrypts a document (without its `sops` key); returns the encrypted copy and the plaintext MAC. */
export function encryptTree(doc: SopsMap, key: Buffer, rules: EncryptionRules, iv: IvSource): { doc: SopsMap; mac: string } {
  const hash = newHash(rules);
  const re = compileRules(rules);
  const out = mapLeaves(doc, [], (leaf, path) => {
    const enc = shouldEncrypt(path, rules, re);
    const { type, bytes } = plainBytes(leaf);
    if (!rules.macOnlyEncrypted || enc) hash.update(bytes);
    if (!enc) return leaf;
    const aad = aadOf(path);
    return encryptValue(leaf, key, aad, iv(aad, type, bytes));
  }) as SopsMap;
  return { doc: out, mac: hash.digest("hex").toUpperCase() };
}

export class SopsTreeError extends Error {
  constructor(message: string, readonly path: readonly string[]) {
    super(message);
  }
}

/** Decrypts a document (without its `sops` key); returns the plaintext and the MAC computed over it. */
export function decryptTree(doc: SopsMap, key: Buffer, rules: EncryptionRules): { doc: SopsMap; mac: string } {
  const hash = newHash(rules);
  const re = compileRules(rules);
  const out = mapLeaves(doc, [], (leaf, path) => {
    const enc = shouldEncrypt(path, rules, re);
    let v: Leaf = leaf;
    if (enc) {
      if (typeof leaf !== "string") throw new SopsTreeError(`should be encrypted but holds a plain ${leaf instanceof SopsFloat ? "float" : typeof leaf}`, path);
      try {
        const d = decryptValue(leaf, key, aadOf(path));
        if (typeof d === "object" && !(d instanceof SopsFloat)) throw new SopsValueError("is an encrypted comment in a value position");
        v = d;
      } catch (e) {
        if (e instanceof SopsValueError) throw new SopsTreeError(e.message, path);
        throw e;
      }
    }
    if (!rules.macOnlyEncrypted || enc) hash.update(plainBytes(v).bytes);
    return v;
  }) as SopsMap;
  return { doc: out, mac: hash.digest("hex").toUpperCase() };
}
