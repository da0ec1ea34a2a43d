// The lab's internal CA: the certificate authority behind the `internal-ca` ClusterIssuer, which signs
// the private domain's certificates (private ingress, Grafana…). Made once by Drover and kept in the
// secrets store, so it survives every rebuild of the cluster and devices trust it once
// (`drover ca export`, the seat bundle). ECDSA P-256, ten years, CA:TRUE with pathLen 0 (it signs
// only end-entity certificates), and critical name constraints: only names under the lab's private
// domain and no IP address at all, so a leaked key cannot impersonate anything else to a client that
// checks them (Go, OpenSSL, browsers; cert-manager's CA issuer itself does not check them, so a
// certificate outside the domain would be issued and then rejected by those clients).
import { randomBytes, X509Certificate } from "node:crypto";
import type { CertAndKey } from "./types.js";
import { buildCertificate, generateKey, pem, privateKeyPem, type NameConstraints } from "./x509/certificate.js";

/** Ten years, as the in-cluster CA cert-manager made before (87,600 h). */
export const INTERNAL_CA_VALIDITY_MS = 87600 * 3600 * 1000;

/** The internal CA's subject: "<lab> internal CA", organisation Drover. */
export const internalCaName = (labName: string) => ({ organization: ["Drover"], commonName: `${labName} internal CA` });

/** The name constraints for a lab whose private names live under these domains. */
export const internalCaConstraints = (domains: readonly string[]): NameConstraints => ({
  permittedDns: [...new Set(domains.map((d) => d.toLowerCase().replace(/\.$/, "")))].sort(),
  excludedIp: ["0.0.0.0/0", "::/0"],
});

export function generateInternalCa(labName: string, privateDomains: readonly string[], now: Date = new Date()): CertAndKey {
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + INTERNAL_CA_VALIDITY_MS);
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f || 0x01;
  const key = generateKey("ecdsa-p256");
  const subject = internalCaName(labName);
  const der = buildCertificate(
    { subject, serial, notBefore, notAfter, ca: true, pathLen: 0, keyUsage: ["digitalSignature", "certSign", "cRLSign"], extKeyUsage: [], nameConstraints: internalCaConstraints(privateDomains) },
    key,
    { name: subject, key },
  );
  return { crt: pem("CERTIFICATE", der), key: privateKeyPem(key) };
}

/** The CA certificate as DER bytes (for `drover ca export --format der`). */
export function certificateDer(crtPem: string): Buffer {
  return new X509Certificate(crtPem).raw;
}

/**
 * Whether the CA's name constraints let it sign names under `domain` (the domain or one of its parents
 * is a permitted dNSName subtree). A CA made for an earlier domains.private does not.
 */
export function internalCaPermits(crtPem: string, domain: string): boolean {
  const der = new X509Certificate(crtPem).raw;
  const labels = domain.toLowerCase().replace(/\.$/, "").split(".");
  for (let i = 0; i < labels.length; i++) {
    const d = Buffer.from(labels.slice(i).join("."), "ascii");
    // GeneralSubtree { dNSName [2] }: SEQUENCE, its length, 0x82, the name's length, the name
    if (d.length < 126 && der.includes(Buffer.concat([Buffer.from([0x30, d.length + 2, 0x82, d.length]), d]))) return true;
  }
  return false;
}
