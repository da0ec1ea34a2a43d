import type { Command } from "commander";
import type { Context } from "../context.js";
import { labJsonSchema } from "../../spec/json-schema.js";

export function register(program: Command, ctx: Context): void {
  program
    .command("schema")
    .description("print the JSON Schema of lab.yaml (for editor completion and checking)")
    .action(() => {
      ctx.output().out(JSON.stringify(labJsonSchema(), null, 2));
    });
}
