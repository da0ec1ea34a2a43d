// Editing lab.yaml as text, through the YAML document's source ranges: the edited item is spliced in
// or out and every other byte (comments, flow style, spacing, key order) stays as the user wrote it.
// Pure functions; the caller validates the result with loadSpec and writes it atomically.
import { parseDocument, isMap, isSeq, isScalar, stringify, type YAMLMap, type YAMLSeq, type Node as YamlNode } from "yaml";

export class SpecEditError extends Error {}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf("\n", offset);
  return nl < 0 ? text.length : nl + 1;
}

function topSeq(text: string, key: string): { seq: YAMLSeq<YamlNode>; doc: ReturnType<typeof parseDocument> } {
  const doc = parseDocument(text, { keepSourceTokens: true });
  if (doc.errors.length) throw new SpecEditError(`cannot edit: the file has YAML errors (${doc.errors[0]!.message.split("\n")[0]})`);
  if (!isMap(doc.contents)) throw new SpecEditError("cannot edit: the document is not a mapping");
  const seq = (doc.contents as YAMLMap).get(key, true);
  if (!isSeq(seq)) throw new SpecEditError(`cannot edit: ${key} is not a list`);
  return { seq: seq as YAMLSeq<YamlNode>, doc };
}

function nameOf(item: YamlNode): string | undefined {
  if (!isMap(item)) return undefined;
  const n = item.get("name", true);
  return isScalar(n) ? String(n.value) : undefined;
}

/** Index of the item of a top-level list (`nodes`, `hosts`…) with this name, or -1. */
export function indexByName(text: string, list: string, name: string): number {
  return topSeq(text, list).seq.items.findIndex((i) => nameOf(i) === name);
}

/**
 * Appends an item to a top-level block list, right after its last item and in the same style: a
 * one-line flow mapping when the last item is one (`- { name: a, … }`), a block mapping otherwise.
 */
export function appendItem(text: string, list: string, value: Record<string, unknown>): string {
  const { seq } = topSeq(text, list);
  if (seq.flow || !seq.range) throw new SpecEditError(`cannot edit: ${list} is written as a flow list ([ … ]); write it as a block list (one "- " item per line)`);
  const last = seq.items[seq.items.length - 1];
  if (!last?.range) throw new SpecEditError(`cannot edit: ${list} is empty`);
  const start = lineStart(text, last.range[0]);
  const dash = text.slice(start, last.range[0]); // e.g. "  - "
  if (!/^\s*-\s+$/.test(dash)) throw new SpecEditError(`cannot edit: the last item of ${list} does not start its own line`);
  const indent = dash.replace("-", " ");
  const flow = isMap(last) && (last as YAMLMap).flow === true;
  let item: string;
  if (flow) {
    item = dash + stringify(value, { collectionStyle: "flow", lineWidth: 0, flowCollectionPadding: true, version: "1.1" }).trimEnd() + "\n";
  } else {
    const body = stringify(value, { lineWidth: 0, version: "1.1" }).trimEnd().split("\n");
    item = body.map((l, i) => (i === 0 ? dash : indent) + l).join("\n") + "\n";
  }
  // after the last item's last line (and any comment on it)
  const end = lineEnd(text, Math.max(last.range[0], last.range[1] - 1));
  const before = text.slice(0, end);
  return (before.endsWith("\n") ? before : before + "\n") + item + text.slice(end);
}

/** Removes the named item of a top-level block list (its lines, including a comment on its last line). */
export function removeItem(text: string, list: string, name: string): string {
  const { seq } = topSeq(text, list);
  if (seq.flow) throw new SpecEditError(`cannot edit: ${list} is written as a flow list ([ … ]); write it as a block list`);
  const i = seq.items.findIndex((x) => nameOf(x) === name);
  if (i < 0) throw new SpecEditError(`${list} has no item named ${name}`);
  const item = seq.items[i]!;
  if (!item.range) throw new SpecEditError(`cannot edit: ${list}[${i}] has no source position`);
  const start = lineStart(text, item.range[0]);
  // to the end of its last line (comment lines before the next item belong to that item)
  const end = lineEnd(text, Math.max(item.range[0], item.range[1] - 1));
  return text.slice(0, start) + text.slice(end);
}
