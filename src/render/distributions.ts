// The distributions Drover renders node configs for, found by name (lab.yaml's cluster.distribution).
// A distribution is one folder under render/ plus its entry here: the rendered folders it writes
// (node configs, boot media…). The start of the distribution contract (issue 17): the join,
// bootstrap and upgrade steps (ops/steps.ts), the mesh interface mapping and the capability
// questions still branch on the name elsewhere.
import type { Lab } from "../lab/types.js";
import type { LabSecrets } from "../secrets/types.js";
import { tree, type FileTree } from "./tree.js";
import { renderK3s } from "./k3s/index.js";
import { renderTalos } from "./talos/index.js";
import { renderBoot } from "./boot/index.js";

export type Target = (lab: Lab, secrets: LabSecrets) => FileTree;

export interface Distribution {
  readonly name: Lab["distribution"];
  /** rendered folder → what goes there, for a lab of this distribution */
  readonly targets: readonly (readonly [string, Target])[];
}

export const DISTRIBUTIONS: Readonly<Record<Lab["distribution"], Distribution>> = {
  k3s: { name: "k3s", targets: [["k3s", renderK3s]] },
  talos: { name: "talos", targets: [["talos", renderTalos], ["boot", renderBoot]] },
};

export function distributionOf(lab: Lab): Distribution {
  return DISTRIBUTIONS[lab.distribution];
}

/** Every distribution's targets, each rendering only for a lab of its distribution. */
export function distributionTargets(): [string, Target][] {
  return Object.values(DISTRIBUTIONS).flatMap((d) => d.targets.map(([folder, t]): [string, Target] => [folder, (lab, s) => (lab.distribution === d.name ? t(lab, s) : tree())]));
}
