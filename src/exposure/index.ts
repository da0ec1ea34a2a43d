// exposure/: how a site's public services are reached (direct, DDNS, Cloudflare Tunnel), as data, found by name; rendering is render/platform/exposure/.
import type { ExposureMode } from "./contract.js";
import { tunnel } from "./tunnel.js";
import { ddns } from "./ddns.js";
import { direct } from "./direct.js";

export type { ExposureMode, ExposureProblem, ExposureSpec, PublicTarget } from "./contract.js";
export { tunnelName } from "./tunnel.js";
export { ddnsName } from "./ddns.js";

/** Every exposure mode, by name, in the order they are chosen (the first that a lab uses wins; direct: always).
 *  Adding one: its file here, its render/platform/exposure/ file and its entry in each table. */
export const EXPOSURE_MODES = { tunnel, ddns, direct } as const satisfies Record<string, ExposureMode>;

export type ExposureModeName = keyof typeof EXPOSURE_MODES;

/** The mode the public site is reached by: a tunnel (lab-wide), else the site's DDNS name, else direct. */
export function exposureMode(lab: { readonly tunnel: boolean; readonly dynamicAddress: boolean }): ExposureMode {
  return Object.values(EXPOSURE_MODES).find((m) => m.uses(lab)) ?? direct;
}
