// main.ts's command table (which modules to load for one command) against the whole program: every
// command is in it, and the modules it names register that command exactly as the whole program does
// (so `drover <command>` loaded on its own has the same options and subcommands as `drover --help`
// shows); every command module is in commands/index.ts. And main() is called many times in a test
// process: one call's exit code never leaks into the next.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Command } from "commander";
import { commands } from "./commands/index.js";
import { COMMAND_MODULES, type CommandModule } from "./main.js";
import { runCli } from "../testing/cli-harness.js";

function program(modules: readonly CommandModule[]): Command {
  const p = new Command("drover");
  const ctx = { output: () => { throw new Error("not run"); }, exit: () => {} };
  for (const m of modules) m.register(p, ctx);
  return p;
}

/** What a user sees of a command: its operands, options and subcommands. */
interface Shape { name: string; args: string[]; options: string[]; commands: Shape[] }
const shape = (c: Command): Shape => ({
  name: c.name(),
  args: c.registeredArguments.map((a) => a.name()),
  options: c.options.map((o) => o.flags).sort(),
  commands: c.commands.map(shape).sort((a, b) => a.name.localeCompare(b.name)),
});

test("every command is in main.ts's table, and the modules it names register it as the whole program does", async () => {
  const whole = program(commands);
  const names = whole.commands.map((c) => c.name()).sort();
  assert.deepEqual(Object.keys(COMMAND_MODULES).sort(), names, "main.ts COMMAND_MODULES names every command");
  for (const name of names) {
    const alone = program(await COMMAND_MODULES[name]!());
    const c = alone.commands.find((x) => x.name() === name);
    assert.ok(c, `${name}: the modules main.ts names for it do not register it`);
    assert.deepEqual(shape(c), shape(whole.commands.find((x) => x.name() === name)!), `${name}: loaded on its own it differs from the whole program`);
  }
});

test("every module of cli/commands that registers a command is listed in commands/index.ts", async () => {
  const dir = join(dirname(fileURLToPath(import.meta.url)), "commands");
  const modules = readdirSync(dir).filter((f) => f.endsWith(".js") && !f.endsWith(".test.js") && f !== "index.js");
  assert.ok(modules.length >= 15);
  for (const f of modules) {
    const m = (await import(pathToFileURL(join(dir, f)).href)) as Partial<CommandModule>;
    if (typeof m.register === "function") assert.ok(commands.includes(m as CommandModule), `commands/${f} registers a command but commands/index.ts does not list it`);
  }
});

test("one call's exit code is its own: a stale process.exitCode is neither returned nor set", async () => {
  process.exitCode = 7;
  try {
    assert.equal((await runCli(["schema"])).code, 0);
  } finally {
    process.exitCode = undefined;
  }
  const missing = await runCli(["render", "/nonexistent/lab.yaml"]);
  assert.equal(missing.code, 1, missing.err);
  assert.equal(process.exitCode, undefined);
  assert.equal((await runCli(["catalog", "--json"])).code, 0);
  // a name Object.prototype has is an unknown command, not a table entry
  assert.equal((await runCli(["constructor"])).code, 2);
  assert.equal((await runCli(["toString"])).code, 2);
});
