// lab/: Spec → resolved, immutable Lab, and every fact derived from it once (exposure, quorum, the mesh), with the rules that read it and the lab file's loading.
export * from "./types.js";
export { resolveLab, DEFAULT_TALOS_VERSION } from "./resolve.js";
export { allocate } from "./allocate.js";
export { loadLabText, type LabLoadResult } from "./load.js";
export { checkLab, labRules, type LabRule } from "./rules/index.js";
export { quorumOf, hasQuorum } from "./quorum.js";
export { exposureOf, type ExposureKind } from "./exposure.js";
