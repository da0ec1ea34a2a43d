// One command-line convention for the lab file and the output folder, kept by walking every command.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { commands } from "./commands/index.js";
import { allCommands, labConvention, LAB_ENV } from "./lab-argument.js";
import { runCli } from "../testing/cli-harness.js";
import { tempDir } from "../testing/age-key.js";
import { EXAMPLES } from "../testing/paths.js";

function program(): Command {
  const p = new Command("drover");
  const ctx = { output: () => { throw new Error("not run"); } };
  for (const c of commands) c.register(p, ctx as never);
  for (const c of allCommands(p)) labConvention(c);
  return p;
}

const fullName = (c: Command): string => (c.parent && c.parent.name() !== "drover" ? `${fullName(c.parent)} ${c.name()}` : c.name());
const isVisible = (c: Command, flags: string) => c.createHelp().visibleOptions(c).some((o) => o.flags === flags);

/** The commands that read a lab: each must name it the same way. */
const READS_LAB = ["check", "render", "what-if", "ui", "apply", "diff", "status", "keys rotate", "node add", "node remove", "seat add", "seat show", "seat remove", "secrets set", "upgrade", "backup status", "restore", "up", "serve-git", "ca export"];

test("every command that reads a lab takes it as its last operand [lab], with $DROVER_LAB and a hidden --lab", () => {
  const all = allCommands(program()).filter((c) => c.commands.length === 0);
  const withLab = all.filter((c) => c.registeredArguments.some((a) => a.name() === "lab")).map(fullName).sort();
  assert.deepEqual(withLab, [...READS_LAB].sort());
  for (const c of all) {
    const name = fullName(c);
    const args = c.registeredArguments;
    const i = args.findIndex((a) => a.name() === "lab");
    for (const o of c.options) {
      // no other spelling of the lab is offered in help
      if (/lab\.yaml|\blab\b/.test(o.description) && !/^-o, --out/.test(o.flags)) assert.ok(!isVisible(c, o.flags) || !/<(file|lab)>/.test(o.flags), `${name}: ${o.flags} names the lab; use the [lab] operand`);
      // one spelling of the output folder
      if (/output folder/.test(o.description)) assert.equal(o.flags, "-o, --out <dir>", `${name}: ${o.flags}`);
    }
    if (i < 0) continue;
    assert.equal(i, args.length - 1, `${name}: [lab] is the last operand`);
    assert.equal(args[i]!.required, false, `${name}: [lab] is optional`);
    assert.match(args[i]!.description, new RegExp(`\\$${LAB_ENV}`), `${name}: the help names $${LAB_ENV}`);
    assert.ok(c.options.some((o) => o.long === "--lab" && o.hidden), `${name}: --lab is a hidden alias`);
  }
});

test("the lab comes from the operand, else --lab (or seat's -f), else $DROVER_LAB, else ./lab.yaml", async () => {
  const dir = tempDir();
  mkdirSync(join(dir, "a"));
  copyFileSync(join(EXAMPLES, "starter", "lab.yaml"), join(dir, "a", "lab.yaml"));
  const before = process.env[LAB_ENV];
  const cwd = process.cwd();
  try {
    process.chdir(dir);
    delete process.env[LAB_ENV];
    const none = await runCli(["check"]);
    assert.equal(none.code, 1);
    assert.match(none.err, /lab\.yaml: no such file/);
    process.env[LAB_ENV] = join(dir, "a");
    const env = await runCli(["check", "--json"]);
    assert.equal(env.code, 0, env.err);
    assert.match(JSON.parse(env.out).file, /a\/lab\.yaml$/);
    delete process.env[LAB_ENV];
    const alias = await runCli(["check", "--lab", "a", "--json"]);
    assert.equal(alias.code, 0, alias.err);
    const operand = await runCli(["check", "a/lab.yaml", "--json"]);
    assert.equal(operand.code, 0, operand.err);
    // the operand wins over the environment
    process.env[LAB_ENV] = join(dir, "nowhere");
    assert.equal((await runCli(["check", "a"])).code, 0);
    // seat's old -f spelling still reaches the lab (a seat it does not have is reported from that lab)
    const seat = await runCli(["seat", "show", "nobody", "-f", "a"]);
    assert.match(seat.err, /a\/lab\.yaml: network\.seats: there is no seat named nobody/);
  } finally {
    process.chdir(cwd);
    if (before === undefined) delete process.env[LAB_ENV];
    else process.env[LAB_ENV] = before;
  }
});

test("an option is spelled one way on every command: one set of flags per option (long name and value), -o is --out and --out is -o", () => {
  const spellings = new Map<string, Map<string, string[]>>();
  const walked: string[] = [];
  for (const c of allCommands(program())) {
    walked.push(fullName(c));
    for (const o of c.options) {
      if (o.hidden || !o.long) continue;
      // --out <dir> (a folder) and --out <file> (one file) are two options, each spelled one way
      const key = `${o.long} ${/<(\w+)>/.exec(o.flags)?.[1] ?? ""}`.trim();
      const byFlags = spellings.get(key) ?? new Map<string, string[]>();
      byFlags.set(o.flags, [...(byFlags.get(o.flags) ?? []), fullName(c)]);
      spellings.set(key, byFlags);
      if (o.short === "-o" || o.long === "--out") assert.match(o.flags, /^-o, --out <(dir|file)>$/, `${fullName(c)}: ${o.flags}`);
    }
  }
  // the commands added since the convention was set are walked too
  for (const name of ["up", "upgrade", "backup status", "restore", "diff", "ca export", "secrets set", "completion", "catalog"]) assert.ok(walked.includes(name), `${name} is walked`);
  for (const [long, byFlags] of spellings) {
    assert.equal(byFlags.size, 1, `${long} is spelled ${[...byFlags].map(([f, cs]) => `"${f}" (${cs.join(", ")})`).join(" and ")}`);
  }
  for (const key of ["--kubeconfig file", "--age-key file", "--out dir"]) assert.ok(spellings.has(key), `${key} is an option somewhere`);
});
