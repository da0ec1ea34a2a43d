// How `drover up` runs the external programs it drives (talosctl, ssh, ssh-keyscan, git): one small
// interface, so the phases can be tested with a recorded runner and the exact argument lists can be
// checked against the real binaries. Arguments are passed as a list, never through a shell.
import { spawn } from "node:child_process";

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** kill the program after this long (default 60 s); the result then has code 124 */
  readonly timeoutMs?: number;
  readonly input?: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

export interface Runner {
  run(program: string, args: readonly string[], opts?: RunOptions): Promise<RunResult>;
}

/** The real runner: spawns the program (no shell), collects its output. */
export const processRunner: Runner = {
  run(program, args, opts = {}) {
    return new Promise((resolve) => {
      const p = spawn(program, [...args], { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ["pipe", "pipe", "pipe"] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timedOut = false;
      const timer = setTimeout(() => { timedOut = true; p.kill("SIGKILL"); }, opts.timeoutMs ?? 60_000);
      p.stdout.on("data", (b: Buffer) => out.push(b));
      p.stderr.on("data", (b: Buffer) => err.push(b));
      p.on("error", (e) => {
        clearTimeout(timer);
        resolve({ code: 127, stdout: "", stderr: `${program}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "not found" : e.message}` });
      });
      p.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code: timedOut ? 124 : (code ?? 1), stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") + (timedOut ? `\n${program}: timed out` : "") });
      });
      p.stdin.on("error", () => { /* the program did not read its input */ });
      p.stdin.end(opts.input ?? "");
    });
  },
};

/** The first line of a failed run's error output, for messages. */
export function failure(r: RunResult): string {
  const text = (r.stderr.trim() || r.stdout.trim() || `exit code ${r.code}`).split("\n").filter((l) => l.trim()).slice(-3).join(" / ");
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}
