// distributions/: what each Kubernetes distribution is (its capabilities, as data), found by name; its rendering is render/<name>/.
import type { Capabilities } from "./contract.js";
import { talos } from "./talos.js";
import { k3s } from "./k3s.js";

export type { Capabilities } from "./contract.js";

/** Every distribution, by lab.yaml name; the first is the default. Adding one: its file here, its render/<name>/ folder and its entry in render/distributions.ts. */
export const DISTRIBUTIONS = { talos, k3s } as const satisfies Record<string, Capabilities>;

export type DistributionName = keyof typeof DISTRIBUTIONS;

/** The names, default first (the schema's enum). */
export const DISTRIBUTION_NAMES = Object.keys(DISTRIBUTIONS) as [DistributionName, ...DistributionName[]];

export function capabilitiesOf(name: DistributionName): Capabilities {
  return DISTRIBUTIONS[name];
}
