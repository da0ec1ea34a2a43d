import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createPublicKey } from "node:crypto";
import { parseAllDocuments } from "yaml";
import { generateTalosSecrets } from "./talos.js";
import { readPrivateKey } from "./x509/certificate.js";
import { integer, oid, time } from "./x509/der.js";
import { tempDir } from "../testing/age-key.js";
import { tool } from "../testing/paths.js";
import { toYaml } from "../render/tree.js";

const openssl = (args: string[], input?: string) => {
  const r = spawnSync("openssl", args, { encoding: "utf8", ...(input !== undefined ? { input } : {}) });
  assert.equal(r.status, 0, `openssl ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
};

test("DER: integers are minimal and positive, OIDs use base-128, times switch to GeneralizedTime from 2050", () => {
  assert.equal(integer(0).toString("hex"), "020100");
  assert.equal(integer(127).toString("hex"), "02017f");
  assert.equal(integer(128).toString("hex"), "02020080");
  assert.equal(integer(Buffer.from("0000ff", "hex")).toString("hex"), "020200ff");
  assert.equal(oid("1.2.840.10045.4.3.2").toString("hex"), "06082a8648ce3d040302");
  assert.equal(oid("2.5.29.15").toString("hex"), "0603551d0f");
  assert.equal(time(new Date("2036-11-27T07:16:17Z")).toString("latin1"), "\x17\x0d361127071617Z");
  assert.equal(time(new Date("2051-01-02T03:04:05Z")).toString("latin1"), "\x18\x0f20510102030405Z");
});

test("the Talos bundle's CAs are real X.509 CAs as Talos makes them (openssl), keys match, tokens have Talos's shape", () => {
  const s = generateTalosSecrets(new Date("2026-01-02T03:04:05.678Z"));
  const dir = tempDir("drover-talos-secrets-");
  const expect: Record<string, { alg: RegExp; subject: RegExp }> = {
    etcd: { alg: /ecdsa-with-SHA256/, subject: /O\s*=\s*etcd/ },
    k8s: { alg: /ecdsa-with-SHA256/, subject: /O\s*=\s*kubernetes/ },
    k8sAggregator: { alg: /ecdsa-with-SHA256/, subject: /CN\s*=\s*front-proxy/ },
    os: { alg: /ED25519/, subject: /O\s*=\s*talos/ },
  };
  for (const [name, e] of Object.entries(expect)) {
    const ca = s.certs[name as keyof typeof expect & keyof typeof s.certs] as { crt: string; key: string };
    const crt = join(dir, `${name}.crt`);
    writeFileSync(crt, ca.crt);
    const text = openssl(["x509", "-in", crt, "-noout", "-text"]);
    assert.match(text, e.alg, name);
    assert.match(text, e.subject, name);
    assert.match(text, /CA:TRUE/, name);
    assert.match(text, /Digital Signature, Certificate Sign/, name);
    assert.match(text, /TLS Web Server Authentication, TLS Web Client Authentication/, name);
    assert.match(text, /Not Before: Jan  2 03:04:05 2026 GMT/, name);
    assert.match(text, /Not After : Dec 31 03:04:05 2035 GMT/, name); // 87,600 hours later
    openssl(["verify", "-CAfile", crt, crt]);
    // the key is the certificate's key
    const certPub = openssl(["x509", "-in", crt, "-noout", "-pubkey"]);
    const keyPub = createPublicKey(readPrivateKey(ca.key)).export({ type: "spki", format: "pem" }).toString();
    assert.equal(certPub, keyPub, name);
  }
  assert.match(s.certs.os.key, /^-----BEGIN ED25519 PRIVATE KEY-----\n/);
  assert.match(s.certs.etcd.key, /^-----BEGIN EC PRIVATE KEY-----\n/);
  assert.match(s.certs.k8sServiceAccount.key, /^-----BEGIN EC PRIVATE KEY-----\n/);
  assert.match(s.bootstrapToken, /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
  assert.match(s.trustdToken, /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
  for (const v of [s.clusterSecret, s.secretboxEncryptionSecret]) assert.equal(Buffer.from(v, "base64").length, 32);
  assert.equal(Buffer.from(s.clusterId, "base64url").length, 32);
  assert.notDeepEqual(generateTalosSecrets(), generateTalosSecrets());
});

test("talosctl accepts the bundle as its own secrets file: gen config --with-secrets uses our CAs and tokens", () => {
  const s = generateTalosSecrets();
  const dir = tempDir("drover-talos-bundle-");
  const b64 = (pem: string) => Buffer.from(pem).toString("base64");
  const bundle = {
    cluster: { id: s.clusterId, secret: s.clusterSecret },
    secrets: { bootstraptoken: s.bootstrapToken, secretboxencryptionsecret: s.secretboxEncryptionSecret },
    trustdinfo: { token: s.trustdToken },
    certs: {
      etcd: { crt: b64(s.certs.etcd.crt), key: b64(s.certs.etcd.key) },
      k8s: { crt: b64(s.certs.k8s.crt), key: b64(s.certs.k8s.key) },
      k8saggregator: { crt: b64(s.certs.k8sAggregator.crt), key: b64(s.certs.k8sAggregator.key) },
      k8sserviceaccount: { key: b64(s.certs.k8sServiceAccount.key) },
      os: { crt: b64(s.certs.os.crt), key: b64(s.certs.os.key) },
    },
  };
  writeFileSync(join(dir, "secrets.yaml"), toYaml(bundle));
  const r = spawnSync(tool("talosctl"), ["gen", "config", "drover", "https://192.168.10.5:6443", "--with-secrets", join(dir, "secrets.yaml"), "-o", join(dir, "out")], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const cp = parseAllDocuments(readFileSync(join(dir, "out", "controlplane.yaml"), "utf8"))[0]!.toJS();
  assert.equal(cp.cluster.id, s.clusterId);
  assert.equal(cp.cluster.token, s.bootstrapToken);
  assert.equal(Buffer.from(cp.machine.ca.crt, "base64").toString(), s.certs.os.crt);
  const v = spawnSync(tool("talosctl"), ["validate", "--config", join(dir, "out", "controlplane.yaml"), "--mode", "metal", "--strict"], { encoding: "utf8" });
  assert.equal(v.status, 0, v.stdout + v.stderr);
  // talosctl issues its admin certificate from our OS CA: the talosconfig it wrote verifies against it
  const tc = parseAllDocuments(readFileSync(join(dir, "out", "talosconfig"), "utf8"))[0]!.toJS();
  writeFileSync(join(dir, "admin.crt"), Buffer.from(tc.contexts.drover.crt, "base64"));
  writeFileSync(join(dir, "os.crt"), s.certs.os.crt);
  openssl(["verify", "-CAfile", join(dir, "os.crt"), join(dir, "admin.crt")]);
});
