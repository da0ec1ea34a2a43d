// drover completion: scripts generated from the command tree. The bash one passes shellcheck and, run
// by the real bash, completes commands, subcommands and options exactly as the CLI registers them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../../testing/cli-harness.js";
import { tempDir } from "../../testing/age-key.js";
import { debianTool } from "../../testing/paths.js";

test("bash: shellcheck-clean; completes commands, subcommands and options from the tree", async () => {
  const r = await runCli(["completion", "bash"]);
  assert.equal(r.code, 0, r.err);
  const dir = tempDir();
  const file = join(dir, "drover.bash");
  writeFileSync(file, r.out + "\n");
  const sc = spawnSync(debianTool("shellcheck"), ["-s", "bash", file], { encoding: "utf8" });
  assert.equal(sc.status, 0, sc.stdout);
  const complete = (...words: string[]) => {
    const script = `source ${JSON.stringify(file)}; COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(" ")}); COMP_CWORD=${words.length - 1}; _drover; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const b = spawnSync("bash", ["-c", script], { encoding: "utf8", cwd: dir });
    assert.equal(b.status, 0, b.stderr);
    return b.stdout.split("\n").filter(Boolean);
  };
  const top = complete("drover", "");
  for (const c of ["check", "render", "diff", "seat", "completion"]) assert.ok(top.includes(c), `${c} in ${top.join(" ")}`);
  assert.deepEqual(complete("drover", "se"), ["seat", "secrets", "serve-git"]);
  assert.ok(complete("drover", "seat", "").includes("remove"));
  assert.deepEqual(complete("drover", "diff", "--aga"), ["--against"]);
  assert.deepEqual(complete("drover", "seat", "add", "--ow"), ["--owner"]);
  assert.ok(complete("drover", "render", "").includes("drover.bash"), "operands complete file names");
});

test("zsh and fish scripts; an unknown shell is a usage error", async () => {
  const z = await runCli(["completion", "zsh"]);
  assert.match(z.out, /^#compdef drover/);
  const f = await runCli(["completion", "fish"]);
  assert.match(f.out, /complete -c drover -n '__fish_use_subcommand' -a render -d '/);
  assert.match(f.out, /complete -c drover -n '__fish_seen_subcommand_from diff' -l against -d '/);
  const bad = await runCli(["completion", "powershell"]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /no completion for the shell "powershell"/);
});
