// Exit codes and user-facing errors. A UserError is printed as one clear message, never a stack trace.
export const EXIT_OK = 0;
export const EXIT_INVALID = 1; // the input (lab.yaml, a secrets file, the cluster's answer) is wrong
export const EXIT_USAGE = 2; // bad command line, or an internal error

import type { Diagnostic } from "../spec/diagnostic.js";

/** lab.yaml has errors: printed as positioned diagnostics. (Here, not in lab-file.ts, so that main need not load the spec reader.) */
export class InvalidLab extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[], readonly display: string) {
    super(`${display} is not valid`);
  }
}

export class UserError extends Error {
  constructor(message: string, readonly hint?: string, readonly exitCode: number = EXIT_INVALID) {
    super(message);
    this.name = "UserError";
  }
}
