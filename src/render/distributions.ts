// The distributions Drover renders node configs for, found by name (lab.yaml's cluster.distribution).
// A distribution is its capabilities (distributions/<name>.ts) and its render/<name>/ folder, whose
// distribution.ts implements the contract in distribution-contract.ts (targets, Cilium values, VM boot,
// the steps that bring machines in and out, rollouts). Adding one: those two and an entry in each table.
import type { Lab } from "../lab/types.js";
import type { DistributionName } from "../distributions/index.js";
import { tree } from "./tree.js";
import type { DistributionRenderer, Target } from "./distribution-contract.js";
import { k3sRenderer } from "./k3s/distribution.js";
import { talosRenderer } from "./talos/distribution.js";

export type { Target, DistributionRenderer, Step, RolloutStep, VmBoot, Output } from "./distribution-contract.js";

export const RENDERERS: Readonly<Record<DistributionName, DistributionRenderer>> = {
  k3s: k3sRenderer,
  talos: talosRenderer,
};

export function distributionOf(lab: Lab): DistributionRenderer {
  return RENDERERS[lab.distribution];
}

/** Every distribution's targets, each rendering only for a lab of its distribution. */
export function distributionTargets(): [string, Target][] {
  return Object.values(RENDERERS).flatMap((d) => d.targets.map(([folder, t]): [string, Target] => [folder, (lab, s) => (lab.distribution === d.name ? t(lab, s) : tree())]));
}
