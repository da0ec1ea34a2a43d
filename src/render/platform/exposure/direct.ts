// Direct port forwards render nothing of their own: the router is the user's (drover check lists the forwards).
import type { ExposureRenderer } from "./contract.js";

export const directExposure: ExposureRenderer = { name: "direct" };
