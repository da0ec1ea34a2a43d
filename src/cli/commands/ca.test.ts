// The internal CA end to end through the CLI: made once by render and kept in the secrets store,
// rendered as a SOPS-encrypted TLS Secret that real sops decrypts to the store's CA (consumed by the
// internal-ca ClusterIssuer, with no in-cluster self-signed chain left), byte-identical re-render,
// `drover ca export` in PEM and DER (OpenSSL agrees on the DER; never the key), the seat bundle's
// copy, check's lifetime with its exact end, and `keys rotate internal-ca` with its warning.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { X509Certificate } from "node:crypto";
import { parse, parseAllDocuments } from "yaml";
import { renderDeps } from "./render.js";
import { sops, tempDir, type TestKey } from "../../testing/age-key.js";
import { isolatedAgeKey, readFiles, runCli } from "../../testing/cli-harness.js";
import { generateTalosSecrets } from "../../secrets/talos.js";
import { meshLabYaml } from "../../testing/mesh-lab.js";
import { readStore } from "../../secrets/store.js";

let key: TestKey;
before(() => {
  key = isolatedAgeKey();
  renderDeps.generators = { talos: generateTalosSecrets };
});

const CONFIG = "out/kubernetes/infrastructure/cert-manager/config";

function decryptedSecret(dir: string): Record<string, any> {
  const d = sops(["-d", join(dir, CONFIG, "internal-ca.sops.yaml")], key.file);
  assert.equal(d.status, 0, d.stderr);
  return parse(d.stdout);
}

test("internal CA: in the store, rendered as a SOPS Secret for the CA ClusterIssuer, exported (PEM, DER), in the seat bundle, in check's lifetimes", async () => {
  const dir = tempDir();
  const lab = join(dir, "lab.yaml");
  writeFileSync(lab, meshLabYaml());
  const early = await runCli(["ca", "export", lab]);
  assert.equal(early.code, 1);
  assert.match(early.err, /has no internal CA yet[\s\S]*run drover render first/);

  assert.equal((await runCli(["render", lab])).code, 0);
  const store = (await readStore(join(dir, "secrets.sops.yaml"), "s", [key.identity])).secrets;
  const ca = store.internalCa!;
  assert.ok(ca, "the store keeps the internal CA");

  // the Secret, decrypted by real sops, is the store's CA; the issuer signs with it; nothing self-signed is left
  const s = decryptedSecret(dir);
  assert.deepEqual({ kind: s.kind, type: s.type, name: s.metadata.name, ns: s.metadata.namespace }, { kind: "Secret", type: "kubernetes.io/tls", name: "internal-ca", ns: "cert-manager" });
  assert.equal(s.stringData["tls.crt"], ca.crt);
  assert.equal(s.stringData["tls.key"], ca.key);
  assert.equal(s.stringData["ca.crt"], ca.crt);
  assert.ok(!readFileSync(join(dir, CONFIG, "internal-ca.sops.yaml"), "utf8").includes(ca.key.split("\n")[1]!), "the key is encrypted in the file");
  const config = parseAllDocuments(readFileSync(join(dir, CONFIG, "resources.yaml"), "utf8")).map((d) => d.toJS());
  const issuer = config.find((o) => o.kind === "ClusterIssuer" && o.metadata.name === "internal-ca");
  assert.deepEqual(issuer.spec, { ca: { secretName: "internal-ca" } });
  assert.ok(!config.some((o) => o.kind === "Certificate" || o.spec?.selfSigned), "no in-cluster self-signed CA any more");
  assert.match(readFileSync(join(dir, CONFIG, "kustomization.yaml"), "utf8"), /internal-ca\.sops\.yaml/);

  // byte-identical re-render
  const first = readFiles(join(dir, "out"));
  assert.equal((await runCli(["render", lab])).code, 0);
  assert.deepEqual(readFiles(join(dir, "out")), first);

  // export: PEM on stdout, PEM and DER files; never the key
  const pem = await runCli(["ca", "export", lab]);
  assert.equal(pem.code, 0, pem.err);
  assert.equal(pem.out, ca.crt);
  assert.doesNotMatch(pem.out, /PRIVATE KEY/);
  const derFile = join(dir, "ca.der");
  const der = await runCli(["ca", "export", lab, "--out", derFile, "--format", "der"]);
  assert.equal(der.code, 0, der.err);
  assert.match(der.out, /wrote the internal CA certificate to .*ca\.der \(DER\)/);
  assert.equal(statSync(derFile).mode & 0o777, 0o644);
  const viaOpenssl = spawnSync("openssl", ["x509", "-inform", "DER", "-in", derFile, "-outform", "PEM"], { encoding: "utf8" });
  assert.equal(viaOpenssl.status, 0, viaOpenssl.stderr);
  assert.equal(viaOpenssl.stdout, ca.crt);
  const json = await runCli(["ca", "export", lab, "--json"]);
  const info = JSON.parse(json.out);
  assert.equal(info.certificate, ca.crt);
  assert.equal(info.notAfter, new Date(new X509Certificate(ca.crt).validTo).toISOString());
  assert.equal((await runCli(["ca", "export", lab, "--format", "der"])).code, 2);
  assert.equal((await runCli(["ca", "export", lab, "--format", "p12"])).code, 2);

  // the seat bundle: the certificate beside the seats' configs, named by seat show
  assert.equal(readFileSync(join(dir, "out/seats/internal-ca.crt"), "utf8"), ca.crt);
  const shown = await runCli(["seat", "show", "phone", lab, "--json"]);
  assert.equal(shown.code, 0, shown.err);
  assert.equal(JSON.parse(shown.out).caCertificate, ca.crt);

  // check: the CA's end date among the lifetimes
  const check = await runCli(["check", lab, "--json"]);
  const life = JSON.parse(check.out).lifetimes.find((l: { where: string }) => l.where === "secrets store internalCa");
  assert.equal(life.notAfter, new Date(new X509Certificate(ca.crt).validTo).toISOString().replace(/\.000Z$/, "Z"));
  assert.equal(life.state, "ok");
});

test("keys rotate internal-ca: a new CA in the store, the Secret and the seat bundle, with a warning that devices must trust it again", async () => {
  const dir = tempDir();
  const lab = join(dir, "lab.yaml");
  writeFileSync(lab, meshLabYaml());
  assert.equal((await runCli(["render", lab])).code, 0);
  const old = (await readStore(join(dir, "secrets.sops.yaml"), "s", [key.identity])).secrets;
  const r = await runCli(["keys", "rotate", "internal-ca", lab]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /rotated internal-ca .*: internal CA/);
  assert.match(r.out, /warning: devices must trust the new internal CA again/);
  const now = (await readStore(join(dir, "secrets.sops.yaml"), "s", [key.identity])).secrets;
  assert.notEqual(now.internalCa!.crt, old.internalCa!.crt);
  assert.equal(now.internalCa!.crt.length > 0, true);
  assert.deepEqual(now.wireguard, old.wireguard, "nothing else changes");
  assert.equal(decryptedSecret(dir).stringData["tls.crt"], now.internalCa!.crt);
  assert.equal(readFileSync(join(dir, "out/seats/internal-ca.crt"), "utf8"), now.internalCa!.crt);
});
