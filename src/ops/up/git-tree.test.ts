// drover up, GitOps working tree, with the real git and sops: the render committed at the gitops path
// and pushed (to a local bare repository here); a second run commits and pushes nothing; a run
// stopped between commit and push pushes next time; a change is committed with a message saying what
// changed; files Drover did not write are never touched; the .sops.yaml lets the user's own sops
// (3.11.0) encrypt a new Secret that the lab's key decrypts, and decrypt the rendered ones.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isolatedAgeKey, runCli } from "../../testing/cli-harness.js";
import { sops, tempDir } from "../../testing/age-key.js";
import { debianTool, tool } from "../../testing/paths.js";
import { upTalosLabYaml } from "../../testing/up-labs.js";
import { loadTestLab } from "../../testing/apps-lab.js";
import { processRunner } from "./runner.js";
import { syncGitTree, type GitTreeOptions } from "./git-tree.js";
import type { UpEvent } from "./progress.js";

const git = debianTool("git");
const gitEnv = { GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", GIT_AUTHOR_DATE: "2026-01-01T00:00:00Z", GIT_COMMITTER_DATE: "2026-01-01T00:00:00Z" };
Object.assign(process.env, gitEnv);
const g = (cwd: string, ...args: string[]) => {
  const r = spawnSync(git, args, { cwd, encoding: "utf8" });
  assert.equal(r.status, 0, `git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
};

async function renderedLab(yaml: string): Promise<{ dir: string; out: string; key: ReturnType<typeof isolatedAgeKey> }> {
  const key = isolatedAgeKey();
  const dir = tempDir("drover-up-git-");
  writeFileSync(join(dir, "lab.yaml"), yaml);
  const r = await runCli(["render", join(dir, "lab.yaml")]);
  assert.equal(r.code, 0, r.err);
  return { dir, out: join(dir, "out"), key };
}

test("the lab's Git working tree: commit and push each render once, resume a push, touch only drover's files; .sops.yaml works with the real sops", async () => {
  const { dir, out, key } = await renderedLab(upTalosLabYaml());
  const lab = loadTestLab(upTalosLabYaml());
  const events: UpEvent[] = [];
  const remote = join(dir, ".drover", "remote.git");
  const repo = join(dir, ".drover", "repo");
  const o: GitTreeOptions = { lab, outDir: out, repo, remote, localRemote: true, recipients: [key.recipient], runner: processRunner, git, report: (e) => events.push(e) };

  const first = await syncGitTree(o);
  assert.equal(first.committed, true);
  assert.equal(first.pushed, true);
  assert.equal(g(remote, "rev-parse", "refs/heads/main").trim(), first.commit);
  const files = g(repo, "ls-files").trim().split("\n");
  assert.ok(files.includes(".sops.yaml"));
  assert.ok(files.includes("kubernetes/flux-system/gotk-sync.yaml"));
  assert.ok(files.every((f) => f === ".sops.yaml" || f.startsWith("kubernetes/")), files.join(" "));
  assert.match(g(repo, "log", "-1", "--format=%s"), /^drover: render \d+ added/);

  // a second run: nothing to commit or push
  const second = await syncGitTree(o);
  assert.deepEqual([second.committed, second.pushed, second.commit], [false, false, first.commit]);

  // the user's own files, beside and inside the gitops path, are never touched
  writeFileSync(join(repo, "NOTES.md"), "mine\n");
  writeFileSync(join(repo, "kubernetes", "my-extra.yaml"), "# mine\n");
  const third = await syncGitTree(o);
  assert.equal(third.committed, false);
  assert.equal(readFileSync(join(repo, "NOTES.md"), "utf8"), "mine\n");
  assert.equal(readFileSync(join(repo, "kubernetes", "my-extra.yaml"), "utf8"), "# mine\n");
  assert.match(g(repo, "status", "--porcelain"), /\?\? NOTES\.md/);

  // a changed lab: the commit says what changed; stopped before the push, the next run pushes
  writeFileSync(join(dir, "lab.yaml"), upTalosLabYaml() + "gitops: { interval: 5m }\n");
  assert.equal((await runCli(["render", join(dir, "lab.yaml")])).code, 0);
  const failingPush = { ...o, runner: { run: (p: string, args: readonly string[], opt?: Parameters<typeof processRunner.run>[2]) => (args[0] === "push" ? Promise.reject(new Error("interrupted")) : processRunner.run(p, args, opt)) } };
  await assert.rejects(syncGitTree(failingPush), /interrupted/);
  assert.equal(g(remote, "rev-parse", "refs/heads/main").trim(), first.commit, "nothing pushed yet");
  const resumed = await syncGitTree(o);
  assert.equal(resumed.committed, false, "already committed by the interrupted run");
  assert.equal(resumed.pushed, true);
  assert.notEqual(resumed.commit, first.commit);
  assert.equal(g(remote, "rev-parse", "refs/heads/main").trim(), resumed.commit);
  const msg = g(repo, "log", "-1", "--format=%B");
  assert.match(msg, /^drover: render (\d+ added, )?\d+ changed|^drover: render \d+ added/);
  assert.match(msg, /- [a-z/-]+: \d+ files?/);

  // the user's sops: a new Secret under the gitops path is encrypted by .sops.yaml's rules alone
  const mine = join(repo, "kubernetes", "apps-extra", "token.yaml");
  mkdirSync(join(repo, "kubernetes", "apps-extra"), { recursive: true });
  writeFileSync(mine, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: token\n  namespace: default\nstringData:\n  token: s3cr3t\n");
  const encrypted = sopsIn(repo, ["--encrypt", "--in-place", "kubernetes/apps-extra/token.yaml"], key.file);
  assert.equal(encrypted.status, 0, encrypted.stderr);
  const text = readFileSync(mine, "utf8");
  assert.doesNotMatch(text, /s3cr3t/);
  assert.match(text, /name: token/, "metadata stays readable (only data/stringData encrypted)");
  assert.match(text, new RegExp(key.recipient));
  const dec = sops(["--decrypt", mine], key.file);
  assert.equal(dec.status, 0, dec.stderr);
  assert.match(dec.stdout, /token: s3cr3t/);
  // and a rendered Secret decrypts with the lab's key
  const rendered = g(repo, "ls-files", "kubernetes/*.sops.yaml").trim().split("\n").filter(Boolean);
  if (rendered.length) { const d = sops(["--decrypt", join(repo, rendered[0]!)], key.file); assert.equal(d.status, 0, `${rendered[0]}: ${d.stderr}`); }
  assert.ok(existsSync(join(repo, "kubernetes", ".drover-render.json")));
});

/** The real sops run in a folder (so it finds .sops.yaml there), with only the test's key. */
function sopsIn(cwd: string, args: string[], keyFile: string): { status: number | null; stderr: string } {
  const r = spawnSync(tool("sops"), args, { cwd, encoding: "utf8", env: { PATH: process.env.PATH, HOME: tempDir(), SOPS_AGE_KEY_FILE: keyFile } });
  return { status: r.status, stderr: r.stderr };
}
