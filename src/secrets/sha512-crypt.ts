// SHA-512-crypt ("$6$", Ulrich Drepper's algorithm, what `openssl passwd -6` and glibc crypt(3) make),
// for root-password hashes in installer answer files. The salt is an input so output is reproducible.
import { createHash } from "node:crypto";

const ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const ROUNDS_DEFAULT = 5000;

const sha512 = (...parts: Buffer[]): Buffer => {
  const h = createHash("sha512");
  for (const p of parts) h.update(p);
  return h.digest();
};

/** `n` bytes of `block` repeated. */
function repeatTo(block: Buffer, n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i += block.length) block.copy(out, i, 0, Math.min(block.length, n - i));
  return out;
}

// the byte triples of the final encoding, as the reference implementation lists them
const ORDER: readonly [number, number, number][] = [
  [0, 21, 42], [22, 43, 1], [44, 2, 23], [3, 24, 45], [25, 46, 4], [47, 5, 26], [6, 27, 48], [28, 49, 7], [50, 8, 29], [9, 30, 51], [31, 52, 10],
  [53, 11, 32], [12, 33, 54], [34, 55, 13], [56, 14, 35], [15, 36, 57], [37, 58, 16], [59, 17, 38], [18, 39, 60], [40, 61, 19], [62, 20, 41],
];

function b64From24(b2: number, b1: number, b0: number, n: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0;
  let s = "";
  for (let i = 0; i < n; i++) {
    s += ITOA64[w & 0x3f];
    w >>>= 6;
  }
  return s;
}

/** The "$6$salt$hash" string for `password`. The salt is at most 16 characters of [./0-9A-Za-z]. */
export function sha512Crypt(password: string, salt: string, rounds = ROUNDS_DEFAULT): string {
  if (!/^[./0-9A-Za-z]{1,16}$/.test(salt)) throw new Error("internal: a sha512-crypt salt is 1–16 characters of ./0-9A-Za-z");
  const pw = Buffer.from(password, "utf8");
  const s = Buffer.from(salt, "ascii");
  const b = sha512(pw, s, pw);
  const aParts: Buffer[] = [pw, s, repeatTo(b, pw.length)];
  for (let n = pw.length; n > 0; n >>= 1) aParts.push(n & 1 ? b : pw);
  const a = sha512(...aParts);
  const dp = sha512(...Array.from({ length: pw.length }, () => pw));
  const p = repeatTo(dp, pw.length);
  const ds = sha512(...Array.from({ length: 16 + a[0]! }, () => s));
  const sBytes = repeatTo(ds, s.length);
  let c = a;
  for (let i = 0; i < rounds; i++) {
    const parts: Buffer[] = [i & 1 ? p : c];
    if (i % 3) parts.push(sBytes);
    if (i % 7) parts.push(p);
    parts.push(i & 1 ? c : p);
    c = sha512(...parts);
  }
  let out = "";
  for (const [x, y, z] of ORDER) out += b64From24(c[x]!, c[y]!, c[z]!, 4);
  out += b64From24(0, 0, c[63]!, 2);
  return `$6$${rounds === ROUNDS_DEFAULT ? "" : `rounds=${rounds}$`}${salt}$${out}`;
}

/** A 16-character crypt salt derived from a seed (reproducible renders). */
export function cryptSalt(seed: string): string {
  const h = createHash("sha256").update(seed).digest();
  let s = "";
  for (let i = 0; i < 16; i++) s += ITOA64[h[i]! & 0x3f];
  return s;
}
