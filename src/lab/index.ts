export * from "./types.js";
export { resolveLab, DEFAULT_TALOS_VERSION } from "./resolve.js";
export { allocate } from "./allocate.js";
export { loadLabText, type LabLoadResult } from "./load.js";
export { checkLab, labRules, type LabRule } from "./rules/index.js";
export { quorumOf, hasQuorum } from "./quorum.js";
export { exposureOf, type ExposureKind } from "./exposure.js";
