import type { LabSpec } from "../schema.js";
import type { Finding } from "../diagnostic.js";

/** A cross-field check over a structurally valid spec. Each rule is a named pure function. */
export type Rule = (spec: LabSpec) => Iterable<Finding>;

export const error = (path: Finding["path"], message: string, hint?: string): Finding => ({ severity: "error", path, message, ...(hint ? { hint } : {}) });
export const warning = (path: Finding["path"], message: string, hint?: string): Finding => ({ severity: "warning", path, message, ...(hint ? { hint } : {}) });
