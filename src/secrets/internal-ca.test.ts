// The internal CA as real clients see it: OpenSSL reads it as a self-signed CA (pathlen 0, critical
// name constraints: the private domain permitted, every IP address excluded) whose key matches; leaf
// certificates OpenSSL itself issues with the CA key verify for names under the private domain and
// are rejected for any other name and for an IP address — what a leaked key could otherwise sign.
// Go's crypto/x509 and crypto/tls (cert-manager loads the CA Secret with them; Flux, kubectl and most
// home-lab clients verify with them) read it the same way.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { X509Certificate, createPublicKey } from "node:crypto";
import { generateInternalCa, internalCaPermits, certificateDer, INTERNAL_CA_VALIDITY_MS } from "./internal-ca.js";
import { tempDir } from "../testing/age-key.js";
import { tool } from "../testing/paths.js";

const openssl = (args: string[]) => spawnSync("openssl", args, { encoding: "utf8" });
const ok = (args: string[]) => {
  const r = openssl(args);
  assert.equal(r.status, 0, `openssl ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
};

test("internal CA: a self-signed ECDSA CA, pathlen 0, critical name constraints, ten years, key matching (openssl)", () => {
  const now = new Date("2026-12-07T12:00:00.500Z");
  const ca = generateInternalCa("homelab", ["Home.Arpa."], now);
  const dir = tempDir("drover-internal-ca-");
  const crt = join(dir, "ca.crt");
  writeFileSync(crt, ca.crt);
  const text = ok(["x509", "-in", crt, "-noout", "-text"]);
  assert.match(text, /Signature Algorithm: ecdsa-with-SHA256/);
  assert.match(text, /Subject: O\s*=\s*Drover, CN\s*=\s*homelab internal CA/);
  assert.match(text, /X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
  assert.match(text, /X509v3 Key Usage: critical\s+Digital Signature, Certificate Sign, CRL Sign/);
  assert.match(text, /X509v3 Name Constraints: critical\s+Permitted:\s+DNS:home\.arpa\s+Excluded:\s+IP:0\.0\.0\.0\/0\.0\.0\.0\s+IP:0:0:0:0:0:0:0:0\/0:0:0:0:0:0:0:0/);
  assert.doesNotMatch(text, /Extended Key Usage/);
  ok(["verify", "-CAfile", crt, crt]);
  const x = new X509Certificate(ca.crt);
  assert.equal(x.ca, true);
  assert.equal(new Date(x.validFrom).toISOString(), "2026-12-07T12:00:00.000Z");
  assert.equal(new Date(x.validTo).getTime() - new Date(x.validFrom).getTime(), INTERNAL_CA_VALIDITY_MS);
  assert.equal(createPublicKey(ca.key).export({ format: "pem", type: "spki" }), x.publicKey.export({ format: "pem", type: "spki" }));
  assert.deepEqual(certificateDer(ca.crt), x.raw);
  assert.equal(ok(["x509", "-in", crt, "-outform", "DER"]).length > 0, true);
});

/** Leaf certificates signed by the CA's key with OpenSSL, as cert-manager's CA issuer would sign them. */
function leafIssuer(ca: { crt: string; key: string }, prefix: string) {
  const dir = tempDir(prefix);
  writeFileSync(join(dir, "ca.crt"), ca.crt);
  writeFileSync(join(dir, "ca.key"), ca.key, { mode: 0o600 });
  return {
    dir,
    issue(name: string, san: string): string {
      ok(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", join(dir, `${name}.key`), "-subj", `/CN=${name}`, "-out", join(dir, `${name}.csr`)]);
      writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\nextendedKeyUsage=serverAuth\nbasicConstraints=critical,CA:FALSE\n`);
      ok(["x509", "-req", "-in", join(dir, `${name}.csr`), "-CA", join(dir, "ca.crt"), "-CAkey", join(dir, "ca.key"), "-CAcreateserial", "-days", "90", "-extfile", join(dir, `${name}.ext`), "-out", join(dir, `${name}.crt`)]);
      return readFileSync(join(dir, `${name}.crt`), "utf8");
    },
  };
}

test("internal CA: OpenSSL-issued leaves verify under the private domain, and are rejected elsewhere and for IP addresses", () => {
  const ca = generateInternalCa("homelab", ["home.arpa"]);
  const issuer = leafIssuer(ca, "drover-internal-ca-leaf-");
  const dir = issuer.dir;
  const leaf = (name: string, san: string) => {
    issuer.issue(name, san);
    return openssl(["verify", "-purpose", "sslserver", "-CAfile", join(dir, "ca.crt"), join(dir, `${name}.crt`)]);
  };
  assert.equal(leaf("grafana", "DNS:grafana.home.arpa,DNS:home.arpa").status, 0);
  assert.equal(leaf("wild", "DNS:*.apps.home.arpa").status, 0);
  const outside = leaf("bank", "DNS:bank.example.com");
  assert.notEqual(outside.status, 0);
  assert.match(outside.stdout + outside.stderr, /permitted subtree violation/);
  const lookalike = leaf("evil", "DNS:evilhome.arpa");
  assert.notEqual(lookalike.status, 0, "a name that merely ends with the domain's text is outside it");
  const ip = leaf("ip", "DNS:nas.home.arpa,IP:192.168.1.10");
  assert.notEqual(ip.status, 0);
  assert.match(ip.stdout + ip.stderr, /excluded subtree violation/);
});

test("internal CA: internalCaPermits tells whether the CA was made for the lab's private domain", () => {
  const ca = generateInternalCa("homelab", ["home.arpa"]);
  assert.equal(internalCaPermits(ca.crt, "home.arpa"), true);
  assert.equal(internalCaPermits(ca.crt, "lab.home.arpa"), true);
  assert.equal(internalCaPermits(ca.crt, "home.internal"), false);
  assert.equal(internalCaPermits(ca.crt, "arpa"), false);
});

test("internal CA: Go's crypto/tls loads the key pair as cert-manager does, and crypto/x509 enforces the name constraints", () => {
  const ca = generateInternalCa("homelab", ["home.arpa"]);
  const issuer = leafIssuer(ca, "drover-internal-ca-go-");
  const cases = [
    { cert: ca.crt, key: ca.key },
    { roots: [ca.crt], cert: issuer.issue("grafana", "DNS:grafana.home.arpa"), host: "grafana.home.arpa" },
    { roots: [ca.crt], cert: issuer.issue("deep", "DNS:a.b.home.arpa"), host: "a.b.home.arpa" },
    { roots: [ca.crt], cert: issuer.issue("bank", "DNS:bank.example.com"), host: "bank.example.com" },
    { roots: [ca.crt], cert: issuer.issue("evil", "DNS:evilhome.arpa"), host: "evilhome.arpa" },
    { roots: [ca.crt], cert: issuer.issue("ip", "DNS:nas.home.arpa,IP:192.168.1.10"), host: "nas.home.arpa" },
  ];
  const r = spawnSync(tool("go-x509-check"), [], { input: JSON.stringify(cases), encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const [pair, grafana, deep, bank, evil, ip] = JSON.parse(r.stdout) as { parseError?: string; isCA: boolean; keyPair?: string; verifyError?: string; verified: boolean }[];
  assert.deepEqual(pair, { isCA: true, keyPair: "ok", verified: false });
  assert.equal(grafana!.verified, true, grafana!.verifyError);
  assert.equal(deep!.verified, true, deep!.verifyError);
  assert.match(bank!.verifyError ?? "", /not permitted by any constraint/);
  assert.match(evil!.verifyError ?? "", /not permitted by any constraint/);
  assert.match(ip!.verifyError ?? "", /IP address "192\.168\.1\.10" is excluded by constraint/);
});
