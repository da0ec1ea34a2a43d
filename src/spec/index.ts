// spec/: lab.yaml text → validated Spec: schema, positioned diagnostics, the rules that read the spec alone, JSON Schema, text edits.
export * from "./schema.js";
export * from "./diagnostic.js";
export { loadSpec, locate, type LoadResult } from "./load.js";
export { parseSource, positionOf, type Source } from "./source.js";
export { checkRules, rules, type Rule } from "./rules/index.js";
