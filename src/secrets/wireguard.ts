// WireGuard keys with node:crypto: Curve25519 private keys, their public keys, preshared keys.
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from "node:crypto";
import type { WireguardKeyPair } from "./types.js";

// DER prefixes of PKCS#8 / SPKI wrappers around a raw 32-byte X25519 key
const PKCS8_X25519 = Buffer.from("302e020100300506032b656e04220420", "hex");
const SPKI_X25519 = Buffer.from("302a300506032b656e032100", "hex");

export function generateWireguardKeyPair(): WireguardKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("x25519");
  const priv = privateKey.export({ format: "der", type: "pkcs8" }).subarray(PKCS8_X25519.length);
  const pub = publicKey.export({ format: "der", type: "spki" }).subarray(SPKI_X25519.length);
  return { privateKey: priv.toString("base64"), publicKey: pub.toString("base64") };
}

/** The public key of a base64 WireGuard private key (what `wg pubkey` prints). */
export function publicKeyOf(privateKeyB64: string): string {
  const raw = Buffer.from(privateKeyB64, "base64");
  if (raw.length !== 32) throw new Error("a WireGuard private key is 32 bytes, base64-encoded");
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_X25519, raw]), format: "der", type: "pkcs8" });
  return createPublicKey(key).export({ format: "der", type: "spki" }).subarray(SPKI_X25519.length).toString("base64");
}

export function generatePresharedKey(): string {
  return randomBytes(32).toString("base64");
}
