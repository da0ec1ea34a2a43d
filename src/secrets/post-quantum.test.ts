// Post-quantum age recipients (age1pq1…: ML-KEM-768 + X25519, age 1.3, as cluster-template's `just init`
// makes them) are accepted beside an X25519 one: the secrets store and every rendered Secret carry a
// stanza for each recipient. The real sops 3.11.0 (age 1.2.1 inside) still opens them with the X25519 key;
// the post-quantum stanza opens the same data key with the post-quantum identity (age-encryption 0.3.1,
// the reference TypeScript implementation; Flux 2.9.5's kustomize-controller decrypts with age 1.3.1).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { generateHybridIdentity, identityToRecipient } from "age-encryption";
import { ROOT } from "../testing/paths.js";
import { ageKeygen, sops, tempDir } from "../testing/age-key.js";
import { seed004Lab } from "../testing/seed004-lab.js";
import { loadLabText } from "../lab/load.js";
import { decryptArmored } from "./age.js";

const BIN = join(ROOT, "bin", "drover.js");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
}

test("an age1pq1 recipient beside an X25519 one: every stanza opens the same data key; the real sops opens the files with the X25519 key", async () => {
  const pqIdentity = await generateHybridIdentity();
  const pq = await identityToRecipient(pqIdentity);
  assert.match(pq, /^age1pq1/);
  const dir = tempDir("drover-pq-");
  const x = ageKeygen(dir);
  // post-quantum alone is refused with the reason; beside X25519 it is valid
  const alone = loadLabText(seed004Lab({ recipient: pq }), "lab.yaml").diagnostics.filter((d) => d.severity === "error");
  assert.match(alone.map((d) => d.message).join("\n"), /needs at least one X25519 recipient/);
  const lab = seed004Lab({ recipient: `${x.recipient}, ${pq}`, publicAddress: "203.0.113.7", challenge: "dns01" });
  assert.deepEqual(loadLabText(lab, "lab.yaml").diagnostics.filter((d) => d.severity === "error"), []);
  writeFileSync(join(dir, "lab.yaml"), lab);
  const r = spawnSync(process.execPath, [BIN, "render", "lab.yaml"], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir, SOPS_AGE_KEY_FILE: x.file, NO_COLOR: "1" }, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const encrypted = [join(dir, "secrets.sops.yaml"), ...files(join(dir, "out", "kubernetes")).filter((f) => f.endsWith(".sops.yaml"))];
  assert.ok(encrypted.length > 3);
  for (const f of encrypted) {
    const stanzas = (parse(readFileSync(f, "utf8")).sops.age as { recipient: string; enc: string }[]);
    assert.deepEqual(stanzas.map((s) => s.recipient).sort(), [x.recipient, pq].sort(), f);
    const keyX = await decryptArmored(stanzas.find((s) => s.recipient === x.recipient)!.enc, [readFileSync(x.file, "utf8").split("\n").find((l) => l.startsWith("AGE-SECRET-KEY-1"))!]);
    const keyPq = await decryptArmored(stanzas.find((s) => s.recipient === pq)!.enc, [pqIdentity]);
    assert.ok(keyX && keyPq && Buffer.from(keyX).equals(Buffer.from(keyPq)), `${f}: the post-quantum stanza holds the data key`);
    const opened = sops(["--decrypt", f], x.file);
    assert.equal(opened.status, 0, `${f}: ${opened.stderr}`);
  }
});
