// A throwaway age key for tests, made by the real age-keygen, and a runner for the real sops.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { tool } from "./paths.js";

export interface TestKey {
  readonly dir: string;
  readonly file: string;
  readonly identity: string;
  readonly recipient: string;
}

export function tempDir(prefix = "drover-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function ageKeygen(dir = tempDir()): TestKey {
  const file = join(dir, "keys.txt");
  const r = spawnSync(tool("age-keygen"), ["-o", file], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`age-keygen failed: ${r.stderr}`);
  const text = readFileSync(file, "utf8");
  return { dir, file, identity: /^AGE-SECRET-KEY-1\S+$/m.exec(text)![0], recipient: /public key: (age1\S+)/.exec(text)![1]! };
}

/** Runs the real sops with SOPS_AGE_KEY_FILE set and nothing else of the user's age setup. */
export function sops(args: readonly string[], keyFile: string, input?: string): { status: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: tempDir("drover-sops-home-"), SOPS_AGE_KEY_FILE: keyFile };
  const r = spawnSync(tool("sops"), args, { encoding: "utf8", env, ...(input !== undefined ? { input } : {}) });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
