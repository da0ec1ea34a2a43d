// Exit codes and user-facing errors. A UserError is printed as one clear message, never a stack trace.
export const EXIT_OK = 0;
export const EXIT_INVALID = 1; // the input (lab.yaml, a secrets file, the cluster's answer) is wrong
export const EXIT_USAGE = 2; // bad command line, or an internal error

export class UserError extends Error {
  constructor(message: string, readonly hint?: string, readonly exitCode: number = EXIT_INVALID) {
    super(message);
    this.name = "UserError";
  }
}
