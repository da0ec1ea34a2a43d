// gitops.serve: the lab's bare repository served read-only over smart HTTP by the real `git
// http-backend`, checked with the real git as a client (Flux's source-controller fetches the same way:
// up.flux.test.ts runs it against this server).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { request } from "node:http";
import { tempDir } from "../../testing/age-key.js";
import { freePort } from "../../testing/cluster.js";
import { debianTool } from "../../testing/paths.js";
import { UserError } from "../../errors.js";
import { isolatedAgeKey, runCli } from "../../testing/cli-harness.js";
import { upTalosLabYaml } from "../../testing/up-labs.js";
import { loadRenderableLab } from "../../render/load.js";
import { serveGit } from "./git-serve.js";

const gitBin = debianTool("git");
function git(args: string[], cwd: string): { status: number | null; out: string } {
  const r = spawnSync(gitBin, args, {
    cwd, encoding: "utf8",
    env: { PATH: process.env.PATH, HOME: cwd, GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0", GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@t.invalid", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@t.invalid" },
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** git against the server of this same process: asynchronous, or the server could not answer it */
function gitAsync(args: string[], cwd: string): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(gitBin, args, {
      cwd,
      env: { PATH: process.env.PATH, HOME: cwd, GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0", GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@t.invalid", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@t.invalid" },
    });
    let out = "";
    p.stdout.on("data", (d: Buffer) => { out += d.toString(); });
    p.stderr.on("data", (d: Buffer) => { out += d.toString(); });
    p.on("close", (status) => resolve({ status, out }));
  });
}

function bareRepoWithCommit(): { bare: string; work: string; head: string } {
  const d = tempDir("drover-serve-git-");
  const bare = join(d, "remote.git");
  const work = join(d, "work");
  mkdirSync(work);
  assert.equal(git(["init", "--bare", "--quiet", "--initial-branch", "main", bare], d).status, 0);
  assert.equal(git(["init", "--quiet", "--initial-branch", "main"], work).status, 0);
  writeFileSync(join(work, "kustomization.yaml"), "resources: []\n");
  assert.equal(git(["add", "."], work).status, 0);
  assert.equal(git(["commit", "--quiet", "-m", "render"], work).status, 0);
  assert.equal(git(["push", "--quiet", bare, "HEAD:refs/heads/main"], work).status, 0);
  return { bare, work, head: git(["rev-parse", "HEAD"], work).out.trim() };
}

const get = (url: string): Promise<number> => new Promise((resolve, reject) => {
  request(url, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).on("error", reject).end();
});

test("drover serves the lab's bare repository read-only at gitops.serve as /<lab>.git: git clones it, a push is refused, nothing else is served", async () => {
  const { bare, work, head } = bareRepoWithCommit();
  const port = await freePort();
  const requests: string[] = [];
  const s = await serveGit({ repo: bare, name: "home", listen: `127.0.0.1:${port}`, git: gitBin, onRequest: (l) => requests.push(l) });
  try {
    assert.equal(s.url, `http://127.0.0.1:${port}/home.git`);
    const clone = join(tempDir("drover-serve-clone-"), "c");
    const r = await gitAsync(["clone", "--quiet", s.url, clone], work);
    assert.equal(r.status, 0, r.out);
    assert.equal(git(["rev-parse", "HEAD"], clone).out.trim(), head);
    assert.equal(readFileSync(join(clone, "kustomization.yaml"), "utf8"), "resources: []\n");
    assert.ok(s.fetches >= 1, "the fetch was counted");
    // read-only: the smart-HTTP push is refused before git http-backend sees it
    writeFileSync(join(clone, "x.yaml"), "x: 1\n");
    git(["add", "."], clone);
    git(["commit", "--quiet", "-m", "x"], clone);
    const push = await gitAsync(["push", "--quiet", "origin", "HEAD:refs/heads/main"], clone);
    assert.notEqual(push.status, 0, "a push through the served URL is refused");
    assert.equal(git(["--git-dir", bare, "rev-parse", "main"], work).out.trim(), head, "the bare repository is unchanged");
    assert.ok(requests.some((l) => /receive-pack refused$/.test(l)), requests.join("\n"));
    // only the one repository, only the fetch paths
    assert.equal(await get(`http://127.0.0.1:${port}/other.git/info/refs?service=git-upload-pack`), 404);
    assert.equal(await get(`http://127.0.0.1:${port}/home.git/config`), 404);
    assert.equal(await get(`http://127.0.0.1:${port}/home.git/../remote.git/info/refs`), 404);
    // a second server on the same port: a clear error
    await assert.rejects(serveGit({ repo: bare, name: "home", listen: `127.0.0.1:${port}`, git: gitBin }), (e: unknown) => e instanceof UserError && /port \d+ is in use/.test(e.message));
  } finally {
    await s.close();
  }
  // an address that is not this machine's (TEST-NET-1) and a folder that is no repository
  await assert.rejects(serveGit({ repo: bare, name: "home", listen: "192.0.2.1:8418", git: gitBin }), (e: unknown) => e instanceof UserError && /192\.0\.2\.1 is not an address of this machine/.test(e.message));
  await assert.rejects(serveGit({ repo: work + "/nothing", name: "home", listen: `127.0.0.1:${port}`, git: gitBin }), (e: unknown) => e instanceof UserError && /is not a Git repository/.test(e.message));
});

test("gitops.serve [::1]:<port>: the one host:port parser gives the bare IPv6 address to listen on, the served URL keeps the brackets, and git clones from it", async () => {
  const { bare, work, head } = bareRepoWithCommit();
  const port = await freePort();
  const s = await serveGit({ repo: bare, name: "home", listen: `[::1]:${port}`, git: gitBin });
  try {
    assert.equal(s.url, `http://[::1]:${port}/home.git`);
    const clone = join(tempDir("drover-serve-clone6-"), "c");
    const r = await gitAsync(["clone", "--quiet", s.url, clone], work);
    assert.equal(r.status, 0, r.out);
    assert.equal(git(["rev-parse", "HEAD"], clone).out.trim(), head);
    // it listens on ::1 only, not on IPv4 as well
    await assert.rejects(get(`http://127.0.0.1:${port}/home.git/info/refs`));
  } finally {
    await s.close();
  }
  // a listen value the parser refuses is a UserError, never a listen on something else
  for (const bad of [`::1:${port}`, `127.0.0.1`, `[::1:${port}`]) {
    await assert.rejects(serveGit({ repo: bare, name: "home", listen: bad, git: gitBin }), (e: unknown) => e instanceof UserError && /^gitops\.serve /.test(e.message), bad);
  }
});

test("gitops.serve: check refuses what is not <address>:<port>, and serve beside url or forge; render points the GitRepository at the served URL and needs no Git remote; drover serve-git without it says what to set", async () => {
  isolatedAgeKey();
  const dir = tempDir("drover-serve-spec-");
  const file = join(dir, "lab.yaml");
  const base = upTalosLabYaml();
  for (const [gitops, want] of [
    [`{ serve: "192.168.1.10" }`, /gitops\.serve.*must be <address>:<port>/s],
    [`{ serve: "192.168.1.300:8418" }`, /must be <address>:<port>/],
    [`{ serve: "nas.home:70000" }`, /must be <address>:<port>/],
    [`{ serve: "192.168.1.10:8418", url: "https://git.example.com/lab.git" }`, /set gitops\.serve only while the lab has no Git host/],
  ] as const) {
    writeFileSync(file, `${base}gitops: ${gitops}\n`);
    const r = await runCli(["check", file]);
    assert.notEqual(r.code, 0, gitops);
    assert.match(r.out + r.err, want, gitops);
  }
  writeFileSync(file, `${base}gitops: { serve: "192.168.1.10:8418" }\n`);
  const r = await runCli(["render", file]);
  assert.equal(r.code, 0, r.err);
  const sync = readFileSync(join(dir, "out", "kubernetes", "flux-system", "gotk-sync.yaml"), "utf8");
  const name = loadRenderableLab(file).lab.name;
  assert.match(sync, new RegExp(`url: http://192\\.168\\.1\\.10:8418/${name}\\.git\\n`));
  assert.doesNotMatch(sync.split("\n---\n")[0]!, /secretRef/, "the GitRepository reads anonymously: no Git credentials");
  assert.doesNotMatch(r.out + r.err, /gitops\.url/, "no Git remote still needed");
  assert.match(readFileSync(join(dir, "out", "kubernetes", "README.md"), "utf8"), /drover serve-git/);
  writeFileSync(file, `${base}gitops: { url: "https://git.example.com/lab.git" }\n`);
  const s = await runCli(["serve-git", file]);
  assert.notEqual(s.code, 0);
  assert.match(s.err, /gitops\.serve is not set/);
});
