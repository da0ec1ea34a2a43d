// YAML emission for machine configs: the shared stable emitter (tree.ts).
import { toYaml } from "../tree.js";

export const emitYaml = (doc: unknown): string => toYaml(doc);
