// The errors and exit codes the commands report: src/errors.ts (typed errors) and spec/diagnostic.ts (InvalidLab).
export { EXIT_OK, EXIT_INVALID, EXIT_USAGE, UserError, NotFound, Conflict, Forbidden, Unreachable } from "../errors.js";
export { InvalidLab } from "../spec/diagnostic.js";
