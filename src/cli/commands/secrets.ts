// drover secrets set <name> [lab]: stores a credential only the user has (a DNS API token, the S3 keys
// of a backup target, …) encrypted in the lab's secrets store. The value comes from stdin or a prompt
// that does not echo — never from the command line, where it would stay in the shell's history.
import type { Command } from "commander";
import { existsSync } from "node:fs";
import type { Context } from "../context.js";
import { bold, dim, green, yellow } from "../output.js";
import { UserError } from "../errors.js";
import { LAB_HELP } from "../lab-argument.js";

interface SetFlags { ageKey?: string }

/** Reads all of stdin (a pipe or a file); one trailing newline is dropped, as `echo` and editors add one. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
}

/** Asks on the terminal without echoing what is typed. */
function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let value = "";
    const done = (): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off("data", onData);
      process.stderr.write("\n");
    };
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") {
          done();
          resolve(value);
          return;
        }
        if (ch === "\u0003" || ch === "\u0004") {
          done();
          reject(new UserError("cancelled: nothing stored"));
          return;
        }
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.setRawMode(true);
    stdin.setEncoding("utf8");
    stdin.on("data", onData);
    stdin.resume();
  });
}

export function register(program: Command, ctx: Context): void {
  const secrets = program.command("secrets").description("credentials only you have (DNS API tokens, S3 keys), kept encrypted in the lab's secrets store");
  secrets
    .command("set")
    .description("store a credential the lab needs (drover check lists them); the value is read from stdin or a prompt, never from the command line")
    .argument("<name>", "the credential's name, e.g. cloudflare-api-token")
    .argument("[lab]", LAB_HELP, "lab.yaml")
    .option("--age-key <file>", "age key file (default: DROVER_AGE_KEY_FILE, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY, ~/.config/sops/age/keys.txt)")
    .action(async (name: string, labPath: string, f: SetFlags) => {
      const o = ctx.output();
      const [{ EXTERNAL_NAME, externalValueProblem, setExternalSecret }, { loadLab }, { findLocalKey }, { loadSecrets }, { labNeeds }] = await Promise.all([
        import("../../secrets/external.js"), import("../../lab/file.js"), import("../../secrets/keys.js"), import("../../secrets/store.js"), import("../../render/needs.js"),
      ]);
      if (!EXTERNAL_NAME.test(name)) throw new UserError(`${name} is not a credential name`, "use lower-case letters, digits, '.', '_' and '-', as drover check lists them (e.g. cloudflare-api-token)");
      if (labPath !== "lab.yaml" && !existsSync(labPath)) {
        throw new UserError(`${labPath}: no such lab file or folder`, "drover secrets set never takes the value on the command line (it would stay in your shell history): pipe it in (drover secrets set NAME < file) or type it at the prompt");
      }
      const loaded = loadLab(labPath);
      const key = findLocalKey({ keyFile: f.ageKey });
      const value = process.stdin.isTTY ? await promptHidden(`${name}: `) : await readStdin();
      const problem = externalValueProblem(value);
      if (problem) throw new UserError(`${name}: ${problem}; nothing stored`, "pipe the value in (drover secrets set NAME < file) or type it at the prompt");
      const store = await loadSecrets(loaded.lab, loaded.dir, key);
      const asked = new Set(labNeeds(loaded.lab, store.secrets).filter((n) => n.kind === "credential").map((n) => n.name));
      const change = setExternalSecret(store.secrets, name, value);
      const saved = store.save();
      const stillMissing = labNeeds(loaded.lab, store.secrets).filter((n) => n.kind === "credential").map((n) => n.name);
      if (o.json) {
        o.out(JSON.stringify({ name, change, store: store.display, saved: saved.length > 0, asked: asked.has(name) || change === "unchanged", stillMissing }, null, 2));
        return;
      }
      const lines = [`${green(o, "✓")} ${change === "unchanged" ? "unchanged" : change === "added" ? "stored" : "replaced"} ${bold(o, name)} in ${bold(o, store.display)} (encrypted); run drover render to use it`];
      if (!asked.has(name) && change !== "unchanged") lines.push(yellow(o, `  the lab does not ask for ${name} (yet)${stillMissing.length ? `; it asks for: ${stillMissing.join(", ")}` : ""}`));
      else if (stillMissing.length) lines.push(dim(o, `  still missing: ${stillMissing.join(", ")}`));
      o.out(lines.join("\n"));
    });
}
