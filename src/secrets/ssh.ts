// SSH key pairs Drover makes for a lab (Ed25519, node:crypto): the admin key the k3s seeds authorize
// (so `drover up` can fetch the kubeconfig from the first server) and the deploy key Flux reads the
// Git repository with. Written in OpenSSH's own formats: the private key as an unencrypted
// "openssh-key-v1" file (what ssh-keygen writes; OpenSSH does not read Ed25519 keys in PKCS#8 PEM),
// the public key as an authorized_keys line. Deterministic for a given key (the check integers are
// derived from it), so the same store always gives the same files.
import { createHash, createPrivateKey, generateKeyPairSync } from "node:crypto";

export interface SshKeyPair {
  /** OpenSSH private key file text (-----BEGIN OPENSSH PRIVATE KEY-----) */
  readonly privateKey: string;
  /** authorized_keys line: "ssh-ed25519 AAAA… comment" */
  readonly publicKey: string;
}

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
const str = (b: Buffer | string) => {
  const buf = typeof b === "string" ? Buffer.from(b) : b;
  return Buffer.concat([u32(buf.length), buf]);
};

/** The raw 32-byte seed and public key of an Ed25519 private key (PKCS#8 PEM or a KeyObject). */
function rawEd25519(pkcs8Pem: string): { seed: Buffer; pub: Buffer } {
  const jwk = createPrivateKey(pkcs8Pem).export({ format: "jwk" }) as { crv?: string; d?: string; x?: string };
  if (jwk.crv !== "Ed25519" || !jwk.d || !jwk.x) throw new Error("not an Ed25519 private key");
  return { seed: Buffer.from(jwk.d, "base64url"), pub: Buffer.from(jwk.x, "base64url") };
}

/** The OpenSSH files of an Ed25519 key given as PKCS#8 PEM; `comment` ends the public key line. */
export function sshKeyPairFromPem(pkcs8Pem: string, comment: string): SshKeyPair {
  if (/[\r\n\0]/.test(comment)) throw new Error("an SSH key comment is one line");
  const { seed, pub } = rawEd25519(pkcs8Pem);
  const pubBlob = Buffer.concat([str("ssh-ed25519"), str(pub)]);
  const check = createHash("sha256").update(seed).update("openssh check").digest().readUInt32BE(0);
  let priv = Buffer.concat([u32(check), u32(check), str("ssh-ed25519"), str(pub), str(Buffer.concat([seed, pub])), str(comment)]);
  const pad: number[] = [];
  for (let i = 1; (priv.length + pad.length) % 8 !== 0; i++) pad.push(i);
  priv = Buffer.concat([priv, Buffer.from(pad)]);
  const body = Buffer.concat([Buffer.from("openssh-key-v1\0"), str("none"), str("none"), str(""), u32(1), str(pubBlob), str(priv)]);
  const b64 = body.toString("base64").replace(/.{1,70}/g, "$&\n");
  return {
    privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n${b64}-----END OPENSSH PRIVATE KEY-----\n`,
    publicKey: `ssh-ed25519 ${pubBlob.toString("base64")}${comment ? ` ${comment}` : ""}`,
  };
}

export function generateSshKeyPair(comment: string): SshKeyPair {
  const { privateKey } = generateKeyPairSync("ed25519");
  return sshKeyPairFromPem(privateKey.export({ format: "pem", type: "pkcs8" }) as string, comment);
}

/** The public key line of an OpenSSH private key Drover wrote (for checks). */
export function isSshPublicKey(line: string): boolean {
  return /^ssh-ed25519 [A-Za-z0-9+/]+=* ?[^\r\n]*$/.test(line);
}
