// What each exposure mode adds to the Flux tree, found by name (src/exposure/ says which mode a lab
// uses). Adding one: what it is in src/exposure/, its file here, an entry in each table.
import type { ExposureModeName } from "../../../exposure/index.js";
import type { ExposureRenderer } from "./contract.js";
import { tunnelExposure } from "./tunnel.js";
import { ddnsExposure } from "./ddns.js";
import { directExposure } from "./direct.js";

export type { ExposureRenderer } from "./contract.js";

export const EXPOSURE_RENDERERS: Readonly<Record<ExposureModeName, ExposureRenderer>> = {
  tunnel: tunnelExposure,
  ddns: ddnsExposure,
  direct: directExposure,
};
