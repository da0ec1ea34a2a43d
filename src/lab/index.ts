export * from "./types.js";
export { resolveLab, DEFAULT_TALOS_VERSION } from "./resolve.js";
export { allocate } from "./allocate.js";
