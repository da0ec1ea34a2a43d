// One way to name the lab on the command line, for every command that reads one: its last operand
// `[lab]` (lab.yaml or its folder), else $DROVER_LAB, else ./lab.yaml. The older spellings still work,
// hidden from help: `--lab <file>` (node) and `-f, --file <lab>` (seat). Output folders are `-o, --out <dir>`
// everywhere. Kept by cli/lab-argument.test.ts, which walks every command.
import { Option, type Command } from "commander";

export const LAB_ENV = "DROVER_LAB";
export const LAB_HELP = `path to lab.yaml or its folder (default: $${LAB_ENV}, else ./lab.yaml)`;

/** Every command of the program, subcommands included. */
export function allCommands(c: Command): Command[] {
  return c.commands.flatMap((s) => [s, ...allCommands(s)]);
}

/** Gives a command with a `[lab]` operand the hidden `--lab` alias and the $DROVER_LAB default. */
export function labConvention(cmd: Command): void {
  const i = cmd.registeredArguments.findIndex((a) => a.name() === "lab");
  if (i < 0) return;
  if (!cmd.options.some((o) => o.long === "--lab")) cmd.addOption(new Option("--lab <file>", "the lab (the [lab] operand's older spelling)").hideHelp());
  cmd.hook("preAction", (_program, action) => {
    if (action !== cmd || action.args.length > i) return; // given as the operand
    const o = action.opts() as { lab?: string; file?: string };
    const lab = o.lab ?? o.file ?? (process.env[LAB_ENV] || undefined);
    if (lab !== undefined) action.processedArgs[i] = lab;
  });
}
