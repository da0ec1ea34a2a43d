// The lab's Git working tree, owned by Drover: the rendered kubernetes/ folder at the path the
// GitRepository names (gitops.path), plus a .sops.yaml at the top whose creation rules let the user's
// own `sops` encrypt and edit Secrets there with the lab's recipients. Each run copies the current
// render in (through render's writer, which replaces or deletes only files it wrote — listed in
// <path>/.drover-render.json — and never touches .git or anything else), commits with a message that
// says what changed, and pushes to the remote: gitops.url, or a local bare repository while the lab
// has none. Every step checks first, so a second run with the same render commits and pushes nothing,
// and a run interrupted between commit and push pushes next time.
import { existsSync, lstatSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { Lab } from "../../lab/types.js";
import { UserError } from "../../errors.js";
import { addFile, tree, toYaml, type FileTree } from "../../render/tree.js";
import { MANIFEST, readManifest } from "../../render/output-manifest.js";
import { writeTree } from "../../render/write.js";
import { gitopsPath } from "../../render/flux/layout.js";
import { writeFileAtomic } from "../../fs/atomic-write.js";
import { failure, type Runner } from "./runner.js";
import type { UpReport } from "./progress.js";

/** The rendered folder that is the cluster layer. */
export const RENDERED_CLUSTER_DIR = "kubernetes";
const SOPS_MARK = "# Written by drover up";

/**
 * .sops.yaml for the working tree: Secrets under the gitops path are encrypted (data and stringData,
 * as Drover renders them) for the lab's recipients, so `sops edit` or `sops -e -i` on a new Secret there
 * produces what Flux decrypts.
 */
export function sopsConfig(path: string, recipients: readonly string[]): string {
  const esc = path.replace(/[.+*?^$()[\]{}|\\]/g, "\\$&");
  return `${SOPS_MARK}: the rules your own sops uses for Secrets of the lab's Flux tree.\n${toYaml({
    creation_rules: [{ path_regex: `^(.*/)?${esc}/.*\\.ya?ml$`, encrypted_regex: "^(data|stringData)$", age: recipients.join(",") }],
  })}`;
}

/** The rendered cluster layer re-rooted at the gitops path: every file render wrote under kubernetes/ except secret ones and .gitignore files. */
export function clusterTree(outDir: string): FileTree {
  const m = readManifest(outDir);
  if (!m) throw new UserError(`${outDir} has no render (no .drover-render.json)`, "run drover render first (drover up renders unless told not to)");
  const t = tree();
  const prefix = `${RENDERED_CLUSTER_DIR}/`;
  for (const p of [...m.files].sort()) {
    if (!p.startsWith(prefix) || p.endsWith("/.gitignore")) continue;
    const full = join(outDir, p);
    const st = lstatSync(full);
    if (!st.isFile()) continue;
    if ((st.mode & 0o077) === 0) continue; // a secret file (0600): never into Git
    addFile(t, p.slice(prefix.length), readFileSync(full, "utf8"), st.mode & 0o111 ? { mode: st.mode & 0o777 } : {});
  }
  if (!t.size) throw new UserError(`${outDir}/${RENDERED_CLUSTER_DIR} has no files`, "render the lab again");
  return t;
}

/** The files render's writer owns in a folder (its manifest, which it writes too), relative to it. */
function ownedFiles(dir: string): string[] {
  const m = readManifest(dir);
  return m ? [...m.files, MANIFEST] : [];
}

export interface GitTreeOptions {
  readonly lab: Lab;
  readonly outDir: string;
  readonly repo: string;
  /** push target: the lab's gitops.url, or a local bare repository (created when missing) */
  readonly remote: string;
  readonly localRemote: boolean;
  readonly recipients: readonly string[];
  readonly runner: Runner;
  readonly git: string;
  readonly report: UpReport;
  readonly env?: NodeJS.ProcessEnv;
}

export interface GitTreeResult {
  readonly commit: string | undefined;
  readonly committed: boolean;
  readonly pushed: boolean;
  readonly summary: string;
}

/** "3 added, 1 changed, 2 removed: apps/media (2), infrastructure/monitoring (4)" from `git diff --name-status`. */
export function changeSummary(nameStatus: string, root: string): { subject: string; body: string } {
  const counts = { A: 0, M: 0, D: 0 };
  const folders = new Map<string, number>();
  for (const line of nameStatus.split("\n").filter(Boolean)) {
    const [st, ...rest] = line.split("\t");
    const file = rest[rest.length - 1] ?? "";
    const k = (st ?? "M")[0] === "A" ? "A" : (st ?? "M")[0] === "D" ? "D" : "M";
    counts[k]++;
    const inRoot = file.startsWith(`${root}/`) ? file.slice(root.length + 1) : file;
    const parts = inRoot.split("/");
    const folder = parts.length > 2 ? parts.slice(0, 2).join("/") : parts.length === 2 ? parts[0]! : ".";
    folders.set(folder, (folders.get(folder) ?? 0) + 1);
  }
  const what = [counts.A && `${counts.A} added`, counts.M && `${counts.M} changed`, counts.D && `${counts.D} removed`].filter(Boolean).join(", ");
  const list = [...folders].sort(([a], [b]) => (a < b ? -1 : 1));
  return {
    subject: `drover: render ${what}${list.length <= 3 ? ` (${list.map(([f]) => f).join(", ")})` : ` in ${list.length} folders`}`,
    body: list.map(([f, n]) => `- ${f}: ${n} file${n === 1 ? "" : "s"}`).join("\n"),
  };
}

export async function syncGitTree(o: GitTreeOptions): Promise<GitTreeResult> {
  const git = async (args: readonly string[], cwd = o.repo, allowFail = false, input?: string) => {
    const r = await o.runner.run(o.git, args, { cwd, timeoutMs: 120_000, env: { ...process.env, ...o.env, GIT_TERMINAL_PROMPT: "0" }, ...(input !== undefined ? { input } : {}) });
    if (r.code !== 0 && !allowFail) throw new UserError(`git ${args.join(" ")} (in ${cwd}) failed: ${failure(r)}`, "fix the Git working tree or remote, then run drover up again");
    return r;
  };
  const path = gitopsPath(o.lab);
  const branch = o.lab.gitops.branch;
  o.report({ phase: "gitops", status: "start", message: `updating the Git working tree ${relative(process.cwd(), o.repo) || o.repo}` });

  if (o.localRemote && !existsSync(join(o.remote, "HEAD"))) {
    await git(["init", "--bare", "--quiet", "--initial-branch", branch, o.remote], process.cwd());
  }
  if (!existsSync(join(o.repo, ".git"))) {
    // clone what the remote has (another machine may have pushed), else start a repository
    const ls = await git(["ls-remote", "--heads", o.remote, branch], process.cwd(), true);
    if (ls.code === 0 && ls.stdout.trim()) await git(["clone", "--quiet", "--branch", branch, o.remote, o.repo], process.cwd());
    else {
      await git(["init", "--quiet", "--initial-branch", branch, o.repo], process.cwd());
      await git(["remote", "add", "origin", o.remote]);
    }
  } else {
    const url = await git(["remote", "get-url", "origin"], o.repo, true);
    if (url.code !== 0) await git(["remote", "add", "origin", o.remote]);
    else if (url.stdout.trim() !== o.remote) await git(["remote", "set-url", "origin", o.remote]);
  }

  // the render, through render's own writer: only files it wrote are replaced or deleted
  const target = join(o.repo, path);
  const before = ownedFiles(target);
  writeTree(clusterTree(o.outDir), target, { display: (p) => relative(process.cwd(), p) || p });
  const after = ownedFiles(target);
  const sops = join(o.repo, ".sops.yaml");
  const sopsText = sopsConfig(path, o.recipients);
  const sopsOurs = !existsSync(sops) || readFileSync(sops, "utf8").startsWith(SOPS_MARK);
  if (sopsOurs && (!existsSync(sops) || readFileSync(sops, "utf8") !== sopsText)) writeFileAtomic(sops, sopsText, { mode: 0o644 });
  else if (!sopsOurs) o.report({ phase: "gitops", status: "warn", message: `${sops} is not drover's: left as it is (its creation rules must cover ${path}/ for sops to encrypt Secrets there)` });

  // stage exactly drover's files (now and from the last render, for deletions); whatever else the
  // user has in the tree, staged or not, stays as it is
  const mine = [...new Set([...before, ...after].map((f) => `${path}/${f}`))].sort();
  if (sopsOurs) mine.push(".sops.yaml");
  const present = mine.filter((f) => existsSync(join(o.repo, f)));
  const gone = mine.filter((f) => !existsSync(join(o.repo, f)));
  if (present.length) await git(["add", "--pathspec-from-file=-", "--pathspec-file-nul", "--"], o.repo, false, present.join("\0"));
  if (gone.length) await git(["rm", "--cached", "--quiet", "--ignore-unmatch", "--pathspec-from-file=-", "--pathspec-file-nul", "--"], o.repo, false, gone.join("\0"));
  const mineSet = new Set(mine);
  const staged = (await git(["diff", "--cached", "--name-status", "--no-renames", "-z"])).stdout.split("\0").filter(Boolean);
  const changes: string[] = [];
  for (let i = 0; i + 1 < staged.length; i += 2) if (mineSet.has(staged[i + 1]!)) changes.push(`${staged[i]}\t${staged[i + 1]}`);
  let committed = false;
  let summary = "no changes";
  if (changes.length) {
    const s = changeSummary(changes.join("\n"), path);
    summary = s.subject.replace(/^drover: /, "");
    const who = await git(["config", "user.email"], o.repo, true);
    const id = who.code === 0 && who.stdout.trim() ? [] : ["-c", "user.name=drover", "-c", `user.email=drover@${o.lab.name}.invalid`];
    // commit only drover's changes: anything else the user staged stays staged
    await git([...id, "commit", "--quiet", "--no-verify", "-m", s.subject, "-m", s.body, "--pathspec-from-file=-", "--pathspec-file-nul", "--"], o.repo, false, changes.map((c) => c.split("\t")[1]).join("\0"));
    committed = true;
    o.report({ phase: "gitops", status: "done", message: `committed: ${summary}` });
  } else o.report({ phase: "gitops", status: "skip", message: "the working tree already holds this render" });

  const head = (await git(["rev-parse", "--verify", "--quiet", "HEAD"], o.repo, true)).stdout.trim() || undefined;
  if (!head) return { commit: undefined, committed, pushed: false, summary };
  const remoteHead = (await git(["ls-remote", "origin", `refs/heads/${branch}`], o.repo, true)).stdout.split(/\s/)[0] || undefined;
  let pushed = false;
  if (remoteHead !== head) {
    await git(["push", "--quiet", "origin", `HEAD:refs/heads/${branch}`]);
    pushed = true;
    o.report({ phase: "gitops", status: "done", message: `pushed ${head.slice(0, 12)} to ${o.localRemote ? `the local repository ${relative(process.cwd(), o.remote) || o.remote}` : o.remote} (${branch})` });
  } else o.report({ phase: "gitops", status: "skip", message: `${o.localRemote ? "the local repository" : o.remote} already has ${head.slice(0, 12)}` });
  return { commit: head, committed, pushed, summary };
}
