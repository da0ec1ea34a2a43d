// Running the drover CLI in-process for tests: a fresh HOME and an age key of the test's own
// (SOPS_AGE_KEY_FILE, nothing inherited from the developer's environment), and main() with its
// output captured.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { Writable } from "node:stream";
import { main } from "../cli/main.js";
import { ageKeygen, tempDir, type TestKey } from "./age-key.js";

/** A new age key as the only key drover can find; HOME is a fresh temp folder. */
export function isolatedAgeKey(): TestKey {
  const key = ageKeygen();
  process.env.HOME = tempDir();
  delete process.env.XDG_CONFIG_HOME;
  delete process.env.DROVER_AGE_KEY_FILE;
  delete process.env.SOPS_AGE_KEY;
  process.env.SOPS_AGE_KEY_FILE = key.file;
  return key;
}

/** drover <args> in this process: exit code and what it wrote. */
export async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const sink = (f: (s: string) => void) => new Writable({ write: (c, _e, cb) => (f(String(c)), cb()) });
  const code = await main(args, { out: sink((s) => (out += s)), err: sink((s) => (err += s)) });
  return { code, out, err };
}

/** Every file below dir (relative path → text), in sorted order: to compare two renders or outputs. */
export function readFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p, "utf8"));
    }
  };
  walk(dir);
  return out;
}
