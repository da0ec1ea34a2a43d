// The Talos secrets bundle (what `talosctl gen secrets` makes), generated with node:crypto and our
// own X.509 encoder: cluster id and secret, bootstrap and trustd tokens, the secretbox key, and the
// etcd, Kubernetes, aggregator and OS CAs (ECDSA P-256, ECDSA P-256, ECDSA P-256, Ed25519) plus the
// service-account key — the algorithms and certificate shapes Talos itself uses.
import { randomBytes, randomInt } from "node:crypto";
import type { CertAndKey, TalosSecrets } from "./types.js";
import { generateKey, privateKeyPem, selfSignedCa, type KeyAlgorithm, type Name } from "./x509/certificate.js";

/** How long Talos's CAs are valid: 87,600 hours (ten years), as secrets.CAValidityTime. */
export const CA_VALIDITY_MS = 87600 * 3600 * 1000;

const TOKEN_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz";
const token = (n: number): string => Array.from({ length: n }, () => TOKEN_CHARS[randomInt(TOKEN_CHARS.length)]).join("");

/** A bootstrap-token-shaped string, "[a-z0-9]{6}.[a-z0-9]{16}". */
export const talosToken = (): string => `${token(6)}.${token(16)}`;

/** A random positive 128-bit serial, as Go's crypto/x509 users make them. */
const serial = (): Buffer => {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f || 0x01;
  return b;
};

/** A new Kubernetes CA shaped like the one `talosctl gen secrets` makes (ECDSA P-256, O=kubernetes). */
export function newKubernetesCa(now: Date = new Date()): CertAndKey {
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
  return selfSignedCa({ subject: { organization: ["kubernetes"] }, algorithm: "ecdsa-p256", notBefore, notAfter: new Date(notBefore.getTime() + CA_VALIDITY_MS), serial: serial() });
}

export function generateTalosSecrets(now: Date = new Date()): TalosSecrets {
  // whole seconds: certificates carry no fractions
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + CA_VALIDITY_MS);
  const ca = (subject: Name, algorithm: KeyAlgorithm) => selfSignedCa({ subject, algorithm, notBefore, notAfter, serial: serial() });
  return {
    clusterId: randomBytes(32).toString("base64url").padEnd(44, "="),
    clusterSecret: randomBytes(32).toString("base64"),
    bootstrapToken: talosToken(),
    secretboxEncryptionSecret: randomBytes(32).toString("base64"),
    trustdToken: talosToken(),
    certs: {
      etcd: ca({ organization: ["etcd"] }, "ecdsa-p256"),
      k8s: ca({ organization: ["kubernetes"] }, "ecdsa-p256"),
      k8sAggregator: ca({ commonName: "front-proxy" }, "ecdsa-p256"),
      k8sServiceAccount: { key: privateKeyPem(generateKey("ecdsa-p256")) },
      os: ca({ organization: ["talos"] }, "ed25519"),
    },
  };
}
