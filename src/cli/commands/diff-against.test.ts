// `drover diff --against <ref>` in a real Git repository (git init in a temp folder, real commits):
// the lab at a revision (lab.yaml, versions.yaml, function scripts from `git show`) against the lab
// now, both rendered in memory; no cluster. A version bump shows exactly its files; --exit-code gives
// CI its answer; bad revisions and invalid labs at a revision are clear errors.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { cpSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { isolatedAgeKey, runCli } from "../../testing/cli-harness.js";
import { tempDir, type TestKey } from "../../testing/age-key.js";
import { EXAMPLES } from "../../testing/paths.js";

let key: TestKey;
let repo: string;
const git = (...args: string[]) => {
  const r = spawnSync("git", ["-C", repo, "-c", "user.email=t@example.invalid", "-c", "user.name=t", "-c", "commit.gpgsign=false", ...args], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
};

before(() => {
  key = isolatedAgeKey();
  repo = tempDir();
  const lab = join(repo, "lab");
  cpSync(join(EXAMPLES, "multi-site"), lab, { recursive: true });
  const text = readFileSync(join(lab, "lab.yaml"), "utf8").replace(/^(secrets:\n {2}recipients:\n)( {4}- age1\S+\n)+/m, `$1    - ${key.recipient}\n`);
  writeFileSync(join(lab, "lab.yaml"), text);
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-qm", "the lab");
});

test("the same lab: no difference, exit 0 even with --exit-code", async () => {
  const r = await runCli(["diff", "--against", "main", "--exit-code", join(repo, "lab")]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /the rendered tree is the same as at main \([0-9a-f]{12}\)/);
});

test("a versions.yaml bump: exactly its files, as unified diffs; --exit-code 1; --json lists them", async () => {
  writeFileSync(join(repo, "lab", "versions.yaml"), 'charts:\n  cilium: "1.20.3"\nimages:\n  vaultwarden: "vaultwarden/server:1.35.0"\n');
  const r = await runCli(["diff", "--against", "HEAD", "--exit-code", join(repo, "lab")]);
  assert.equal(r.code, 1, r.err);
  assert.match(r.out, /^-\s+version: 1\.20\.2$/m);
  assert.match(r.out, /^\+\s+version: 1\.20\.3$/m);
  assert.match(r.out, /^\+\s+image: vaultwarden\/server:1\.35\.0$/m);
  assert.match(r.out, /^\+\+\+ b\/versions\.yaml$/m);
  const j = await runCli(["diff", "--against", "HEAD", "--json", join(repo, "lab")]);
  assert.equal(j.code, 0, "without --exit-code a difference is not a failure");
  const d = JSON.parse(j.out) as { changed: string[]; added: string[]; removed: string[]; diffs: Record<string, string>; secrets: string };
  assert.deepEqual(d.added, []);
  assert.deepEqual(d.removed, []);
  assert.ok(d.changed.includes("versions.yaml"));
  assert.ok(d.changed.some((p) => p.includes("cilium")), d.changed.join(", "));
  assert.ok(d.changed.some((p) => p.includes("vaultwarden")), d.changed.join(", "));
  for (const p of d.changed) assert.ok(!/\/(talos|wireguard|seats)\//.test(`/${p}`), `${p} must not change with a chart and an image`);
  assert.equal(d.secrets, "store");
  // committed: the same again
  git("add", "-A");
  git("commit", "-qm", "bump cilium and vaultwarden");
  assert.equal((await runCli(["diff", "--against", "HEAD", "--exit-code", join(repo, "lab")])).code, 0);
  // and against the commit before, the bump is the difference
  const back = await runCli(["diff", "--against", "HEAD~1", "--exit-code", "--json", join(repo, "lab")]);
  assert.equal(back.code, 1);
  assert.deepEqual((JSON.parse(back.out) as { changed: string[] }).changed, d.changed);
});

test("a removed app and a changed function script; secrets files listed, never shown; without a key, throwaway secrets", async () => {
  const lab = join(repo, "lab");
  const before = readFileSync(join(lab, "lab.yaml"), "utf8");
  const scripts = readFileSync(join(lab, "lab.yaml"), "utf8").match(/file: (functions\/[^,\s]+)/)?.[1];
  assert.ok(scripts, "the example has a function");
  writeFileSync(join(lab, scripts), readFileSync(join(lab, scripts), "utf8") + "\n# changed\n");
  writeFileSync(join(lab, "lab.yaml"), before.replace(/^ {2}- \{? ?name: vaultwarden.*\n/m, ""));
  const r = await runCli(["diff", "--against", "HEAD", "--json", join(lab)]);
  assert.equal(r.code, 0, r.err);
  const d = JSON.parse(r.out) as { changed: string[]; removed: string[]; secretFiles: string[]; diffs: Record<string, string> };
  assert.ok(d.changed.some((p) => p.startsWith("kubernetes/functions/") || p.includes("function")), d.changed.join(", "));
  for (const p of d.secretFiles) assert.equal(d.diffs[p], undefined, `${p} holds secrets: not shown`);
  if (before.includes("name: vaultwarden")) assert.ok(d.removed.some((p) => p.includes("vaultwarden")) || d.changed.some((p) => p.includes("vaultwarden")));
  // no age key anywhere: the same comparison with throwaway secrets
  const saved = process.env.SOPS_AGE_KEY_FILE;
  delete process.env.SOPS_AGE_KEY_FILE;
  try {
    const t = await runCli(["diff", "--against", "HEAD", "--json", lab]);
    assert.equal(t.code, 0, t.err);
    const td = JSON.parse(t.out) as { changed: string[]; secrets: string };
    assert.equal(td.secrets, "throwaway");
    assert.deepEqual(td.changed, d.changed);
  } finally {
    process.env.SOPS_AGE_KEY_FILE = saved;
  }
  spawnSync("git", ["-C", repo, "checkout", "-q", "--", "."]);
});

test("bad revisions and a lab invalid at the revision: clear errors, nothing rendered", async () => {
  const lab = join(repo, "lab");
  for (const ref of ["--upload-pack=touch /tmp/pwned", "no-such-branch", "HEAD:lab.yaml", "a b"]) {
    const r = await runCli(["diff", "--against", ref, lab]);
    assert.equal(r.code, 1, `${ref}: ${r.err}`);
    assert.match(r.err, /is not a revision/);
    assert.doesNotMatch(r.err, /\n\s+at /, "no stack trace");
  }
  const good = readFileSync(join(lab, "lab.yaml"), "utf8");
  writeFileSync(join(lab, "lab.yaml"), good.replace(/^ {2}name: (\S+)/m, "  name: Not_A_Name"));
  git("commit", "-qam", "broken");
  writeFileSync(join(lab, "lab.yaml"), good);
  writeFileSync(join(lab, "versions.yaml"), 'charts:\n  cilium: "1.20.3"\n');
  const r = await runCli(["diff", "--against", "HEAD", lab]);
  assert.equal(r.code, 1);
  assert.match(r.err, /HEAD:lab\/lab\.yaml:\d+:\d+/);
  rmSync(join(lab, "versions.yaml"));
});
