// End to end: the real bin/drover.js in a child process — exit codes, --json, colours, clean errors, init.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { ROOT, EXAMPLES } from "../testing/paths.js";

const BIN = join(ROOT, "bin", "drover.js");
const FIXTURE = join(ROOT, "test", "fixtures", "invalid", "ref-node-host.yaml");

function drover(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...opts.env };
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, env: env as NodeJS.ProcessEnv, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Runs under a pseudo-terminal (util-linux script), so colours are decided as on a user's terminal. */
function droverOnTerminal(args: string[], env: Record<string, string> = {}) {
  const cmd = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(" ");
  const r = spawnSync("script", ["-qec", cmd, "/dev/null"], { cwd: ROOT, env: { ...process.env, NO_COLOR: undefined, TERM: "xterm", ...env } as NodeJS.ProcessEnv, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, all: r.stdout };
}

const noStack = (s: string) => assert.doesNotMatch(s, /^\s+at .+\(.*:\d+:\d+\)$|^\s+at file:|node:internal/m, `stack trace in:\n${s}`);
const ANSI = /\x1b\[[0-9;]*m/;

test("check: a valid example exits 0 and prints the summary; every example is valid from the command line", () => {
  const r = drover(["check", "examples/talos-mixed/lab.yaml"]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /examples\/talos-mixed\/lab\.yaml is valid: lab roper/);
  assert.match(r.out, /hosts\s+8: 5 amd64, 3 arm64; 6 always-on, 2 volatile/);
  assert.match(r.out, /nodes\s+11: 3 controlplane, 8 worker/);
  assert.doesNotMatch(r.out + r.err, ANSI, "no colours when not on a terminal");
  for (const name of ["starter", "pi-cluster", "proxmox-k3s", "multi-site"]) {
    const x = drover(["check", join(EXAMPLES, name)]);
    assert.equal(x.code, 0, `${name}: ${x.err}`);
  }
});

test("check: an invalid lab exits 1 with file:line:column, field, message and hint on stderr, no stack trace", () => {
  const r = drover(["check", "test/fixtures/invalid/ref-node-host.yaml"]);
  assert.equal(r.code, 1);
  assert.equal(r.out, "");
  assert.match(r.err, /^test\/fixtures\/invalid\/ref-node-host\.yaml:\d+:\d+: error: nodes\[3\]\.host: unknown host nuc4\n  hint: did you mean nuc1\?$/m);
  assert.match(r.err, /✗ test\/fixtures\/invalid\/ref-node-host\.yaml: 1 error/);
  noStack(r.err);
});

test("check --json: valid and invalid labs, machine-readable on stdout", () => {
  const ok = drover(["check", "--json", "examples/starter/lab.yaml"]);
  assert.equal(ok.code, 0);
  const j = JSON.parse(ok.out);
  assert.equal(j.valid, true);
  assert.equal(j.summary.name, "homelab2");
  const bad = drover(["--json", "check", FIXTURE]);
  assert.equal(bad.code, 1);
  const b = JSON.parse(bad.out);
  assert.equal(b.valid, false);
  assert.deepEqual(b.diagnostics.map((d: { path: string }) => d.path), ["nodes[3].host"]);
  assert.ok(b.diagnostics[0].line > 1 && b.diagnostics[0].column > 1);
  const missing = drover(["check", "--json", "no/such/lab.yaml"]);
  assert.equal(missing.code, 1);
  assert.match(JSON.parse(missing.out).error, /no such file/);
});

test("usage errors exit 2; a missing file, binary junk and an alias bomb exit 1 with one clear line", () => {
  assert.equal(drover(["check", "--bogus"]).code, 2);
  assert.equal(drover(["frobnicate"]).code, 2);
  assert.equal(drover(["--version"]).code, 0);
  const dir = mkdtempSync(join(tmpdir(), "drover-cli-"));
  try {
    const missing = drover(["check", join(dir, "lab.yaml")]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /no such file\n  hint: check the path/);
    writeFileSync(join(dir, "junk.yaml"), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 0xff, 0xfe]));
    const junk = drover(["check", join(dir, "junk.yaml")]);
    assert.equal(junk.code, 1);
    assert.match(junk.err, /junk\.yaml:1:1: error: \(document\): the file is not UTF-8 text/);
    noStack(junk.err);
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (let i = 0; i < 9; i++) bomb.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(", ")}]`);
    writeFileSync(join(dir, "bomb.yaml"), bomb.join("\n") + "\n");
    const t0 = Date.now();
    const b = drover(["check", join(dir, "bomb.yaml")]);
    assert.equal(b.code, 1);
    assert.match(b.err, /too many YAML aliases/);
    assert.ok(Date.now() - t0 < 30_000);
    noStack(b.err);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("colours on a terminal only, and never with NO_COLOR", () => {
  const tty = droverOnTerminal(["check", "examples/starter/lab.yaml"]);
  assert.equal(tty.code, 0, tty.all);
  assert.match(tty.all, ANSI);
  const plain = droverOnTerminal(["check", "examples/starter/lab.yaml"], { NO_COLOR: "1" });
  assert.equal(plain.code, 0);
  assert.doesNotMatch(plain.all, ANSI);
  const bad = droverOnTerminal(["check", "test/fixtures/invalid/ref-node-host.yaml"]);
  assert.equal(bad.code, 1);
  assert.match(bad.all, /\x1b\[31merror\x1b\[0m/);
});

test("schema prints the committed JSON Schema", () => {
  const r = drover(["schema"]);
  assert.equal(r.code, 0);
  assert.deepEqual(JSON.parse(r.out), JSON.parse(readFileSync(join(ROOT, "schema", "lab.schema.json"), "utf8")));
});

test("init: writes a valid commented starter, refuses to overwrite without --force, copies examples", () => {
  const dir = mkdtempSync(join(tmpdir(), "drover-init-"));
  try {
    const r = drover(["init", "lab", "--name", "garage", "--distribution", "k3s", "--lan", "10.20.0.0/24", "--arch", "arm64"], { cwd: dir });
    assert.equal(r.code, 0, r.err);
    const text = readFileSync(join(dir, "lab", "lab.yaml"), "utf8");
    assert.match(text, /^# yaml-language-server: \$schema=\.\/lab\.schema\.json/);
    assert.match(text, /\n {2}name: garage\n/);
    assert.ok(existsSync(join(dir, "lab", "lab.schema.json")));
    // a .gitignore keeps the age key and the rendered secrets out of Git; an existing one keeps its lines and gains ours once
    assert.match(readFileSync(join(dir, "lab", ".gitignore"), "utf8"), /^\*\.agekey$[^]*^\/out\/wireguard\/\*\/wg0\.conf$/m);
    mkdirSync(join(dir, "mine"));
    writeFileSync(join(dir, "mine", ".gitignore"), "node_modules/");
    assert.equal(drover(["init", "mine", "--yes"], { cwd: dir }).code, 0);
    assert.equal(drover(["init", "mine", "--yes", "--force"], { cwd: dir }).code, 0);
    const merged = readFileSync(join(dir, "mine", ".gitignore"), "utf8");
    assert.ok(merged.startsWith("node_modules/\n\n# drover:"), merged);
    assert.equal(merged.split("*.agekey").length, 2, "added once");
    const c = drover(["check", "--json", "lab"], { cwd: dir });
    assert.equal(c.code, 0, c.out + c.err);
    assert.equal(JSON.parse(c.out).summary.distribution, "k3s");

    writeFileSync(join(dir, "lab", "lab.yaml"), "# mine\n");
    const again = drover(["init", "lab"], { cwd: dir });
    assert.equal(again.code, 1);
    assert.match(again.err, /already exist; nothing was written\n  hint: pass --force/);
    assert.equal(readFileSync(join(dir, "lab", "lab.yaml"), "utf8"), "# mine\n");
    assert.equal(drover(["init", "lab", "--force", "--yes"], { cwd: dir }).code, 0);
    assert.notEqual(readFileSync(join(dir, "lab", "lab.yaml"), "utf8"), "# mine\n");

    const ex = drover(["init", "ms", "--example", "multi-site"], { cwd: dir });
    assert.equal(ex.code, 0, ex.err);
    assert.ok(existsSync(join(dir, "ms", "functions", "paste.mjs")));
    assert.equal(drover(["check", "ms"], { cwd: dir }).code, 0);
    const unknown = drover(["init", "x", "--example", "nope"], { cwd: dir });
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /no example named nope\n  hint: the examples are: multi-site, pi-cluster, proxmox-k3s, starter, talos-mixed/);
    const badLan = drover(["init", "y", "--lan", "10.1.0.5/16"], { cwd: dir });
    assert.equal(badLan.code, 1);
    assert.match(badLan.err, /--lan 10\.1\.0\.5\/16: 10\.1\.0\.5\/16 has host bits set\n  hint: did you mean 10\.1\.0\.0\/16\?/);
    assert.ok(!existsSync(join(dir, "y", "lab.yaml")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("init on a terminal asks its questions (answers typed ahead are kept); end of input cancels and writes nothing", () => {
  const dir = mkdtempSync(join(tmpdir(), "drover-init-tty-"));
  try {
    const run = (answers: string, target: string) =>
      spawnSync("bash", ["-c", `(sleep 1; printf '${answers}') | script -qec "'${process.execPath}' '${BIN}' init ${target}" /dev/null`], { cwd: dir, encoding: "utf8", timeout: 60_000, env: { ...process.env, NO_COLOR: "1" } });
    const r = run("garage\\nk3s\\n10.9.0.0/24\\narm64\\nhome.lan\\n", "lab");
    assert.match(r.stdout, /Cluster name \[homelab\]: /);
    assert.match(r.stdout, /Private domain for services \[home\.arpa\]: /);
    assert.match(r.stdout, /wrote lab\/lab\.yaml/);
    const text = readFileSync(join(dir, "lab", "lab.yaml"), "utf8");
    for (const want of ["name: garage", "distribution: k3s", "lan: 10.9.0.0/24", "arch: arm64", "private: home.lan"]) assert.ok(text.includes(want), want);
    assert.equal(drover(["check", "lab"], { cwd: dir }).code, 0);
    const cancelled = run("garage\\n", "other");
    assert.match(cancelled.stdout, /drover init was cancelled; nothing was written/);
    assert.ok(!existsSync(join(dir, "other")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("every example renders (drover render) with a fresh key, and a second render is byte-identical", { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "drover-render-examples-"));
  try {
    const key = join(dir, "age.key");
    assert.equal(drover(["keys", "init", "--age-key", key]).code, 0);
    const env = { DROVER_AGE_KEY_FILE: key };
    for (const name of ["starter", "pi-cluster", "proxmox-k3s", "multi-site"]) {
      const ex = drover(["init", name, "--example", name], { cwd: dir });
      assert.equal(ex.code, 0, ex.err);
      const first = drover(["render", "--json"], { cwd: join(dir, name), env });
      assert.equal(first.code, 0, `${name}: ${first.err}`);
      const files = spawnSync("find", ["out", "-type", "f", "-not", "-name", "*.sops.yaml"], { cwd: join(dir, name), encoding: "utf8" }).stdout.split("\n").filter(Boolean).sort();
      assert.ok(files.length > 10, `${name}: ${files.length} files`);
      const before = files.map((f) => readFileSync(join(dir, name, f), "utf8"));
      const again = drover(["render"], { cwd: join(dir, name), env });
      assert.equal(again.code, 0, again.err);
      assert.deepEqual(files.map((f) => readFileSync(join(dir, name, f), "utf8")), before, `${name}: a second render changed files`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
