// End to end, the real bin/drover.js in a child process, on a lab written from seed 004: check lists
// the router port forwards and every credential or placeholder still needed; `drover secrets set`
// stores a credential from stdin (never argv) encrypted — the real sops opens it — and it is no longer
// listed; render ends with this lab's next steps, the Flux bootstrap exactly as the README has it;
// `drover catalog` lists and shows apps.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../testing/paths.js";
import { ageKeygen, sops, tempDir } from "../testing/age-key.js";
import { seed004Lab } from "../testing/seed004-lab.js";

const BIN = join(ROOT, "bin", "drover.js");

function drover(args: string[], opts: { cwd?: string; input?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, input: opts.input ?? "", env: { PATH: process.env.PATH, HOME: opts.cwd ?? ROOT, NO_COLOR: "1", ...opts.env } as NodeJS.ProcessEnv, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const noStack = (s: string) => assert.doesNotMatch(s, /^\s+at .+\(.*:\d+:\d+\)$|node:internal/m, `stack trace in:\n${s}`);

function labDir(opts: Parameters<typeof seed004Lab>[0] = {}): { dir: string; key: string } {
  const dir = tempDir("drover-day-one-");
  const key = ageKeygen(dir);
  writeFileSync(join(dir, "lab.yaml"), seed004Lab({ recipient: key.recipient, ...opts }));
  return { dir, key: key.file };
}

test("check on seed 004: the router's port forwards, the public address DNS points at, and every credential still needed", () => {
  const { dir } = labDir({ publicAddress: "203.0.113.7" });
  const r = drover(["check", "lab.yaml"], { cwd: dir });
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /exposure\n {4}3 public services served from site home; public DNS points at 203\.0\.113\.7/);
  assert.match(r.out, /router of home forwards:\n {6}80\/tcp → 192\.168\.1\.\d+:80 .*\n {6}443\/tcp → 192\.168\.1\.\d+:443 .*\n {6}22\/tcp → 192\.168\.1\.\d+:22 {2}soft-serve \(ssh\)/);
  // nothing stored yet (no store): everything the lab asks for, with the command that provides it
  for (const n of ["cloudflare-api-token", "backup-b2-access-key", "backup-b2-secret-key"]) assert.match(r.out, new RegExp(`${n}: .*\\n +→ drover secrets set ${n}`));
  assert.match(r.out, /gitops\.url: the Git remote .*git\.example\.invalid/);
  const j = JSON.parse(drover(["check", "lab.yaml", "--json"], { cwd: dir }).out);
  assert.deepEqual(j.exposure.publicTarget, { kind: "address", value: "203.0.113.7" });
  assert.deepEqual(j.exposure.portForwards.map((f: { port: number }) => f.port), [80, 443, 22, 9418]);
  assert.deepEqual(j.needs.items.map((n: { name: string }) => n.name), ["backup-b2-access-key", "backup-b2-secret-key", "cloudflare-api-token", "gitops.url"]);
  // HTTP-01 behind NAT with no public address: warned, with DNS-01 through Cloudflare as the way out
  const { dir: d2 } = labDir();
  const w = drover(["check", "lab.yaml"], { cwd: d2 });
  assert.equal(w.code, 0, w.err);
  assert.match(w.err, /warning: network\.tls\.challenge: Let's Encrypt's HTTP-01 challenge cannot reach port 80 of site home \(it has no public address\)[^\n]*\n {2}hint: use challenge: dns01: cloudflare/);
});

test("secrets set: the value from stdin, stored encrypted (the real sops opens it), no longer listed; a value on the command line is refused", () => {
  const { dir, key } = labDir({ publicAddress: "203.0.113.7", gitUrl: "ssh://git@github.com/caeman/lab.git" });
  const env = { SOPS_AGE_KEY_FILE: key };
  const token = "cf-Tok3n-from-stdin-7f3a";
  const r = drover(["secrets", "set", "cloudflare-api-token"], { cwd: dir, input: `${token}\n`, env });
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /✓ stored cloudflare-api-token in secrets\.sops\.yaml \(encrypted\)/);
  assert.match(r.out, /still missing: backup-b2-access-key, backup-b2-secret-key/);
  assert.ok(!(r.out + r.err).includes(token), "the value is never printed");
  const store = readFileSync(join(dir, "secrets.sops.yaml"), "utf8");
  assert.ok(!store.includes(token), "the store holds it encrypted");
  const opened = sops(["--decrypt", join(dir, "secrets.sops.yaml")], key);
  assert.equal(opened.status, 0, opened.stderr);
  assert.match(opened.stdout, new RegExp(`cloudflare-api-token: ${token}`));
  // check reads the store: only what is still missing
  const c = JSON.parse(drover(["check", "lab.yaml", "--json"], { cwd: dir, env }).out);
  assert.equal(c.needs.storeRead, true);
  assert.deepEqual(c.needs.items.map((n: { name: string }) => n.name), ["backup-b2-access-key", "backup-b2-secret-key"]);
  // the value as an argument: refused before anything is read or stored, with the way to do it
  const argv = drover(["secrets", "set", "backup-b2-access-key", "AKIAEXAMPLE"], { cwd: dir, env });
  assert.equal(argv.code, 1);
  assert.match(argv.err, /never takes the value on the command line/);
  noStack(argv.err);
  const empty = drover(["secrets", "set", "backup-b2-access-key"], { cwd: dir, env, input: "" });
  assert.equal(empty.code, 1);
  assert.match(empty.err, /the value is empty; nothing stored/);
  const bad = drover(["secrets", "set", "Bad Name!"], { cwd: dir, env, input: "x" });
  assert.equal(bad.code, 1);
  assert.match(bad.err, /is not a credential name/);
});

test("render ends with the next steps for this lab: the missing credentials, booting, pushing, and the Flux bootstrap as the README has it", () => {
  const { dir, key } = labDir({ publicAddress: "203.0.113.7", challenge: "dns01" });
  const r = drover(["render", "lab.yaml"], { cwd: dir, env: { SOPS_AGE_KEY_FILE: key } });
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /still needed:\n {4}backup-b2-access-key: .*\n {4}backup-b2-secret-key: .*\n {4}cloudflare-api-token: .*\n {4}gitops\.url: /);
  assert.match(r.out, /next steps:\n {4}1\. store the missing credentials, then render again: drover secrets set backup-b2-access-key; drover secrets set backup-b2-secret-key; drover secrets set cloudflare-api-token\n/);
  assert.match(r.out, /talosctl --talosconfig out\/talos\/talosconfig -n 192\.168\.1\.10 -e 192\.168\.1\.10 bootstrap/);
  const flux = ["kubectl apply --server-side -k out/kubernetes/flux-system/crds", "kubectl wait --for=condition=Established crd -l app.kubernetes.io/part-of=flux --timeout=2m", "kubectl apply --server-side -k out/kubernetes/flux-system"];
  const steps = r.out.split("\n").map((l) => l.replace(/^ +\d+\. /, ""));
  const at = steps.indexOf(flux[0]!);
  assert.ok(at > 0, r.out);
  assert.deepEqual(steps.slice(at, at + 3), flux);
  // the same commands as the generated README (there relative to a checkout of the repository)
  const readme = readFileSync(join(dir, "out", "kubernetes", "README.md"), "utf8");
  for (const c of flux) assert.ok(readme.includes(c.replace("out/kubernetes", "kubernetes")), c);
  assert.match(readme, /drover secrets set <name>/);
  const j = JSON.parse(drover(["render", "lab.yaml", "--json"], { cwd: dir, env: { SOPS_AGE_KEY_FILE: key } }).out);
  assert.deepEqual(j.nextSteps.slice(-3), flux);
});

test("catalog: lists every app with its exposure and archs; shows one app's needs and defaults; an unknown app gets a suggestion", () => {
  const list = drover(["catalog"]);
  assert.equal(list.code, 0, list.err);
  assert.match(list.out, /^app +category +exposure +archs +what it is$/m);
  assert.match(list.out, /^soft-serve +dev +private +amd64,arm64 +Self-hosted Git server/m);
  const j = JSON.parse(drover(["catalog", "--json"]).out);
  assert.ok(j.length > 20 && j.some((a: { name: string }) => a.name === "etherpad"));
  const one = drover(["catalog", "soft-serve"]);
  assert.equal(one.code, 0, one.err);
  assert.match(one.out, /ports +http 23232\/tcp \(web, through the ingress\), ssh 22\/tcp \(own load-balancer address\)/);
  assert.match(one.out, /archs +amd64, arm64/);
  const ollama = JSON.parse(drover(["catalog", "ollama", "--json"]).out);
  assert.ok(ollama.needs.includes("GPU (optional)"));
  const bad = drover(["catalog", "softserve"]);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /softserve is not in the app catalog\n {2}hint: did you mean soft-serve\?/);
  noStack(bad.err);
});
