// Key rotations checked by the programs that consume the material: the real sops (the new data key
// opens the store and the rendered Secrets; a key removed from the recipients opens nothing), and
// talosctl validate / openssl verify / talosctl config info on the rendered Talos configs through
// the three phases of an OS CA rotation.
import { isolatedAgeKey, readFiles } from "../../testing/cli-harness.js";
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { X509Certificate } from "node:crypto";
import { parse, parseAllDocuments } from "yaml";
import { ageKeygen, sops, tempDir, type TestKey } from "../../testing/age-key.js";
import { tool } from "../../testing/paths.js";
import { render } from "../../cli/commands/render.js";
import { decryptFile } from "../../secrets/sops/file.js";
import { nodeLabYaml } from "../../testing/node-lab.js";
import { Writable } from "node:stream";
import { main } from "../../cli/main.js";

interface Rotated { kind: string; changed: string[]; rollout: { node: string; file: string; action: string }[]; notes: string[] }

/** drover keys rotate <kind> <lab> --json, the real command */
async function rotate(kind: string, dir: string): Promise<Rotated> {
  let out = "";
  let err = "";
  const sink = (f: (s: string) => void) => new Writable({ write(c, _e, cb) { f(String(c)); cb(); } });
  const code = await main(["keys", "rotate", kind, join(dir, "lab.yaml"), "--json"], { out: sink((x) => (out += x)), err: sink((x) => (err += x)) });
  assert.equal(code, 0, err + out);
  return JSON.parse(out) as Rotated;
}

let a: TestKey;
let b: TestKey;
before(() => {
  a = isolatedAgeKey();
  b = ageKeygen();
});

const files = readFiles;

async function lab(o: { distribution?: "k3s" | "talos"; recipients?: string[]; apps?: string } = {}): Promise<string> {
  const dir = tempDir();
  let text = nodeLabYaml({ recipient: a.recipient, ...(o.distribution ? { distribution: o.distribution } : {}) });
  if (o.recipients) text = text.replace(`    - ${a.recipient}\n`, o.recipients.map((r) => `    - ${r}\n`).join(""));
  if (o.apps) text += o.apps;
  writeFileSync(join(dir, "lab.yaml"), text);
  await render(join(dir, "lab.yaml"), {});
  return dir;
}

test("sops: after dropping a recipient and rotating, the old key opens neither the store nor any rendered SOPS file; the new data keys open both with the real sops", async () => {
  const apps = "storage:\n  classes: [{ name: local, type: local }]\napps:\n  - { name: vaultwarden }\n";
  const dir = await lab({ recipients: [a.recipient, b.recipient], apps });
  const store = join(dir, "secrets.sops.yaml");
  const sopsFiles = () => [...files(join(dir, "out"))].filter(([, t]) => /\nsops:\n/.test(t)).map(([p]) => join(dir, "out", p));
  assert.ok(sopsFiles().length > 0, "the lab renders SOPS-encrypted Secrets");
  for (const f of [store, ...sopsFiles()]) assert.equal(sops(["-d", f], b.file).status, 0, "b is a recipient before");
  const before = await decryptFile(store, "store", [a.identity]);

  writeFileSync(join(dir, "lab.yaml"), readFileSync(join(dir, "lab.yaml"), "utf8").replace(`    - ${b.recipient}\n`, ""));
  const r = await rotate("sops", dir);
  assert.equal(r.changed.length, 2);
  const after = await decryptFile(store, "store", [a.identity]);
  assert.notDeepEqual(after.envelope.dataKey, before.envelope.dataKey, "a new data key, not the old one re-wrapped");
  assert.deepEqual(after.envelope.age.map((s) => s.recipient), [a.recipient]);
  for (const f of [store, ...sopsFiles()]) {
    const ok = sops(["-d", f], a.file);
    assert.equal(ok.status, 0, `${f}: ${ok.stderr}`);
    const no = sops(["-d", f], b.file);
    assert.notEqual(no.status, 0, `${f} must refuse the removed key`);
    assert.match(no.stderr, /no identity matched|failed to get the data key|Error getting data key/i);
  }
  assert.equal(statSync(store).mode & 0o777, 0o600);
  // the rotation is stable: rendering again changes nothing
  const snapshot = files(join(dir, "out"));
  await render(join(dir, "lab.yaml"), {});
  assert.deepEqual(files(join(dir, "out")), snapshot);
});

test("join-token (k3s): a new token in the store and in every node's config.yaml and user-data; the old one is nowhere", async () => {
  const dir = await lab();
  const cfg = (n: string) => parse(readFileSync(join(dir, "out", "k3s", n, "config.yaml"), "utf8")) as { token: string };
  const old = cfg("cp1").token;
  const r = await rotate("join-token", dir);
  assert.deepEqual(r.changed, ["k3s token"]);
  const token = cfg("cp1").token;
  assert.notEqual(token, old);
  for (const n of ["cp1", "cp2", "cp3", "w1", "w2", "w3"]) assert.equal(cfg(n).token, token);
  for (const [p, t] of files(join(dir, "out"))) assert.ok(!t.includes(old), `${p} still holds the old token`);
  assert.ok(sops(["-d", join(dir, "secrets.sops.yaml")], a.file).stdout.includes(token));
  assert.match(r.rollout[0]!.action, /^k3s token rotate --new-token/);
  assert.deepEqual(r.rollout.map((s) => s.node), ["cp1", "cp2", "cp3", "w1", "w2", "w3"]);
});

function talosValidate(dir: string, node: string): void {
  const r = spawnSync(tool("talosctl"), ["validate", "--config", join(dir, "out", "talos", `${node}.yaml`), "--mode", "metal", "--strict"], { encoding: "utf8" });
  assert.equal(r.status, 0, `talosctl validate ${node}:\n${r.stdout}${r.stderr}`);
}

function machineOf(dir: string, node: string): { token: string; ca: { crt: string }; acceptedCAs?: { crt: string }[] } & Record<string, unknown> {
  const docs = parseAllDocuments(readFileSync(join(dir, "out", "talos", `${node}.yaml`), "utf8")).map((d) => d.toJS());
  return docs.find((d) => d?.machine)!.machine;
}
const clusterOf = (dir: string, node: string) => parseAllDocuments(readFileSync(join(dir, "out", "talos", `${node}.yaml`), "utf8")).map((d) => d.toJS()).find((d) => d?.cluster)!.cluster as { token: string };
const unb64 = (s: string) => Buffer.from(s, "base64").toString("utf8");

test("join-token (Talos): new bootstrap and trustd tokens in every machine config, which talosctl validate accepts", async () => {
  const dir = await lab({ distribution: "talos" });
  const oldCluster = clusterOf(dir, "w1").token;
  const oldMachine = machineOf(dir, "w1").token;
  const r = await rotate("join-token", dir);
  assert.equal(r.rollout[0]!.action, "talosctl --talosconfig talos/talosconfig --nodes 192.168.50.11 apply-config --file talos/cp1.yaml");
  for (const n of ["cp1", "w1"]) {
    assert.notEqual(clusterOf(dir, n).token, oldCluster);
    assert.notEqual(machineOf(dir, n).token, oldMachine);
    assert.match(clusterOf(dir, n).token, /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    talosValidate(dir, n);
  }
});

test("talos-ca: three phases — accept the new CA, switch to it while accepting the old, drop the old; configs valid for talosctl, talosconfig verified by openssl at each step", async () => {
  const dir = await lab({ distribution: "talos" });
  const talosconfig = () => parse(readFileSync(join(dir, "out", "talos", "talosconfig"), "utf8")).contexts.nodelab as { ca: string; crt: string };
  const oldCa = unb64(machineOf(dir, "cp1").ca.crt);
  const verifyAdmin = (caPems: string) => {
    const t = tempDir();
    writeFileSync(join(t, "ca.pem"), caPems);
    writeFileSync(join(t, "admin.crt"), unb64(talosconfig().crt));
    const v = spawnSync("openssl", ["verify", "-CAfile", join(t, "ca.pem"), "-purpose", "sslclient", join(t, "admin.crt")], { encoding: "utf8" });
    return v.status === 0;
  };
  const info = () => {
    const r = spawnSync(tool("talosctl"), ["--talosconfig", join(dir, "out", "talos", "talosconfig"), "config", "info"], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  };

  // phase 1: nodes accept a new CA; nothing else changes
  const p1 = await rotate("talos-ca", dir);
  assert.match(p1.notes[0]!, /phase 1 of 3/);
  const m1 = machineOf(dir, "cp1");
  assert.equal(unb64(m1.ca.crt), oldCa);
  assert.equal(m1.acceptedCAs?.length, 1);
  const newCa = unb64(m1.acceptedCAs![0]!.crt);
  assert.notEqual(newCa, oldCa);
  assert.ok(new X509Certificate(newCa).ca);
  assert.deepEqual(machineOf(dir, "w1").acceptedCAs, m1.acceptedCAs);
  assert.ok(verifyAdmin(oldCa), "talosctl still uses the old CA");
  for (const n of ["cp1", "w1"]) talosValidate(dir, n);
  info();

  // phase 2: the new CA is the CA; the old stays accepted; talosconfig trusts both, its cert is the new CA's
  const p2 = await rotate("talos-ca", dir);
  assert.match(p2.notes[0]!, /phase 2 of 3/);
  const m2 = machineOf(dir, "cp1");
  assert.equal(unb64(m2.ca.crt), newCa);
  assert.deepEqual(m2.acceptedCAs?.map((c) => unb64(c.crt)), [oldCa]);
  assert.ok(verifyAdmin(newCa) && !verifyAdmin(oldCa), "the admin certificate is signed by the new CA");
  assert.equal(unb64(talosconfig().ca), newCa + oldCa);
  for (const n of ["cp1", "w1"]) talosValidate(dir, n);
  info();

  // phase 3: only the new CA
  const p3 = await rotate("talos-ca", dir);
  assert.match(p3.notes[0]!, /phase 3 of 3/);
  const m3 = machineOf(dir, "cp1");
  assert.equal(unb64(m3.ca.crt), newCa);
  assert.equal(m3.acceptedCAs, undefined);
  assert.equal(unb64(talosconfig().ca), newCa);
  for (const n of ["cp1", "w1"]) talosValidate(dir, n);
  info();
  assert.ok(!p3.notes.some((n) => n.includes("drover keys rotate talos-ca")), "no phase after the third");
  assert.ok(p2.notes.some((n) => n.includes("drover keys rotate talos-ca")));
});
