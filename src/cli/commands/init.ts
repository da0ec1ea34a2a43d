// drover init [dir]: write a commented starter lab.yaml (or copy a bundled example) and the JSON
// Schema beside it for editor completion. Asks questions on a terminal; flags otherwise. Never
// overwrites a file without --force; every file is written atomically.
import type { Command } from "commander";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline/promises";
import type { Context } from "../context.js";
import { UserError, EXIT_USAGE } from "../errors.js";
import { bold, green } from "../output.js";
import { loadLabText } from "../../lab/load.js";
import { labJsonSchema } from "../../spec/json-schema.js";
import { STARTER_DEFAULTS, starterLabYaml, type StarterAnswers } from "../../init/starter.js";
import { writeFileAtomic } from "../../fs/atomic-write.js";
import { labGitignore } from "../../init/gitignore.js";
import { parseCidr } from "../../net/ip.js";
import { DISTRIBUTION_NAMES } from "../../distributions/index.js";

const EXAMPLES_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "examples");

export function exampleNames(): string[] {
  if (!existsSync(EXAMPLES_DIR)) return [];
  return readdirSync(EXAMPLES_DIR).filter((n) => existsSync(join(EXAMPLES_DIR, n, "lab.yaml"))).sort();
}

interface InitOptions { example?: string; force?: boolean; name?: string; distribution?: string; lan?: string; address?: string; arch?: string; domain?: string; yes?: boolean }

/** Files of an example: lab.yaml plus any scripts beside it (functions/), as relative path → text. */
function exampleFilesOf(name: string): Map<string, string> {
  const root = join(EXAMPLES_DIR, name);
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const f of readdirSync(dir).sort()) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(root, p), readFileSync(p, "utf8"));
    }
  };
  walk(root);
  const lab = out.get("lab.yaml")!;
  out.set("lab.yaml", lab.replace(/^# yaml-language-server: \$schema=\S+/m, "# yaml-language-server: $schema=./lab.schema.json"));
  return out;
}

async function ask(o: InitOptions): Promise<StarterAnswers> {
  // lines are read as they come (answers typed ahead are kept); the terminal echoes them
  const rl = createInterface({ input: process.stdin, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  try {
    const q = async (question: string, def: string) => {
      process.stderr.write(`${question} [${def}]: `);
      const next = await lines.next();
      if (next.done) throw new UserError("drover init was cancelled; nothing was written", "answer the questions, or pass --yes (and flags) to take the defaults", EXIT_USAGE);
      return String(next.value).trim() || def;
    };
    const name = o.name ?? (await q("Cluster name", STARTER_DEFAULTS.name));
    const distribution = o.distribution ?? (await q(`Distribution (${DISTRIBUTION_NAMES.join(" or ")})`, STARTER_DEFAULTS.distribution));
    const lan = o.lan ?? (await q("Home LAN (CIDR)", STARTER_DEFAULTS.lan));
    const arch = o.arch ?? (await q("First machine's architecture (amd64 or arm64)", STARTER_DEFAULTS.arch));
    const domain = o.domain ?? (await q("Private domain for services", STARTER_DEFAULTS.domain));
    return { name, distribution: distribution as StarterAnswers["distribution"], lan, arch: arch as StarterAnswers["arch"], domain, ...(o.address ? { address: o.address } : {}) };
  } finally {
    rl.close();
  }
}

export function register(program: Command, ctx: Context): void {
  program
    .command("init")
    .description("write a commented starter lab.yaml (asks questions on a terminal), or copy a bundled example")
    .argument("[dir]", "folder to write lab.yaml into", ".")
    .option("--example <name>", "copy a bundled example instead of the starter (see --example list)")
    .option("--name <name>", "cluster name", undefined)
    .option(`--distribution <${DISTRIBUTION_NAMES.join("|")}>`, "Kubernetes distribution")
    .option("--lan <cidr>", "home LAN, e.g. 192.168.1.0/24")
    .option("--address <ip>", "the first node's address (default: .20 of the LAN)")
    .option("--arch <amd64|arm64>", "the first machine's architecture")
    .option("--domain <name>", "private domain for services")
    .option("-y, --yes", "do not ask; take defaults for what no flag gives")
    .option("--force", "overwrite existing files")
    .addHelpText("after", "\nExit codes: 0 written, 1 a file exists (use --force) or an answer is invalid, 2 usage error.")
    .action(async (dir: string, o: InitOptions) => {
      const out = ctx.output();
      const target = resolve(dir);
      const display = (p: string) => relative(process.cwd(), p) || p;
      if (existsSync(target) && !statSync(target).isDirectory()) throw new UserError(`${display(target)} is a file, not a folder`, "name the folder to write lab.yaml into", EXIT_USAGE);
      let files: Map<string, string>;
      if (o.example !== undefined) {
        const names = exampleNames();
        if (o.example === "list") {
          out.out(out.json ? JSON.stringify({ examples: names }) : names.join("\n"));
          return;
        }
        if (!names.includes(o.example)) throw new UserError(`no example named ${o.example}`, `the examples are: ${names.join(", ")}`, EXIT_USAGE);
        files = exampleFilesOf(o.example);
      } else {
        const interactive = !o.yes && !out.json && !!process.stdin.isTTY && !!process.stderr.isTTY;
        const answers: StarterAnswers = interactive
          ? await ask(o)
          : {
              name: o.name ?? STARTER_DEFAULTS.name,
              distribution: (o.distribution ?? STARTER_DEFAULTS.distribution) as StarterAnswers["distribution"],
              lan: o.lan ?? STARTER_DEFAULTS.lan,
              arch: (o.arch ?? STARTER_DEFAULTS.arch) as StarterAnswers["arch"],
              domain: o.domain ?? STARTER_DEFAULTS.domain,
              ...(o.address ? { address: o.address } : {}),
            };
        const lan = parseCidr(answers.lan);
        if ("error" in lan) throw new UserError(`--lan ${answers.lan}: ${lan.error}`, lan.hint ?? "give the home LAN as a network address with prefix length, e.g. 192.168.1.0/24");
        const text = starterLabYaml(answers);
        const check = loadLabText(text, "lab.yaml");
        if (!check.spec) {
          const first = check.diagnostics.find((d) => d.severity === "error")!;
          throw new UserError(`the answers do not make a valid lab: ${first.path}: ${first.message}${first.path.startsWith("cluster.name") ? ` (--name ${answers.name})` : ""}`, `${first.hint ? first.hint + "; " : ""}check --name, --distribution, --lan, --address, --arch and --domain`);
        }
        files = new Map([["lab.yaml", text]]);
      }
      files.set("lab.schema.json", JSON.stringify(labJsonSchema(), null, 2) + "\n");
      const existing = [...files.keys()].filter((f) => existsSync(join(target, f)));
      if (existing.length && !o.force) {
        throw new UserError(`${existing.map((f) => display(join(target, f))).join(", ")} already exist${existing.length === 1 ? "s" : ""}; nothing was written`, "pass --force to overwrite, or choose another folder: drover init <dir>");
      }
      for (const [f, text] of files) writeFileAtomic(join(target, f), text, { overwrite: !!o.force });
      // keep the age key and the rendered secrets out of Git: a .gitignore, or our lines added to the one there
      const ignoreFile = join(target, ".gitignore");
      const ignore = labGitignore(existsSync(ignoreFile) ? readFileSync(ignoreFile, "utf8") : undefined);
      if (ignore !== undefined) {
        writeFileAtomic(ignoreFile, ignore);
        files.set(".gitignore", ignore);
      }
      const lab = display(join(target, "lab.yaml"));
      if (out.json) out.out(JSON.stringify({ written: [...files.keys()].map((f) => display(join(target, f))), example: o.example ?? null }, null, 2));
      else out.out(`${green(out, "✓")} wrote ${bold(out, lab)}${o.example ? ` (example ${o.example})` : ""}, its JSON Schema${ignore !== undefined ? " and a .gitignore for the keys and rendered secrets" : ""}\n  next: edit it, then run ${bold(out, `drover check ${lab}`)}`);
    });
}


