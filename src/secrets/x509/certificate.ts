// X.509 v3 certificates built with our DER encoder and signed with node:crypto: the self-signed CAs
// of a Talos secrets bundle and client certificates issued by them (the talosconfig admin).
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { bitString, boolean, explicit, integer, nul, octetString, oid, printableString, sequence, set, time, tlv, utf8String } from "./der.js";

export type KeyAlgorithm = "ecdsa-p256" | "ed25519" | "rsa-2048" | "rsa-4096";

export interface Name {
  readonly organization?: readonly string[];
  readonly commonName?: string;
}

export interface CertificateRequest {
  readonly subject: Name;
  readonly serial: Buffer;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly ca: boolean;
  /** KeyUsage bits: digitalSignature, keyEncipherment, certSign, cRLSign */
  readonly keyUsage: readonly ("digitalSignature" | "keyEncipherment" | "certSign" | "cRLSign")[];
  readonly extKeyUsage: readonly ("serverAuth" | "clientAuth")[];
  /** a CA's pathLenConstraint (0: it signs only end-entity certificates) */
  readonly pathLen?: number;
  /** a CA's name constraints (critical): the DNS domains its certificates may name, the IP ranges they may not */
  readonly nameConstraints?: NameConstraints;
}

export interface NameConstraints {
  /** DNS domains (each with every name under it) */
  readonly permittedDns: readonly string[];
  /** CIDR ranges excluded, e.g. "0.0.0.0/0" and "::/0": no IP address at all */
  readonly excludedIp: readonly string[];
}

const OID = {
  organization: "2.5.4.10",
  commonName: "2.5.4.3",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  basicConstraints: "2.5.29.19",
  nameConstraints: "2.5.29.30",
  subjectKeyId: "2.5.29.14",
  authorityKeyId: "2.5.29.35",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  sha256WithRsa: "1.2.840.113549.1.1.11",
  ed25519: "1.3.101.112",
} as const;

const KEY_USAGE_BIT = { digitalSignature: 0, keyEncipherment: 2, certSign: 5, cRLSign: 6 } as const;

/** A new private key of the given algorithm. */
export function generateKey(alg: KeyAlgorithm): KeyObject {
  switch (alg) {
    case "ecdsa-p256":
      return generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
    case "ed25519":
      return generateKeyPairSync("ed25519").privateKey;
    case "rsa-2048":
    case "rsa-4096":
      return generateKeyPairSync("rsa", { modulusLength: alg === "rsa-2048" ? 2048 : 4096 }).privateKey;
  }
}

/** The Ed25519 private key with this 32-byte seed (deterministic keys derived from secret material). */
export function ed25519FromSeed(seed: Buffer): KeyObject {
  if (seed.length !== 32) throw new Error("internal: an Ed25519 seed is 32 bytes");
  return createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]), format: "der", type: "pkcs8" });
}

function encodeName(n: Name): Buffer {
  const rdns: Buffer[] = [];
  for (const o of n.organization ?? []) rdns.push(set(sequence(oid(OID.organization), stringValue(o))));
  if (n.commonName !== undefined) rdns.push(set(sequence(oid(OID.commonName), stringValue(n.commonName))));
  return sequence(...rdns);
}

// PrintableString where the characters allow (as Go's crypto/x509 does), UTF8String otherwise
const stringValue = (s: string): Buffer => (/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(s) ? printableString(s) : utf8String(s));

function signatureAlgorithm(key: KeyObject): { algId: Buffer; digest: string | null } {
  switch (key.asymmetricKeyType) {
    case "ec":
      return { algId: sequence(oid(OID.ecdsaWithSha256)), digest: "sha256" };
    case "ed25519":
      return { algId: sequence(oid(OID.ed25519)), digest: null };
    case "rsa":
      return { algId: sequence(oid(OID.sha256WithRsa), nul()), digest: "sha256" };
    default:
      throw new Error(`internal: unsupported key type ${key.asymmetricKeyType}`);
  }
}

function keyUsageBits(usages: CertificateRequest["keyUsage"]): Buffer {
  let bits = 0;
  for (const u of usages) bits |= 0x80 >> KEY_USAGE_BIT[u];
  // DER BIT STRING: minimal length, unused trailing bits counted
  let unused = 0;
  while (unused < 8 && !(bits & (1 << unused))) unused++;
  return Buffer.from([0x03, 0x02, unused === 8 ? 0 : unused, bits]);
}

/** SubjectPublicKeyInfo (DER) of a private or public key. */
export function spki(key: KeyObject): Buffer {
  const pub = key.type === "private" ? createPublicKey(key) : key;
  return pub.export({ format: "der", type: "spki" });
}

/** The subject key identifier: SHA-1 of the subjectPublicKey bits (RFC 5280 method 1, as Go computes it). */
export function subjectKeyId(key: KeyObject): Buffer {
  const info = spki(key);
  // SPKI = SEQUENCE { AlgorithmIdentifier, BIT STRING }; take the BIT STRING's content after the unused-bits byte
  const bits = lastTlvContent(info);
  return createHash("sha1").update(bits.subarray(1)).digest();
}

function lastTlvContent(der: Buffer): Buffer {
  // outer SEQUENCE header
  let i = 1;
  i += der[i]! & 0x80 ? 1 + (der[i]! & 0x7f) : 1;
  let last: Buffer = Buffer.alloc(0);
  while (i < der.length) {
    i++; // tag
    let len = der[i]!;
    let hdr = 1;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let k = 1; k <= n; k++) len = len * 256 + der[i + k]!;
      hdr += n;
    }
    last = der.subarray(i + hdr, i + hdr + len);
    i += hdr + len;
  }
  return last;
}

/**
 * A DER certificate for `subjectKey`, signed by `issuerKey` (the same key for a self-signed CA).
 * Ed25519 signatures are deterministic; ECDSA and RSA-PSS are not, but RSA PKCS#1 v1.5 is.
 */
export function buildCertificate(req: CertificateRequest, subjectKey: KeyObject, issuer: { name: Name; key: KeyObject }): Buffer {
  const { algId, digest } = signatureAlgorithm(issuer.key);
  const skid = subjectKeyId(subjectKey);
  const extensions: Buffer[] = [
    sequence(oid(OID.keyUsage), boolean(true), octetString(keyUsageBits(req.keyUsage))),
  ];
  if (req.extKeyUsage.length) extensions.push(sequence(oid(OID.extKeyUsage), octetString(sequence(...req.extKeyUsage.map((u) => oid(OID[u]))))));
  const pathLen = req.ca && req.pathLen !== undefined ? [integer(req.pathLen)] : [];
  extensions.push(sequence(oid(OID.basicConstraints), boolean(true), octetString(req.ca ? sequence(boolean(true), ...pathLen) : sequence())));
  if (req.ca) extensions.push(sequence(oid(OID.subjectKeyId), octetString(octetString(skid))));
  if (req.ca && req.nameConstraints) extensions.push(sequence(oid(OID.nameConstraints), boolean(true), octetString(nameConstraintsValue(req.nameConstraints))));
  if (issuer.key !== subjectKey) {
    extensions.push(sequence(oid(OID.authorityKeyId), octetString(sequence(Buffer.concat([Buffer.from([0x80, 20]), subjectKeyId(issuer.key)])))));
  }
  const tbs = sequence(
    explicit(0, integer(2)),
    integer(req.serial),
    algId,
    encodeName(issuer.name),
    sequence(time(req.notBefore), time(req.notAfter)),
    encodeName(req.subject),
    spki(subjectKey),
    explicit(3, sequence(...extensions)),
  );
  const signature = digest === null ? sign(null, tbs, issuer.key) : sign(digest, tbs, { key: issuer.key, dsaEncoding: "der" });
  return sequence(tbs, algId, bitString(signature));
}

/**
 * NameConstraints ::= SEQUENCE { permittedSubtrees [0] GeneralSubtrees OPTIONAL, excludedSubtrees [1] … }
 * with GeneralSubtree ::= SEQUENCE { base GeneralName } (minimum 0 and no maximum, as RFC 5280 requires):
 * dNSName [2] IA5String, iPAddress [7] OCTET STRING of the address followed by the mask.
 */
function nameConstraintsValue(nc: NameConstraints): Buffer {
  const dns = nc.permittedDns.map((d) => {
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(d)) throw new Error(`internal: ${JSON.stringify(d)} is not a DNS domain for a name constraint`);
    return sequence(tlv(0x82, Buffer.from(d, "ascii")));
  });
  const ips = nc.excludedIp.map((cidr) => sequence(tlv(0x87, ipRange(cidr))));
  const parts: Buffer[] = [];
  if (dns.length) parts.push(tlv(0xa0, Buffer.concat(dns)));
  if (ips.length) parts.push(tlv(0xa1, Buffer.concat(ips)));
  return sequence(...parts);
}

/** "10.0.0.0/8" → the address bytes followed by the mask bytes (8 for IPv4, 32 for IPv6). */
function ipRange(cidr: string): Buffer {
  const [addr, bitsText] = cidr.split("/") as [string, string | undefined];
  const family = /^(\d{1,3}\.){3}\d{1,3}$/.test(addr) ? 4 : /^[0-9a-fA-F:]+$/.test(addr) && addr.includes(":") ? 6 : 0;
  const bits = Number(bitsText);
  const size = family === 4 ? 4 : family === 6 ? 16 : 0;
  if (!size || !Number.isInteger(bits) || bits < 0 || bits > size * 8) throw new Error(`internal: ${JSON.stringify(cidr)} is not a CIDR range`);
  const bytes = family === 4 ? Buffer.from(addr.split(".").map(Number)) : ipv6Bytes(addr);
  const mask = Buffer.alloc(size);
  for (let i = 0; i < bits; i++) mask[i >> 3]! |= 0x80 >> (i & 7);
  for (let i = 0; i < size; i++) bytes[i]! &= mask[i]!;
  return Buffer.concat([bytes, mask]);
}

function ipv6Bytes(addr: string): Buffer {
  const [head, tail] = addr.includes("::") ? (addr.split("::") as [string, string]) : [addr, undefined];
  const groups = (s: string) => (s ? s.split(":").map((g) => parseInt(g, 16)) : []);
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? h : [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
  const b = Buffer.alloc(16);
  all.forEach((g, i) => b.writeUInt16BE(g, i * 2));
  return b;
}

export function pem(label: string, der: Buffer): string {
  const b64 = der.toString("base64").replace(/.{64}/g, "$&\n").replace(/\n$/, "");
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** A private key as PEM in the form Talos writes: EC PRIVATE KEY (SEC1), ED25519 PRIVATE KEY (PKCS#8), RSA PRIVATE KEY (PKCS#1). */
export function privateKeyPem(key: KeyObject): string {
  switch (key.asymmetricKeyType) {
    case "ec":
      return key.export({ format: "pem", type: "sec1" }).toString();
    case "ed25519":
      return pem("ED25519 PRIVATE KEY", key.export({ format: "der", type: "pkcs8" }));
    case "rsa":
      return key.export({ format: "pem", type: "pkcs1" }).toString();
    default:
      throw new Error(`internal: unsupported key type ${key.asymmetricKeyType}`);
  }
}

/** Reads a PEM private key in any of the forms privateKeyPem writes. */
export function readPrivateKey(text: string): KeyObject {
  const m = /-----BEGIN ED25519 PRIVATE KEY-----([\s\S]*?)-----END ED25519 PRIVATE KEY-----/.exec(text);
  if (m) return createPrivateKey({ key: Buffer.from(m[1]!.replace(/\s+/g, ""), "base64"), format: "der", type: "pkcs8" });
  return createPrivateKey(text);
}

export interface CaOptions {
  readonly subject: Name;
  readonly algorithm: KeyAlgorithm;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly serial: Buffer;
}

/** A self-signed CA as Talos makes them: KeyUsage digitalSignature+certSign, EKU server+client auth, CA:TRUE. */
export function selfSignedCa(o: CaOptions): { crt: string; key: string } {
  const key = generateKey(o.algorithm);
  const der = buildCertificate(
    { subject: o.subject, serial: o.serial, notBefore: o.notBefore, notAfter: o.notAfter, ca: true, keyUsage: ["digitalSignature", "certSign"], extKeyUsage: ["serverAuth", "clientAuth"] },
    key,
    { name: o.subject, key },
  );
  return { crt: pem("CERTIFICATE", der), key: privateKeyPem(key) };
}
