// A fast YAML reader for the common case: js-yaml's event parser is several times faster than the
// position-keeping `yaml` document. Same YAML 1.2 core schema plus merge keys; the same events give
// the position of every value (positions.ts). Anything unusual (aliases, duplicate keys, syntax
// errors, several documents, null keys) returns undefined so that the positional reader handles it.
import { parseEvents, constructFromEvents, CORE_SCHEMA, mergeTag } from "js-yaml";
import { positionTree, type PosNode } from "./positions.js";

const SCHEMA = CORE_SCHEMA.withTags(mergeTag);
const LONE_CR = /\r(?!\n)/;
/** js-yaml keeps a float that overflows (1e999) as text where yaml reads Infinity: let yaml decide. */
const HUGE_EXPONENT = /[0-9.][eE][+-]?[0-9]{3,}/;

export interface FastRead {
  readonly value: unknown;
  /** undefined when positions must come from the `yaml` library */
  readonly tree: PosNode | undefined;
}

export function fastRead(text: string): FastRead | undefined {
  // a lone carriage return ends a line for js-yaml but not for the yaml library: let that one decide
  if (LONE_CR.test(text) || HUGE_EXPONENT.test(text)) return undefined;
  try {
    const events = parseEvents(text, { maxDepth: 64 }) as unknown as { type: number; [k: string]: unknown }[];
    const docs = constructFromEvents(events as never, { source: text, schema: SCHEMA, maxAliases: 0 });
    if (docs.length !== 1) return undefined;
    const { root, unsafeKeys } = positionTree(text, events);
    if (unsafeKeys) return undefined;
    return { value: docs[0], tree: root };
  } catch {
    return undefined;
  }
}

/** The value only (tests and tools). */
export function fastYaml(text: string): unknown {
  return fastRead(text)?.value;
}
