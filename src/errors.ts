// Exit codes and the errors a user can act on, typed by what went wrong. A UserError is printed as
// one clear message with a hint, never a stack trace; callers test the type, never the message text.
export const EXIT_OK = 0;
export const EXIT_INVALID = 1; // the input (lab.yaml, a secrets file, the cluster's answer) is wrong
export const EXIT_USAGE = 2; // bad command line, or an internal error

export class UserError extends Error {
  constructor(message: string, readonly hint?: string, readonly exitCode: number = EXIT_INVALID) {
    super(message);
    this.name = "UserError";
  }
}

/** What was asked for does not exist: a file, a node, a seat, a kind the API server does not serve. */
export class NotFound extends UserError {
  constructor(message: string, hint?: string, exitCode?: number) {
    super(message, hint, exitCode);
    this.name = "NotFound";
  }
}

/** It exists already, or someone else holds it (a name taken, a lock held, an object changed meanwhile). */
export class Conflict extends UserError {
  constructor(message: string, hint?: string, exitCode?: number) {
    super(message, hint, exitCode);
    this.name = "Conflict";
  }
}

/** Not allowed: the credentials lack the right, or a safety check refuses (quorum, an unmanaged object). */
export class Forbidden extends UserError {
  constructor(message: string, hint?: string, exitCode?: number) {
    super(message, hint, exitCode);
    this.name = "Forbidden";
  }
}

/** The other side could not be reached (connection refused, DNS, TLS, timeout). */
export class Unreachable extends UserError {
  constructor(message: string, hint?: string, exitCode?: number) {
    super(message, hint, exitCode);
    this.name = "Unreachable";
  }
}
