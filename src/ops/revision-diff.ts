// `drover diff --against <git ref>`: the lab as it was at a Git revision (lab.yaml, its versions.yaml
// and function scripts, read with `git show`) and as it is now, both rendered in memory, and the
// difference of the two trees — no cluster needed, like flux-local's diff. What a Renovate pull
// request bumping versions.yaml changes in the rendered files, in CI.
//
// Both sides use one set of secrets: the lab's store when the local age key opens it, otherwise
// throwaway ones made in memory (a CI job has no key): files holding secrets are then only listed,
// never shown, and their content is the same on both sides unless the spec changed them.
import { execFileSync } from "node:child_process";
import { dirname, isAbsolute, relative, sep } from "node:path";
import { loadLabText } from "../lab/load.js";
import { loadLab, readVersionsText, type LoadedLab } from "../lab/file.js";
import { InvalidLab, type Finding } from "../spec/diagnostic.js";
import { locate, sortDiagnostics } from "../spec/load.js";
import { VERSIONS_FILE } from "../spec/versions.js";
import { patchTargetFindings } from "../render/apps/index.js";
import { renderLab } from "../render/index.js";
import type { FileTree } from "../render/tree.js";
import { ensureSecrets } from "../secrets/generate.js";
import { tryLocalKey } from "../secrets/keys.js";
import { loadSecrets } from "../secrets/store.js";
import type { LabSecrets } from "../secrets/types.js";
import type { Lab } from "../lab/types.js";
import { unifiedDiff } from "../cluster/unified-diff.js";
import { UserError } from "../errors.js";
import { diffTrees } from "./tree-diff.js";

export interface RevisionDiff {
  /** the revision as given, and the commit it names */
  readonly against: string;
  readonly commit: string;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
  /** path → unified diff (files holding secrets have none) */
  readonly diffs: ReadonlyMap<string, string>;
  /** the files among added/removed/changed that hold secrets: listed, not shown */
  readonly secret: readonly string[];
  /** where the secrets came from */
  readonly secrets: "store" | "throwaway";
}

function git(cwd: string, args: readonly string[]): { ok: true; out: string } | { ok: false; err: string } {
  try {
    return { ok: true, out: execFileSync("git", ["-C", cwd, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 }) };
  } catch (e) {
    const x = e as { stderr?: string; code?: string };
    if (x.code === "ENOENT") throw new UserError("git is not installed", "install git: drover diff --against reads the lab at a revision with git show");
    return { ok: false, err: (x.stderr ?? String(e)).trim().split("\n")[0] ?? "" };
  }
}

/** A revision operand: refused when git could read it as an option. */
function checkRef(ref: string): void {
  if (!ref || ref.startsWith("-") || /[\s\x00-\x1f\x7f]/.test(ref) || ref.includes(":")) {
    throw new UserError(`--against ${JSON.stringify(ref)} is not a revision`, "name a branch, tag or commit, for example --against origin/main or --against HEAD~1");
  }
}

/** The lab at `ref`: its texts from git, loaded and checked as `drover check` would. */
function labAt(dir: string, labFile: string, ref: string): { lab: Lab; commit: string } {
  checkRef(ref);
  const top = git(dir, ["rev-parse", "--show-toplevel"]);
  if (!top.ok) throw new UserError(`${dir} is not in a Git repository`, "drover diff --against compares with a Git revision: run it in the lab's repository");
  const commit = git(dir, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]);
  if (!commit.ok) throw new UserError(`${ref} is not a revision of ${top.out.trim()}`, "name a branch, tag or commit (git log --oneline shows them); fetch it first if it is a remote branch");
  const id = commit.out.trim();
  // paths relative to the repository root, with /, as git show wants them
  const rel = (p: string) => relative(top.out.trim(), p).split(sep).join("/");
  const show = (path: string) => git(dir, ["show", `${id}:${rel(path)}`]);
  const labText = show(labFile);
  if (!labText.ok) throw new UserError(`${rel(labFile)} does not exist at ${ref}`, "name a revision that has the lab");
  const versions = show(`${dir}${sep}${VERSIONS_FILE}`);
  const display = `${ref}:${rel(labFile)}`;
  const r = loadLabText(labText.out, display, {
    ...(versions.ok ? { versions: { text: versions.out, file: `${ref}:${rel(`${dir}${sep}${VERSIONS_FILE}`)}` } } : {}),
    functionSources: (spec) => {
      // a script inside the lab folder (as on disk: lab/file.ts), read at the revision
      const sources = new Map<string, string>();
      const problems: Finding[] = [];
      for (const [i, f] of spec.functions.entries()) {
        const p = `${dir}${sep}${f.file}`;
        const r = relative(dir, p);
        if (r === "" || r.startsWith("..") || isAbsolute(f.file) || isAbsolute(r)) {
          problems.push({ severity: "error", path: ["functions", i, "file"], message: `${f.file} is outside the lab folder` });
          continue;
        }
        const t = show(p);
        if (t.ok) sources.set(f.file, t.out);
        else problems.push({ severity: "error", path: ["functions", i, "file"], message: `${f.file} does not exist at ${ref}` });
      }
      return problems.length ? { diagnostics: problems } : { sources };
    },
  });
  if (!r.spec || !r.lab) throw new InvalidLab(r.diagnostics, display);
  const findings = patchTargetFindings(r.lab);
  if (findings.length) throw new InvalidLab(sortDiagnostics([...r.diagnostics, ...findings.map((f) => locate(r.source, f))]), display);
  return { lab: r.lab, commit: id };
}

/** One set of secrets for both labs: the store's (not saved) when the key opens it, else throwaway. */
async function sharedSecrets(now: LoadedLab, then: Lab, ageKey: string | undefined): Promise<{ secrets: LabSecrets; from: "store" | "throwaway" }> {
  const key = tryLocalKey({ keyFile: ageKey });
  let base: LabSecrets | undefined;
  let from: "store" | "throwaway" = "throwaway";
  if (key) {
    try {
      base = (await loadSecrets(now.lab, now.dir, key)).secrets;
      from = "store";
    } catch {
      base = undefined; // not a recipient, unreadable store: compare with throwaway secrets
    }
  }
  const mine = ensureSecrets(now.lab, base).secrets;
  return { secrets: ensureSecrets(then, mine).secrets, from };
}

export async function revisionDiff(labPath: string | undefined, against: string, opts: { ageKey?: string } = {}): Promise<RevisionDiff> {
  const now = loadLab(labPath);
  const patch = patchTargetFindings(now.lab);
  if (patch.length) throw new InvalidLab(sortDiagnostics([...now.diagnostics, ...patch.map((f) => locate(now.source, f))]), now.display);
  readVersionsText(now.dir); // a versions.yaml that is not a plain file stops here too
  const then = labAt(dirname(now.path), now.path, against);
  const { secrets, from } = await sharedSecrets(now, then.lab, opts.ageKey);
  const before = renderLab(then.lab, secrets);
  const after = renderLab(now.lab, secrets);
  return compareTrees(before, after, against, then.commit, from);
}

export function compareTrees(before: FileTree, after: FileTree, against: string, commit: string, from: "store" | "throwaway"): RevisionDiff {
  const d = diffTrees(before, after);
  const isSecret = (p: string) => !!(before.get(p)?.secret || before.get(p)?.encrypt || after.get(p)?.secret || after.get(p)?.encrypt);
  const diffs = new Map<string, string>();
  const secret: string[] = [];
  for (const p of [...d.added, ...d.removed, ...d.changed].sort()) {
    if (isSecret(p)) {
      secret.push(p);
      continue;
    }
    diffs.set(p, unifiedDiff(before.get(p)?.content ?? "", after.get(p)?.content ?? "", before.has(p) ? `a/${p}` : "/dev/null", after.has(p) ? `b/${p}` : "/dev/null"));
  }
  return { against, commit, added: d.added, removed: d.removed, changed: d.changed, diffs, secret, secrets: from };
}
