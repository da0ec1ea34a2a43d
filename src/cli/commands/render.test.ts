import { test, before } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { Writable } from "node:stream";
import { main } from "../main.js";
import { renderDeps } from "./render.js";
import { targets, tree, addFile, toYaml, writeTree } from "../../render/index.js";
import type { Target } from "../../render/index.js";
import { sops, tempDir } from "../../testing/age-key.js";
import { isolatedAgeKey, readFiles } from "../../testing/cli-harness.js";
import type { TestKey } from "../../testing/age-key.js";
import { generateTalosSecrets } from "../../secrets/talos.js";
import { exampleFiles } from "../../testing/paths.js";
import { appSecret } from "../../secrets/generate.js";
import { readStore } from "../../secrets/store.js";
import type { LabSecrets } from "../../secrets/types.js";

// A stand-in for the cluster-layer renderers (other branches): a Flux Secret flagged for SOPS, built
// from store values and an app password made on first use, and a plaintext k3s token file flagged secret.
const fixture: Target = (lab, secrets) => {
  const t = tree();
  const secret = {
    apiVersion: "v1", kind: "Secret", metadata: { name: "lab-credentials", namespace: "flux-system" }, type: "Opaque",
    stringData: { "k3s-token": secrets.k3s.token, "grafana-admin": appSecret(secrets, "grafana", "admin-password"), "cluster-secret": secrets.talos.clusterSecret },
    data: { [`wg-${lab.nodes[0]!.name}`]: Buffer.from(secrets.wireguard[`node/${lab.nodes[0]!.name}`]!.privateKey).toString("base64") },
  };
  addFile(t, "kubernetes/secrets/lab-credentials.sops.yaml", toYaml(secret), { encrypt: "sops" });
  addFile(t, "kubernetes/config/cluster.yaml", toYaml({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "lab" }, data: { name: lab.name } }));
  addFile(t, "k3s/token", secrets.k3s.token + "\n", { secret: true });
  return t;
};

let key: TestKey;
before(() => {
  key = isolatedAgeKey();
  renderDeps.generators = { talos: generateTalosSecrets };
  if (!targets.some(([f]) => f === "fixture")) targets.push(["fixture", ((lab, s) => fixture(lab, s)) as Target]);
});

/** A temp copy of the example lab encrypted to the test key (the fixture target's files land under fixture/). */
function labDir(opts: { noSecretsSection?: boolean } = {}): string {
  const dir = tempDir();
  let text = readFileSync(exampleFiles().find((f) => f.includes("talos-mixed"))!, "utf8");
  text = opts.noSecretsSection ? text.replace(/secrets:\n  recipients:\n(    - .*\n)+/, "") : text.replace(/(secrets:\n  recipients:\n)(    - .*\n)+/, `$1    - ${key.recipient}\n`);
  writeFileSync(join(dir, "lab.yaml"), text);
  return dir;
}

const readTree = readFiles;

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const sink = (f: (s: string) => void) => new Writable({ write(chunk, _enc, cb) { f(String(chunk)); cb(); } });
  const code = await main(args, { out: sink((s) => (stdout += s)), err: sink((s) => (stderr += s)) });
  return { code, stdout, stderr };
}

test("render twice gives a byte-identical tree; secret files are 0600; sops -d opens the Flux Secret", async () => {
  const dir = labDir();
  const r1 = await run(["render", dir, "--json"]);
  assert.equal(r1.code, 0, r1.stderr);
  const j1 = JSON.parse(r1.stdout);
  assert.ok(j1.store.created && j1.store.saved.includes("app secret grafana/admin-password"), r1.stdout);
  const out = join(dir, "out");
  const first = readTree(out);
  const r2 = await run(["render", dir, "--json"]);
  assert.equal(r2.code, 0, r2.stderr);
  assert.deepEqual(JSON.parse(r2.stdout).store.saved, []);
  assert.deepEqual(readTree(out), first);
  assert.equal(statSync(join(out, "fixture/k3s/token")).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, "secrets.sops.yaml")).mode & 0o777, 0o600);

  const d = sops(["-d", join(out, "fixture/kubernetes/secrets/lab-credentials.sops.yaml")], key.file);
  assert.equal(d.status, 0, d.stderr);
  const store = await readStore(join(dir, "secrets.sops.yaml"), "store", [key.identity]);
  assert.match(d.stdout, new RegExp(`k3s-token: ${store.secrets.k3s.token}`));
  assert.match(d.stdout, new RegExp(`grafana-admin: ${store.secrets.apps.grafana!["admin-password"]}`));

  const text = await run(["render", dir]);
  assert.match(text.stdout, /rendered \d+ files into/);
  assert.match(text.stdout, /fixture\/\s+3/);
});

test("an interrupted render leaves the previous output intact", async () => {
  const dir = labDir();
  assert.equal((await run(["render", dir])).code, 0);
  const out = join(dir, "out");
  const before = readTree(out);
  let n = 0;
  renderDeps.writeTree = (t, o) => writeTree(t, o, { onFile: () => { if (++n === 2) throw new Error("disk full (simulated)"); } });
  try {
    const r = await run(["render", dir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /disk full/);
  } finally {
    renderDeps.writeTree = writeTree;
  }
  assert.deepEqual(readTree(out), before);
  assert.deepEqual(readdirSync(dir).filter((x) => x.startsWith(".out")), [], "no temporary folder left behind");
});

test("render without any age key says where it looked, exit 1, no stack trace", async () => {
  const dir = labDir();
  const saved = process.env.SOPS_AGE_KEY_FILE;
  delete process.env.SOPS_AGE_KEY_FILE;
  try {
    const r = await run(["render", dir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no age key found; looked in:/);
    assert.match(r.stderr, /SOPS_AGE_KEY_FILE: not set/);
    assert.match(r.stderr, /\.config\/sops\/age\/keys\.txt/);
    assert.match(r.stderr, /drover keys init/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    assert.equal(existsSync(join(dir, "out")), false);
  } finally {
    process.env.SOPS_AGE_KEY_FILE = saved;
  }
});

test("an invalid spec is rejected before any secret is made or file written", async () => {
  const dir = labDir();
  writeFileSync(join(dir, "lab.yaml"), readFileSync(join(dir, "lab.yaml"), "utf8").replace(/subnet: 10\.\d+\.0\.0\/24/, "subnet: 10.0.0.5/24"));
  const r = await run(["render", dir]);
  assert.equal(r.code, 1);
  assert.equal(existsSync(join(dir, "secrets.sops.yaml")), false);
  assert.equal(existsSync(join(dir, "out")), false);
});

test("without secrets: in lab.yaml the store is encrypted to the local key, and check says so", async () => {
  const dir = labDir({ noSecretsSection: true });
  const r = await run(["render", dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`encrypted to your local age key ${key.recipient}`));
  const c = await run(["check", dir]);
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stdout, new RegExp(`secrets\\s+secrets.sops.yaml, encrypted to your local age key ${key.recipient}`));
});

test("keys init writes a 0600 key and refuses to overwrite it", async () => {
  const file = join(tempDir(), "sub", "keys.txt");
  const r = await run(["keys", "init", "--age-key", file, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(JSON.parse(r.stdout).recipient, /^age1/);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const again = await run(["keys", "init", "--age-key", file]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already exists; refusing to overwrite/);
});

/** Every string in the store (min length 8, so that short words like "True" cannot match by chance). */
function secretStrings(s: LabSecrets): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === "string") {
      if (v.length >= 8 && !/^age1/.test(v) && !v.startsWith("-----BEGIN AGE")) out.push(v);
    } else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  const { manifestKey, ...rest } = s;
  walk(rest);
  out.push(manifestKey!.dataKey);
  // PEM bodies: each base64 line on its own, too
  for (const v of [...out]) if (v.includes("\n")) out.push(...v.split("\n").filter((l) => l.length >= 16 && !l.startsWith("-----")));
  return out;
}

test("leak guard: no plaintext secret from the store appears anywhere under kubernetes/", async () => {
  const dir = labDir();
  assert.equal((await run(["render", dir])).code, 0);
  const out = join(dir, "out");
  const store = await readStore(join(dir, "secrets.sops.yaml"), "store", [key.identity]);
  const secrets = secretStrings(store.secrets);
  assert.ok(secrets.length > 20);
  const files = [...readTree(out)].filter(([p]) => p.split("/").includes("kubernetes"));
  assert.ok(files.length >= 2, "the render produced kubernetes/ files to check");
  assert.deepEqual(leaks(files, secrets), []);
  // the guard itself catches a leak: the same Secret, unencrypted
  const plain = toYaml({ kind: "Secret", stringData: { token: store.secrets.k3s.token } });
  assert.equal(leaks([["kubernetes/x.yaml", plain]], secrets).length, 2);
});

function leaks(files: [string, string][], secrets: string[]): string[] {
  const found: string[] = [];
  for (const [path, text] of files) {
    for (const s of secrets) {
      for (const form of [s, Buffer.from(s).toString("base64")]) if (text.includes(form)) found.push(`${path} contains a plaintext secret (${s.slice(0, 6)}…)`);
    }
    if (/^kind: Secret$/m.test(text) && !/^sops:\n/m.test(text)) found.push(`${path}: a Secret without sops encryption`);
  }
  return found;
}

test("render never deletes what it did not write: user files and folders, out/kubernetes/.git; stale files of its own go", async () => {
  const dir = labDir();
  const out = join(dir, "out");
  assert.equal((await run(["render", dir])).code, 0);
  // the user's own files beside the rendered ones, and the Flux tree made a Git repository as its README says
  writeFileSync(join(out, "NOTES.md"), "my notes\n");
  mkdirSync(join(out, "scripts"));
  writeFileSync(join(out, "scripts/flash.sh"), "#!/bin/sh\n");
  assert.equal(spawnSync("git", ["init", "-q", join(out, "kubernetes")]).status, 0);
  writeFileSync(join(out, "kubernetes/.gitignore"), "local/\n");
  mkdirSync(join(out, "kubernetes/local"));
  writeFileSync(join(out, "kubernetes/local/scratch.yaml"), "x: 1\n");
  const gitFiles = readTree(join(out, "kubernetes/.git"));
  // a re-render with one worker fewer: its files are stale and go; everything of the user's stays
  const lab = readFileSync(join(dir, "lab.yaml"), "utf8");
  const name = "talos11";
  assert.ok(existsSync(join(out, `talos/${name}.yaml`)) && existsSync(join(out, `wireguard/${name}/wg0.conf`)));
  writeFileSync(join(dir, "lab.yaml"), lab.replace(/^  - \{ name: talos11, .*\n/m, ""));
  const r = await run(["render", dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(existsSync(join(out, `talos/${name}.yaml`)), false, "the removed node's machine config is deleted");
  assert.equal(existsSync(join(out, `wireguard/${name}`)), false, "and its folder, which drover made and which is now empty");
  assert.equal(readFileSync(join(out, "NOTES.md"), "utf8"), "my notes\n");
  assert.equal(readFileSync(join(out, "scripts/flash.sh"), "utf8"), "#!/bin/sh\n");
  assert.equal(readFileSync(join(out, "kubernetes/local/scratch.yaml"), "utf8"), "x: 1\n");
  assert.equal(readFileSync(join(out, "kubernetes/.gitignore"), "utf8"), "local/\n");
  assert.deepEqual(readTree(join(out, "kubernetes/.git")), gitFiles);
});

test("render -o the lab folder's parent (or a folder it did not write) is refused: exit 1, nothing deleted, no secret made", async () => {
  const dir = labDir();
  writeFileSync(join(dir, "mine.txt"), "keep\n");
  for (const out of [join(dir, ".."), dir]) {
    const r = await run(["render", dir, "-o", out]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /refusing to render into .*: it contains the lab file .*lab\.yaml, and nothing was changed/);
    assert.match(r.stderr, /hint: render into a folder of its own/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
  assert.deepEqual(readdirSync(dir).sort(), ["lab.yaml", "mine.txt"], "no secrets store made, nothing deleted");
  // the secrets store and the age key are protected the same way
  assert.equal((await run(["render", dir])).code, 0);
  const store = join(dir, "secrets.sops.yaml");
  const storeText = readFileSync(store, "utf8");
  writeFileSync(join(dir, "lab.yaml"), readFileSync(join(dir, "lab.yaml"), "utf8") + "\n");
  const elsewhere = tempDir();
  const moved = await run(["render", join(dir, "lab.yaml"), "-o", key.dir]);
  assert.equal(moved.code, 1);
  assert.match(moved.stderr, /contains the age key/);
  // a folder with files and no manifest (another program's, or an earlier drover's output)
  writeFileSync(join(elsewhere, "precious.db"), "data");
  const r = await run(["render", dir, "-o", elsewhere]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /is not empty and has no \.drover-render\.json/);
  assert.deepEqual(readdirSync(elsewhere), ["precious.db"]);
  assert.equal(readFileSync(store, "utf8"), storeText);
});
