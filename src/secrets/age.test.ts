import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tool } from "../testing/paths.js";
import { ageKeygen, tempDir } from "../testing/age-key.js";
import { decryptArmored, encryptArmored, generateIdentity, isRecipient, parseIdentities, recipientOf } from "./age.js";
import { defaultKeyFile, findLocalKey, initKeyFile } from "./keys.js";
import { UserError } from "../errors.js";

test("an identity drover generates has the recipient age-keygen -y derives", () => {
  for (let i = 0; i < 3; i++) {
    const pair = generateIdentity();
    const r = spawnSync(tool("age-keygen"), ["-y"], { input: pair.identity + "\n", encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), pair.recipient);
    assert.ok(isRecipient(pair.recipient));
  }
});

test("drover derives the recipient of a key age-keygen made", () => {
  const k = ageKeygen();
  assert.equal(recipientOf(k.identity), k.recipient);
  assert.deepEqual(parseIdentities(readFileSync(k.file, "utf8")), { identities: [k.identity], bad: [] });
  assert.equal(isRecipient(k.recipient.slice(0, -1) + (k.recipient.endsWith("q") ? "p" : "q")), false, "a bad checksum is not a recipient");
});

test("age decrypts what drover encrypts, and drover decrypts what age encrypts", async () => {
  const k = ageKeygen();
  const secret = Buffer.from("0123456789abcdef0123456789abcdef");
  const ours = join(k.dir, "ours.age");
  writeFileSync(ours, await encryptArmored(secret, k.recipient));
  const d = spawnSync(tool("age"), ["-d", "-i", k.file, ours]);
  assert.equal(d.status, 0, String(d.stderr));
  assert.deepEqual(Buffer.from(d.stdout), secret);

  const e = spawnSync(tool("age"), ["-e", "-a", "-r", k.recipient], { input: secret });
  assert.equal(e.status, 0, String(e.stderr));
  assert.deepEqual(Buffer.from((await decryptArmored(String(e.stdout), [k.identity]))!), secret);
  assert.equal(await decryptArmored(String(e.stdout), [generateIdentity().identity]), undefined);
});

test("key discovery follows the documented order and explains where it looked", () => {
  const home = tempDir();
  const a = ageKeygen(tempDir());
  const b = ageKeygen(tempDir());
  const env = { HOME: home } as NodeJS.ProcessEnv;
  assert.throws(() => findLocalKey({ env }), (e: unknown) => {
    assert.ok(e instanceof UserError);
    for (const place of ["--age-key", "DROVER_AGE_KEY_FILE", "SOPS_AGE_KEY_FILE", "SOPS_AGE_KEY", join(home, ".config/sops/age/keys.txt")]) assert.match(e.message, new RegExp(place.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
    assert.match(e.hint ?? "", /drover keys init/);
    return true;
  });
  assert.equal(findLocalKey({ env: { ...env, SOPS_AGE_KEY: b.identity } }).recipient, b.recipient);
  assert.equal(findLocalKey({ env: { ...env, SOPS_AGE_KEY: b.identity, SOPS_AGE_KEY_FILE: a.file } }).recipient, a.recipient);
  assert.equal(findLocalKey({ env: { ...env, SOPS_AGE_KEY_FILE: a.file, DROVER_AGE_KEY_FILE: b.file } }).recipient, b.recipient);
  assert.equal(findLocalKey({ keyFile: a.file, env: { ...env, DROVER_AGE_KEY_FILE: b.file } }).recipient, a.recipient);
  const xdg = tempDir();
  assert.equal(defaultKeyFile({ HOME: home, XDG_CONFIG_HOME: xdg }), join(xdg, "sops/age/keys.txt"));
  assert.throws(() => findLocalKey({ keyFile: join(home, "missing.txt"), env }), /missing\.txt.*--age-key/);
});

test("keys init writes a 0600 identity file age can use, and refuses to overwrite it", () => {
  const xdg = tempDir();
  const path = defaultKeyFile({ XDG_CONFIG_HOME: xdg });
  const made = initKeyFile(path);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  const r = spawnSync(tool("age-keygen"), ["-y", path], { encoding: "utf8" });
  assert.equal(r.stdout.trim(), made.recipient);
  assert.equal(findLocalKey({ env: { XDG_CONFIG_HOME: xdg, HOME: tempDir() } }).recipient, made.recipient);
  const before = readFileSync(path, "utf8");
  assert.throws(() => initKeyFile(path), /already exists/);
  assert.equal(readFileSync(path, "utf8"), before);
  assert.ok(existsSync(path));
});
