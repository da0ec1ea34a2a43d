// The drover command. Exit codes: 0 ok, 1 invalid input, 2 usage or internal error.
import { Command, CommanderError } from "commander";
import { makeOutput, printDiagnostics, red } from "./output.js";
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, InvalidLab, UserError } from "./errors.js";
import type { Context } from "./context.js";
import { allCommands, labConvention } from "./lab-argument.js";

/** `stream` (tests): where output goes instead of process.stdout/stderr. */
export async function main(argv: readonly string[], stream?: Parameters<typeof makeOutput>[1]): Promise<number> {
  const program = new Command("drover");
  let json = argv.includes("--json");
  let exitCode: number = EXIT_OK;
  const ctx: Context = { output: () => makeOutput(json, stream), exit: (code) => { exitCode = code; } };
  program
    .description("Run a home lab the way clouds run theirs: one typed lab.yaml, rendered, checked and operated.")
    .option("--json", "machine-readable output on stdout")
    .version(VERSION, "-V, --version")
    .showHelpAfterError("(run drover --help for usage)")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) })
    .addHelpText("after", "\nExit codes: 0 ok, 1 invalid input (lab.yaml, secrets, cluster state), 2 usage or internal error.");
  program.hook("preAction", (cmd) => { json = !!cmd.optsWithGlobals().json; });
  for (const c of await commandsFor(argv)) c.register(program, ctx);
  program.commands.forEach((c) => c.exitOverride().option("--json", "machine-readable output on stdout"));
  for (const c of allCommands(program)) labConvention(c);
  try {
    await program.parseAsync(argv as string[], { from: "user" });
    return exitCode;
  } catch (e) {
    const o = makeOutput(json, stream);
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return EXIT_OK;
      return EXIT_USAGE;
    }
    if (e instanceof InvalidLab) {
      if (json) o.out(JSON.stringify({ valid: false, file: e.display, diagnostics: e.diagnostics }, null, 2));
      else {
        printDiagnostics(o, e.diagnostics);
        const n = e.diagnostics.filter((d) => d.severity === "error").length;
        o.err(red(o, `✗ ${e.display}: ${n} error${n === 1 ? "" : "s"}`));
      }
      return EXIT_INVALID;
    }
    if (e instanceof UserError) {
      if (json) o.out(JSON.stringify({ error: e.message, hint: e.hint }, null, 2));
      else o.err(`${red(o, "error")}: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ""}`);
      return e.exitCode;
    }
    o.err(`${red(o, "internal error")}: ${(e as Error)?.stack ?? String(e)}\nThis is a bug in drover; please report it with the command you ran.`);
    return EXIT_USAGE;
  }
}

export const VERSION = "0.1.0";

export type CommandModule = { register(program: Command, ctx: Context): void };

/**
 * The command modules to load: only the one asked for when it is a plain command with its own
 * small module (starting `drover check` does not load the renderer, the dashboard or the cluster
 * client); every command for help, unknown commands and the rest.
 */
async function commandsFor(argv: readonly string[]): Promise<readonly CommandModule[]> {
  const name = argv.find((a) => !a.startsWith("-"));
  const wantsHelp = argv.includes("--help") || argv.includes("-h");
  const one = name !== undefined && !wantsHelp && Object.hasOwn(COMMAND_MODULES, name) ? COMMAND_MODULES[name] : undefined;
  return one ? one() : allCommandModules();
}

const allCommandModules = async (): Promise<readonly CommandModule[]> => (await import("./commands/index.js")).commands;

/**
 * Each top-level command's own modules (commands/index.ts lists them all, for help). Every command
 * is here: cli/commands.test.ts fails when one is missing or when its modules register it differently
 * from the whole program.
 */
export const COMMAND_MODULES: Readonly<Record<string, () => Promise<readonly CommandModule[]>>> = {
  // check's summary sections register themselves from their own modules
  check: async () => [(await Promise.all([import("./commands/check.js"), import("./commands/check-sections.js")]))[0]],
  init: async () => [await import("./commands/init.js")],
  schema: async () => [await import("./commands/schema.js")],
  render: async () => [await import("./commands/render.js")],
  keys: async () => [await import("./commands/keys.js")],
  "what-if": async () => [await import("./commands/what-if.js")],
  ui: async () => [await import("./commands/ui.js")],
  apply: async () => [await import("./commands/apply.js")],
  diff: async () => [await import("./commands/diff.js")],
  status: async () => [await import("./commands/status.js")],
  node: async () => [await import("./commands/node.js")],
  seat: async () => [await import("./commands/seat.js")],
  secrets: async () => [await import("./commands/secrets.js")],
  catalog: async () => [await import("./commands/catalog.js")],
  backup: async () => [await import("./commands/backup.js")],
  restore: async () => [await import("./commands/backup.js")],
  upgrade: async () => [await import("./commands/upgrade.js")],
  up: async () => [await import("./commands/up.js")],
  "serve-git": async () => [await import("./commands/up.js")],
  ca: async () => [await import("./commands/ca.js")],
  // completion writes its scripts from the whole command tree
  completion: allCommandModules,
};
