// A check that needs derived facts reads the resolved Lab, and points back into lab.yaml by the
// spec path of what it reports (the loader places it at file:line:column).
import type { Lab } from "../types.js";
import type { Finding } from "../../spec/diagnostic.js";

export type LabRule = (lab: Lab) => Iterable<Finding>;

export { error, warning } from "../../spec/rules/rule.js";

/** The index of an app in lab.yaml's apps list (the resolved lab keeps enabled apps only). */
export const appIndex = (lab: Lab, name: string): number => lab.spec.apps.findIndex((a) => a.name === name);
