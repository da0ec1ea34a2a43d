// A local smart-HTTP Git server for tests, on loopback: bare repositories in a temporary folder,
// served by the real `git http-backend` (the CGI program Git ships) behind a tiny Node HTTP server
// (git-server-main.ts, its own process), so
// that clients (git itself, Flux's source-controller) fetch and push over http:// exactly as they do
// against a Git forge. Anonymous read and write; nothing leaves 127.0.0.1.
//
//   const git = await startGitServer();
//   const repo = git.createRepo("lab");             // bare repository, default branch main
//   const wt = cloneWorkTree(repo.url);             // a working tree to commit into
//   ...write files into wt.dir...; const rev = wt.commitAndPush("render");
//   // GitRepository.spec.url = repo.url
//   await git.stop();
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface GitRepo {
  /** the repository's name (its folder is <name>.git) */
  readonly name: string;
  /** the clone URL, e.g. http://127.0.0.1:41234/lab.git */
  readonly url: string;
  /** the bare repository's folder */
  readonly path: string;
}

export interface GitServer {
  /** the server's base URL, http://127.0.0.1:<port> */
  readonly url: string;
  /** the folder holding the bare repositories */
  readonly root: string;
  /** makes an empty bare repository (default branch `branch`, "main" unless given) that accepts pushes */
  createRepo(name: string, branch?: string): GitRepo;
  /** how many requests it answered (a cheap check that a client really came) */
  readonly requests: number;
  stop(): Promise<void>;
}

/** The environment every git run of the tests gets: no user or system config, a fixed identity. */
export function gitEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH, HOME: home, GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0",
    GIT_AUTHOR_NAME: "Drover Test", GIT_AUTHOR_EMAIL: "test@drover.invalid", GIT_COMMITTER_NAME: "Drover Test", GIT_COMMITTER_EMAIL: "test@drover.invalid",
  };
}

/** Runs the real git; throws with its output on failure. */
export function git(args: readonly string[], opts: { cwd?: string; home: string }): string {
  const r = spawnSync("git", args, { cwd: opts.cwd, env: gitEnv(opts.home), encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")} (in ${opts.cwd ?? "."}): exit ${r.status}\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

const REPO_NAME = /^[a-z0-9][a-z0-9._-]*$/;

/**
 * Starts the server on 127.0.0.1 (a free port) in a process of its own (git-server-main.ts), so that a
 * test may run git synchronously against it.
 */
export async function startGitServer(): Promise<GitServer> {
  const root = mkdtempSync(join(tmpdir(), "drover-git-"));
  const home = join(root, ".home");
  mkdirSync(home);
  const main = fileURLToPath(new URL("./git-server-main.js", import.meta.url));
  const child = spawn(process.execPath, [main, root], { stdio: ["ignore", "pipe", "inherit"], detached: true });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /^listening (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once("exit", (code) => reject(new Error(`the test git server exited (${code}) before listening: ${out}`)));
  });
  child.stdout!.resume();
  const log = join(root, ".requests.log");
  return {
    url, root,
    get requests() { return existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean).length : 0; },
    createRepo(name, branch = "main") {
      if (!REPO_NAME.test(name)) throw new Error(`repository name ${JSON.stringify(name)}: use lower-case letters, digits, '.', '_' and '-'`);
      const path = join(root, `${name}.git`);
      git(["init", "--quiet", "--bare", `--initial-branch=${branch}`, path], { home });
      git(["config", "http.receivepack", "true"], { cwd: path, home });
      return { name, url: `${url}/${name}.git`, path };
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once("exit", r));
        try { process.kill(-child.pid!, "SIGTERM"); } catch { /* already gone */ }
        await gone;
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface WorkTree {
  /** the checkout's folder */
  readonly dir: string;
  /** stages everything (git add -A), commits when something changed, pushes; returns the commit hash */
  commitAndPush(message: string): string;
  /** the checked-out commit hash */
  head(): string;
  /** deletes the checkout */
  remove(): void;
}

/** A working tree of `url` on `branch` (an empty repository gets its first commit on that branch). */
export function cloneWorkTree(url: string, branch = "main"): WorkTree {
  const base = mkdtempSync(join(tmpdir(), "drover-wt-"));
  const home = join(base, ".home");
  const dir = join(base, "repo");
  mkdirSync(home);
  git(["clone", "--quiet", url, dir], { home });
  git(["checkout", "--quiet", "-B", branch], { cwd: dir, home });
  const head = () => git(["rev-parse", "HEAD"], { cwd: dir, home }).trim();
  return {
    dir,
    head,
    commitAndPush(message) {
      git(["add", "-A"], { cwd: dir, home });
      if (git(["status", "--porcelain"], { cwd: dir, home }).trim()) git(["commit", "--quiet", "-m", message], { cwd: dir, home });
      git(["push", "--quiet", "origin", `HEAD:refs/heads/${branch}`], { cwd: dir, home });
      return head();
    },
    remove: () => rmSync(base, { recursive: true, force: true }),
  };
}
