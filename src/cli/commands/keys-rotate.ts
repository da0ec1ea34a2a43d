// drover keys rotate <what>: replaces one kind of secret material in the store, re-renders, and prints
// how to roll it out (src/ops/rotate/).
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import type { Context } from "../context.js";
import { bold, dim, green } from "../output.js";
import { render, renderDeps } from "./render.js";
import { rotationNamed, rotations } from "../../ops/rotate/rotations.js";
import { runRotation } from "../../ops/rotate/run.js";

export function register(program: Command, ctx: Context): void {
  const keys = program.commands.find((c) => c.name() === "keys") ?? program.command("keys").description("manage the lab's keys");
  keys
    .command("rotate")
    .description(`rotate secret material and re-render:\n${rotations.map((r) => `  ${r.name.padEnd(11)} ${r.description}`).join("\n")}`)
    .argument("<what>", rotations.map((r) => r.name).join(" | "))
    .option("--lab <file>", "path to lab.yaml (or its folder)", "lab.yaml")
    .option("-o, --out <dir>", "output folder of the render (default: out/ next to lab.yaml)")
    .option("--age-key <file>", "age key file (default: DROVER_AGE_KEY_FILE, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY, ~/.config/sops/age/keys.txt)")
    .option("--json", "machine-readable output on stdout")
    .action(async (what: string, o: { lab?: string; out?: string; ageKey?: string }) => {
      const out = ctx.output();
      const rotation = rotationNamed(what);
      if (!rotation) throw new InvalidArgumentError(`cannot rotate ${what}; choose one of ${rotations.map((r) => r.name).join(", ")}`);
      const r = await runRotation(rotation, {
        ...(o.lab ? { labPath: o.lab } : {}), ...(o.out ? { out: o.out } : {}), ...(o.ageKey ? { ageKey: o.ageKey } : {}),
        generators: renderDeps.generators,
        rerender: (p) => render(p, { ...(o.out ? { out: o.out } : {}), ...(o.ageKey ? { ageKey: o.ageKey } : {}) }),
      });
      if (out.json) {
        out.out(JSON.stringify(r, null, 2));
        return;
      }
      out.out(`${green(out, "✓")} rotated ${bold(out, what)} in ${r.store}${r.phase ? ` — ${r.phase}` : ""}`);
      for (const c of r.changed) out.out(`  ${c}`);
      out.out(dim(out, "  re-rendered"));
      if (r.steps.length) {
        out.out(bold(out, "\nroll it out:"));
        r.steps.forEach((s, i) => {
          out.out(`  ${i + 1}. ${s.title}`);
          for (const c of s.commands) out.out(`       ${c}`);
        });
      }
    });
}
