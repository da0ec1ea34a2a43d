// drover keys rotate wireguard end to end: the store gets new node keys (readable by sops -d), the
// rendered configs carry them, the rollout is printed reachable-first; a lab never rendered, or an
// unknown kind, is a clear error.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderDeps } from "./render.js";
import { sops, tempDir } from "../../testing/age-key.js";
import { isolatedAgeKey, runCli } from "../../testing/cli-harness.js";
import type { TestKey } from "../../testing/age-key.js";
import { generateTalosSecrets } from "../../secrets/talos.js";
import { meshLabYaml } from "../../testing/mesh-lab.js";
import { readStore } from "../../secrets/store.js";

let key: TestKey;
before(() => {
  key = isolatedAgeKey();
  renderDeps.generators = { talos: generateTalosSecrets };
});

const drover = runCli;

test("keys rotate wireguard: new node keys in the store and in every rendered config; rollout reachable-first", async () => {
  const dir = tempDir();
  const lab = join(dir, "lab.yaml");
  writeFileSync(lab, meshLabYaml());
  const none = await drover(["keys", "rotate", "wireguard", lab]);
  assert.equal(none.code, 1);
  assert.match(none.err, /secrets\.sops\.yaml does not exist: there are no keys to rotate yet/);

  assert.equal((await drover(["render", lab])).code, 0);
  const storeFile = join(dir, "secrets.sops.yaml");
  const before = await readStore(storeFile, "s", [key.identity]);
  const oldConf = readFileSync(join(dir, "out/wireguard/w1/wg0.conf"), "utf8");

  const r = await drover(["keys", "rotate", "wireguard", lab]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /rotated wireguard in .*secrets\.sops\.yaml: 4 wireguard keys, \d+ preshared keys/);
  const steps = [...r.out.matchAll(/^\s+\d+\. (\S+): /gm)].map((m) => m[1]);
  assert.deepEqual(steps, ["vps1", "vps2", "cp1", "w1"]);
  assert.match(r.out, /note: the seat hub cp1 has a new key/);

  const after = await readStore(storeFile, "s", [key.identity]);
  for (const n of ["cp1", "w1", "vps1", "vps2"]) {
    const kp = after.secrets.wireguard[`node/${n}`]!;
    assert.notEqual(kp.privateKey, before.secrets.wireguard[`node/${n}`]!.privateKey);
    assert.ok(readFileSync(join(dir, `out/wireguard/${n}/wg0.conf`), "utf8").includes(kp.privateKey), n);
  }
  assert.deepEqual(after.secrets.wireguard["seat/phone"], before.secrets.wireguard["seat/phone"]);
  assert.equal(after.secrets.k3s.token, before.secrets.k3s.token);
  assert.notEqual(readFileSync(join(dir, "out/wireguard/w1/wg0.conf"), "utf8"), oldConf);
  const d = sops(["-d", storeFile], key.file);
  assert.equal(d.status, 0, d.stderr);
  assert.ok(d.stdout.includes(after.secrets.wireguard["node/w1"]!.privateKey), "sops -d reads the rotated store");

  const bad = await drover(["keys", "rotate", "ssh", lab]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /cannot rotate "ssh"[\s\S]*rotatable: wireguard/);
});
