// A fast YAML reader for the common case (a valid lab.yaml without anchors): js-yaml's event parser
// is several times faster than the position-keeping `yaml` document. Same YAML 1.2 core schema plus
// merge keys; anything unusual (aliases, duplicate keys, syntax errors) returns undefined so that the
// positional reader handles it and reports it.
import { load, CORE_SCHEMA, mergeTag } from "js-yaml";

const SCHEMA = CORE_SCHEMA.withTags(mergeTag);

export function fastYaml(text: string): unknown {
  try {
    return load(text, { schema: SCHEMA, maxAliases: 0, maxDepth: 64 });
  } catch {
    return undefined;
  }
}
