// Checks that read the resolved Lab (derived facts: effective exposure, quorum, the apps a setting
// relies on). They run after the spec rules pass; their findings point into lab.yaml.
import type { Lab } from "../types.js";
import type { Finding } from "../../spec/diagnostic.js";
import type { LabRule } from "./rule.js";
import { exposureDomains } from "./exposure.js";
import { volatileQuorum } from "./control-planes.js";
import { dnsServersRun } from "./dns.js";
import { endOfLife } from "./end-of-life.js";
import { exposureReaches } from "./reach.js";
import { gpusOffered } from "./gpu.js";

export type { LabRule } from "./rule.js";

/** Every rule on the resolved lab, in reporting order. */
export const labRules: readonly LabRule[] = [exposureDomains, volatileQuorum, dnsServersRun, endOfLife, exposureReaches, gpusOffered];

export function checkLab(lab: Lab): Finding[] {
  const out: Finding[] = [];
  for (const rule of labRules) for (const f of rule(lab)) out.push(f);
  return out;
}
