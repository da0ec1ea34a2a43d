// `drover keys rotate … --run`: Drover takes the printed rollout itself — each step's commands in
// order (talosctl with the binary given, in the output folder), node after node, stopping at the
// first failure with the command's own words. Steps that are sentences, not commands, are refused
// before anything runs.
import { UserError } from "../../errors.js";
import { lastLine, runCommand, type CommandResult } from "../upgrade/runner.js";
import type { RolloutStep } from "./types.js";

export interface DriveResult {
  readonly done: readonly string[];
  readonly failed?: { readonly node: string; readonly command: string; readonly error: string };
}

export async function driveRollout(
  steps: readonly RolloutStep[],
  o: { outDir: string; talosctl?: string; run?: (argv: readonly string[], cwd: string) => Promise<CommandResult>; onStep?: (node: string, command: string) => void },
): Promise<DriveResult> {
  const manual = steps.filter((s) => !s.commands?.length);
  if (manual.length) throw new UserError(`the rollout has steps Drover cannot run itself (${manual.map((s) => s.node).join(", ")}): ${manual[0]!.action}`, "run the printed steps by hand");
  const run = o.run ?? ((argv, cwd) => runCommand(argv, 15 * 60_000, cwd));
  const done: string[] = [];
  for (const s of steps) {
    for (const c of s.commands!) {
      const argv = c[0] === "talosctl" && o.talosctl ? [o.talosctl, ...c.slice(1)] : [...c];
      o.onStep?.(s.node, c.join(" "));
      let r: CommandResult;
      try {
        r = await run(argv, o.outDir);
      } catch (e) {
        return { done, failed: { node: s.node, command: c.join(" "), error: `cannot run ${argv[0]}: ${(e as Error).message}` } };
      }
      if (r.code !== 0) return { done, failed: { node: s.node, command: c.join(" "), error: lastLine(r) } };
    }
    done.push(s.node);
  }
  return { done };
}
