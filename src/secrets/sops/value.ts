// One SOPS value: AES-256-GCM with a 32-byte IV, the key path as additional data, written as
// ENC[AES256_GCM,data:…,iv:…,tag:…,type:str|int|float|bool|comment] (sops aes/cipher.go).
import { createCipheriv, createDecipheriv } from "node:crypto";

/** A YAML float whose value happens to be integral (1.0): kept apart from ints so its type survives. */
export class SopsFloat {
  constructor(readonly value: number) {}
}

export type SopsScalar = string | number | boolean | null | SopsFloat;
export type SopsValue = SopsScalar | SopsMap | SopsValue[];
/** Mappings are ordered: the MAC covers values in document order. */
export type SopsMap = Map<string, SopsValue>;

export type ValueType = "str" | "int" | "float" | "bool";

export const IV_BYTES = 32;
const TAG_BYTES = 16;
const ENC_RE = /^ENC\[AES256_GCM,data:(.*),iv:(.+),tag:(.+),type:(.+)\]/;

/** Go's strconv.FormatFloat(v, 'f', -1, 64): shortest round-trip digits, never an exponent. */
export function formatFloat(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  if (Object.is(v, -0)) return "-0";
  const s = String(v);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, d0, frac = "", expText] = m;
  const digits = d0! + frac;
  const exp = Number(expText);
  if (exp >= 0) {
    const point = 1 + exp;
    return sign + (digits.length <= point ? digits + "0".repeat(point - digits.length) : `${digits.slice(0, point)}.${digits.slice(point)}`);
  }
  return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
}

/** The type and the bytes sops encrypts (and hashes into the MAC) for a scalar. */
export function plainBytes(v: Exclude<SopsScalar, null>): { type: ValueType; bytes: Buffer } {
  if (typeof v === "string") return { type: "str", bytes: Buffer.from(v, "utf8") };
  if (typeof v === "boolean") return { type: "bool", bytes: Buffer.from(v ? "True" : "False") };
  if (v instanceof SopsFloat) return { type: "float", bytes: Buffer.from(formatFloat(v.value)) };
  if (Number.isInteger(v)) return { type: "int", bytes: Buffer.from(Number.isSafeInteger(v) ? String(v) : BigInt(v).toString()) };
  return { type: "float", bytes: Buffer.from(formatFloat(v)) };
}

export const isEncrypted = (s: unknown): s is string => typeof s === "string" && s.startsWith("ENC[AES256_GCM,");

/** Encrypts one scalar; the empty string stays empty (as sops does). */
export function encryptValue(v: Exclude<SopsScalar, null>, key: Buffer, aad: string, iv: Buffer): string {
  if (v === "") return "";
  const { type, bytes } = plainBytes(v);
  return seal(bytes, type, key, aad, iv);
}

export function seal(bytes: Buffer, type: string, key: Buffer, aad: string, iv: Buffer): string {
  const c = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  c.setAAD(Buffer.from(aad, "utf8"));
  const data = Buffer.concat([c.update(bytes), c.final()]);
  return `ENC[AES256_GCM,data:${data.toString("base64")},iv:${iv.toString("base64")},tag:${c.getAuthTag().toString("base64")},type:${type}]`;
}

export class SopsValueError extends Error {}

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decrypts one ENC[…] value back to its typed scalar; throws SopsValueError when it does not authenticate. */
export function decryptValue(text: string, key: Buffer, aad: string): Exclude<SopsScalar, null> | { comment: string } {
  if (text === "") return "";
  const m = ENC_RE.exec(text);
  if (!m || !B64.test(m[1]!) || !B64.test(m[2]!) || !B64.test(m[3]!)) throw new SopsValueError("is not in sops' ENC[AES256_GCM,…] format");
  const iv = Buffer.from(m[2]!, "base64");
  const tag = Buffer.from(m[3]!, "base64");
  if (iv.length === 0 || tag.length !== TAG_BYTES) throw new SopsValueError("has a malformed iv or tag");
  let plain: Buffer;
  try {
    const d = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
    d.setAAD(Buffer.from(aad, "utf8"));
    d.setAuthTag(tag);
    plain = Buffer.concat([d.update(Buffer.from(m[1]!, "base64")), d.final()]);
  } catch {
    throw new SopsValueError("does not authenticate (tampered, moved to another key, or encrypted with another data key)");
  }
  const s = plain.toString("utf8");
  switch (m[4]) {
    case "str":
      return s;
    case "int":
    case "int64":
      if (!/^[-+]?\d+$/.test(s)) throw new SopsValueError(`holds ${JSON.stringify(s)}, not an int`);
      return Number(s);
    case "float": {
      const f = s === "+Inf" ? Infinity : s === "-Inf" ? -Infinity : Number(s);
      if (s.trim() === "" || (Number.isNaN(f) && s !== "NaN")) throw new SopsValueError(`holds ${JSON.stringify(s)}, not a float`);
      return Number.isInteger(f) ? new SopsFloat(f) : f;
    }
    case "bool": {
      // Go's strconv.ParseBool
      if (["1", "t", "T", "TRUE", "true", "True"].includes(s)) return true;
      if (["0", "f", "F", "FALSE", "false", "False"].includes(s)) return false;
      throw new SopsValueError(`holds ${JSON.stringify(s)}, not a bool`);
    }
    case "bytes":
      return s;
    case "comment":
      return { comment: s };
    default:
      throw new SopsValueError(`has unknown type ${m[4]}`);
  }
}
