// age X25519 identities ("AGE-SECRET-KEY-1…") and recipients ("age1…"), compatible with age and
// age-keygen. Keys are derived with node:crypto (synchronous); files are wrapped and unwrapped with
// the age-encryption package (the reference TypeScript implementation of the age format).
import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import { Decrypter, Encrypter, armor } from "age-encryption";
import { bech32Decode, bech32Encode } from "./bech32.js";

const PKCS8_X25519 = Buffer.from("302e020100300506032b656e04220420", "hex");
const SPKI_X25519 = Buffer.from("302a300506032b656e032100", "hex");

export const RECIPIENT_RE = /^age1[02-9ac-hj-np-z]{58}$/;

export interface AgeKeyPair {
  /** AGE-SECRET-KEY-1… (upper case, as age-keygen writes it) */
  readonly identity: string;
  /** age1… */
  readonly recipient: string;
}

export function generateIdentity(): AgeKeyPair {
  const { privateKey } = generateKeyPairSync("x25519");
  const raw = privateKey.export({ format: "der", type: "pkcs8" }).subarray(PKCS8_X25519.length);
  const identity = bech32Encode("age-secret-key-", raw).toUpperCase();
  return { identity, recipient: recipientOf(identity) };
}

/** The recipient (public key) of an identity, what `age-keygen -y` prints. Throws on a malformed identity. */
export function recipientOf(identity: string): string {
  const d = bech32Decode(identity.trim());
  if (!d || d.hrp !== "age-secret-key-" || d.data.length !== 32) throw new Error("not an age identity (AGE-SECRET-KEY-1…)");
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_X25519, d.data]), format: "der", type: "pkcs8" });
  const pub = createPublicKey(key).export({ format: "der", type: "spki" }).subarray(SPKI_X25519.length);
  return bech32Encode("age", pub);
}

export function isRecipient(s: string): boolean {
  if (!RECIPIENT_RE.test(s)) return false;
  const d = bech32Decode(s);
  return !!d && d.hrp === "age" && d.data.length === 32;
}

/** Every identity in an age identity file (keys.txt): lines starting with AGE-SECRET-KEY-1; comments and blanks skipped. */
export function parseIdentities(text: string): { identities: string[]; bad: number[] } {
  const identities: string[] = [];
  const bad: number[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const l = line.trim();
    if (l === "" || l.startsWith("#")) return;
    try {
      recipientOf(l);
      identities.push(l);
    } catch {
      bad.push(i + 1);
    }
  });
  return { identities, bad };
}

/** An identity file like age-keygen writes (the caller supplies the creation time). */
export function identityFileText(pair: AgeKeyPair, created: Date): string {
  return `# created: ${created.toISOString().replace(/\.\d{3}Z$/, "Z")}\n# public key: ${pair.recipient}\n${pair.identity}\n`;
}

/** Encrypts bytes to one recipient as an armored age file (what sops stores in `enc`). */
export async function encryptArmored(data: Uint8Array, recipient: string): Promise<string> {
  const e = new Encrypter();
  e.addRecipient(recipient);
  return armor.encode(await e.encrypt(data));
}

/** Decrypts an armored age file with any of the identities; undefined when none of them fits. */
export async function decryptArmored(armored: string, identities: readonly string[]): Promise<Uint8Array | undefined> {
  const d = new Decrypter();
  for (const id of identities) d.addIdentity(id);
  try {
    return await d.decrypt(armor.decode(armored));
  } catch (e) {
    if (/no identity matched/i.test(String((e as Error)?.message))) return undefined;
    throw e;
  }
}
