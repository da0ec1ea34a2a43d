import type { LabSpec } from "../schema.js";
import type { Finding } from "../diagnostic.js";
import type { Rule } from "./rule.js";
import { uniqueNames, uniqueAddresses } from "./names.js";
import { references } from "./references.js";
import { allNetwork } from "./network.js";
import { hostCapacity, controlPlanes, renderable } from "./capacity.js";
import { appsFit, functionsWellFormed, appArchFits, appDevices, appPatchTargets } from "./apps.js";
import { distributionRules } from "./talos.js";
import { publicExposure } from "./exposure.js";
import { gpuPassthrough } from "./gpu.js";
import { upsWired } from "./ups.js";

export type { Rule } from "./rule.js";

/** Every cross-field rule, in reporting order. */
export const rules: readonly Rule[] = [uniqueNames, uniqueAddresses, references, allNetwork, hostCapacity, controlPlanes, renderable, appsFit, appArchFits, appDevices, appPatchTargets, gpuPassthrough, functionsWellFormed, distributionRules, publicExposure, upsWired];

export function checkRules(spec: LabSpec): Finding[] {
  const out: Finding[] = [];
  for (const rule of rules) for (const f of rule(spec)) out.push(f);
  return out;
}
