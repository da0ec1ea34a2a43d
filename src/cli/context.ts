import type { Output } from "./output.js";

/** What every command gets: its output (JSON or text) decided from the global flags, and its exit code. */
export interface Context {
  output(): Output;
  /**
   * The exit code main() returns once the command is done (a command that ran but found drift,
   * failures or an interruption). Not process.exitCode: main() is called more than once in a process
   * (tests), and one call's code must not leak into the next.
   */
  exit(code: number): void;
}
