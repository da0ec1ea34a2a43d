// The platform names apps refer to come from the platform's contract (src/render/platform/contract.ts),
// the single source of truth; re-exported here for the apps renderer.
export { platformNames, type Entry, type PlatformNames } from "../platform/contract.js";
