import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadSpec } from "../spec/load.js";
import { resolveLab } from "../lab/resolve.js";
import { exampleFiles } from "../testing/paths.js";
import { ageKeygen, sops, tempDir } from "../testing/age-key.js";
import { generateTalosSecrets } from "./talos.js";
import { ensureSecrets, appSecret, takeAdditions } from "./generate.js";
import { loadSecrets, readStore } from "./store.js";
import { encryptManifest } from "./manifest.js";
import { wireguardPeerPairs } from "../lab/mesh.js";
import { presharedKey, presharedKeyEntries, presharedKeysToStore } from "./preshared-keys.js";
import { findLocalKey } from "./keys.js";
import { parseDocument } from "./sops/index.js";
import { publicKeyOf } from "./wireguard.js";

const exampleText = () => readFileSync(exampleFiles().find((f) => f.includes("talos-mixed"))!, "utf8");
const labOf = (text: string) => {
  const r = loadSpec(text, "lab.yaml");
  assert.ok(r.spec, JSON.stringify(r.diagnostics));
  return resolveLab(r.spec);
};
const withRecipients = (text: string, rs: string[]) => text.replace(/secrets:\n  recipients:\n(    - .*\n)+/, `secrets:\n  recipients:\n${rs.map((r) => `    - ${r}\n`).join("")}`);
const gen = { talos: generateTalosSecrets };

test("ensureSecrets makes keys for every node and seat and a PSK per peering pair; later calls add only what is new", () => {
  const text = exampleText();
  const lab = labOf(text);
  const first = ensureSecrets(lab, undefined, gen);
  for (const n of lab.nodes) assert.equal(publicKeyOf(first.secrets.wireguard[`node/${n.name}`]!.privateKey), first.secrets.wireguard[`node/${n.name}`]!.publicKey);
  for (const s of lab.seats) assert.ok(first.secrets.wireguard[`seat/${s.name}`]);
  assert.deepEqual(presharedKeyEntries(first.secrets.wireguardPresharedKeys).map(([a, b]) => `${a}|${b}`), wireguardPeerPairs(lab));
  assert.ok(first.added.includes("talos secrets bundle") && first.added.includes("k3s token"));

  const again = ensureSecrets(lab, first.secrets, gen);
  assert.deepEqual(again.added, []);
  assert.deepEqual(again.secrets, first.secrets);

  const grown = labOf(text.replace(/  seats:\n/, "  seats:\n    - { name: tablet, owner: roper, device: tablet }\n"));
  const more = ensureSecrets(grown, first.secrets, gen);
  assert.ok(more.added.includes("wireguard key seat/tablet"), more.added.join());
  assert.ok(more.added.every((a) => a.includes("seat/tablet")), more.added.join());
  for (const [peer, kp] of Object.entries(first.secrets.wireguard)) assert.deepEqual(more.secrets.wireguard[peer], kp);
  for (const [a, b, psk] of presharedKeyEntries(first.secrets.wireguardPresharedKeys)) assert.equal(presharedKey(more.secrets.wireguardPresharedKeys, a, b), psk);
  assert.equal(more.secrets.talos, first.secrets.talos);
});

test("the store is a sops file: created once, read back, readable by sops -d, 0600, rewritten only on change", async () => {
  const k = ageKeygen();
  const dir = tempDir();
  const lab = labOf(withRecipients(exampleText(), [k.recipient]));
  const key = findLocalKey({ keyFile: k.file, env: {} });
  const a = await loadSecrets(lab, dir, key, { generators: gen });
  assert.equal(a.created, true);
  const saved = a.save(new Date("2026-01-02T03:04:05Z"));
  assert.ok(saved[0]!.startsWith("new store"));
  const path = join(dir, "secrets.sops.yaml");
  assert.equal(statSync(path).mode & 0o777, 0o600);
  const text = readFileSync(path, "utf8");
  assert.doesNotMatch(text, new RegExp(a.secrets.k3s.token));

  const r = sops(["-d", "--output-type", "json", path], k.file);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), JSON.parse(JSON.stringify({ ...a.secrets, wireguardPresharedKeys: presharedKeysToStore(a.secrets.wireguardPresharedKeys) })));
  // one value per first peer, one "partner key" line per pair
  const stored = JSON.parse(r.stdout).wireguardPresharedKeys as Record<string, string>;
  assert.equal(Object.values(stored).join("").split("\n").filter(Boolean).length, wireguardPeerPairs(lab).length);

  const b = await loadSecrets(lab, dir, key, { generators: gen });
  assert.equal(b.created, false);
  assert.deepEqual(b.secrets, a.secrets);
  assert.deepEqual(b.save(), []);
  assert.equal(readFileSync(path, "utf8"), text, "nothing changed, nothing written");

  // the apps' secrets are made up front by ensureSecrets and stored
  assert.ok(a.secrets.apps.grafana!["admin-password"]);
  // an app secret made on first use is saved, and read back the next time
  const pw = appSecret(b.secrets, "grafana", "extra-token");
  assert.equal(appSecret(b.secrets, "grafana", "extra-token"), pw);
  assert.deepEqual(b.save(), ["app secret grafana/extra-token"]);
  const c = await readStore(path, "secrets.sops.yaml", key.identities);
  assert.equal(c.secrets.apps.grafana!["extra-token"], pw);
  assert.deepEqual(takeAdditions(c.secrets), []);
});

test("changing recipients re-wraps the store and manifest key for the new set; values stay", async () => {
  const k = ageKeygen();
  const k2 = ageKeygen();
  const dir = tempDir();
  const key = findLocalKey({ keyFile: k.file, env: {} });
  const one = await loadSecrets(labOf(withRecipients(exampleText(), [k.recipient])), dir, key, { generators: gen });
  one.save();
  const two = await loadSecrets(labOf(withRecipients(exampleText(), [k.recipient, k2.recipient])), dir, key, { generators: gen });
  assert.ok(two.added.some((x) => x.startsWith("recipients changed")), two.added.join());
  assert.equal(two.secrets.manifestKey!.dataKey, one.secrets.manifestKey!.dataKey);
  two.save();
  const r = sops(["-d", join(dir, "secrets.sops.yaml")], k2.file);
  assert.equal(r.status, 0, r.stderr);
  const secretYaml = "apiVersion: v1\nkind: Secret\nmetadata:\n    name: t\nstringData:\n    token: abc\n";
  const f = join(dir, "m.sops.yaml");
  writeFileSync(f, encryptManifest(secretYaml, two.secrets));
  assert.equal(sops(["-d", f], k2.file).status, 0);

  // a key that is not a recipient is refused before anything is read or written
  const stranger = ageKeygen();
  await assert.rejects(loadSecrets(labOf(withRecipients(exampleText(), [k.recipient])), dir, findLocalKey({ keyFile: stranger.file, env: {} })), /is not one of secrets.recipients/);
});

test("encryptManifest is deterministic and the real sops decrypts it", async () => {
  const k = ageKeygen();
  const dir = tempDir();
  const lab = labOf(withRecipients(exampleText(), [k.recipient]));
  const s = (await loadSecrets(lab, dir, findLocalKey({ keyFile: k.file, env: {} }), { generators: gen })).secrets;
  const yaml = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: k3s-token\n  namespace: kube-system\ntype: Opaque\nstringData:\n  token: ${s.k3s.token}\ndata:\n  wg: ${Buffer.from(s.wireguard["node/" + lab.nodes[0]!.name]!.privateKey).toString("base64")}\n`;
  const one = encryptManifest(yaml, s);
  const two = encryptManifest(yaml, s);
  assert.equal(one, two);
  assert.doesNotMatch(one, new RegExp(s.k3s.token));
  const f = join(dir, "secret.sops.yaml");
  writeFileSync(f, one);
  const r = sops(["-d", f], k.file);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.stringify([...parseDocument(r.stdout)]), JSON.stringify([...parseDocument(yaml)]));
  // a different value changes only that value's ciphertext (and the MAC)
  const changed = encryptManifest(yaml.replace(s.k3s.token, "other"), s);
  const diff = one.split("\n").filter((l, i) => l !== changed.split("\n")[i]);
  assert.equal(diff.length, 2, diff.join("\n"));
});
