// lab.yaml text → a YAML document that remembers where every value came from.
// Hostile input (binary, huge, deeply nested, alias bombs) is refused with one clear finding.
import { createRequire } from "node:module";
import type { LineCounter, Document, Node as YamlNode, Pair } from "yaml";

/** The positional YAML library, loaded on first use: a valid lab read on the fast path never needs it. */
let yamlLib: typeof import("yaml") | undefined;
const Y = (): typeof import("yaml") => (yamlLib ??= createRequire(import.meta.url)("yaml") as typeof import("yaml"));
import type { Finding, Path } from "./diagnostic.js";
import { lineStarts, lineColumn, type PosNode } from "./positions.js";

export const MAX_BYTES = 8 * 1024 * 1024;
export const MAX_DEPTH = 64;
export const MAX_ALIASES = 1000;
export const MAX_SYNTAX_ERRORS = 5;

export interface Source {
  readonly file: string;
  readonly text: string;
  readonly doc: Document.Parsed | undefined;
  readonly lines: LineCounter;
  /** positions from the fast reader's events; when present they are used instead of doc */
  readonly tree?: PosNode | undefined;
  readonly lineStarts?: readonly number[];
}

export interface Position { line: number; column: number }

/** Problems found without parsing: too big, binary, nested too deep. */
export function precheck(text: string): Finding[] {
  if (text.length > MAX_BYTES) {
    return [{ severity: "error", path: [], message: `the file is ${(text.length / 1048576).toFixed(1)} MiB; a lab spec may be at most ${MAX_BYTES / 1048576} MiB`, hint: "split generated data out of lab.yaml, or check that this is the right file" }];
  }
  if (text.includes("\u0000") || text.includes("\uFFFD")) {
    return [{ severity: "error", path: [], message: "the file is not UTF-8 text (it contains binary data)", hint: "lab.yaml must be a YAML text file" }];
  }
  const depth = nestingDepth(text);
  if (depth > MAX_DEPTH) {
    return [{ severity: "error", path: [], message: `the document nests ${depth} levels deep; at most ${MAX_DEPTH} are allowed`, hint: "a lab spec is a few levels deep; check for runaway brackets or indentation" }];
  }
  return [];
}

/**
 * A Source whose YAML document (for positions) is parsed only when a position is asked for: a valid
 * lab read on the fast path never needs one.
 */
export function lazySource(file: string, text: string, fastTree?: PosNode): Source {
  let parsed: { doc: Document.Parsed | undefined; lines: LineCounter } | undefined;
  let tree: { root: PosNode | undefined; starts: number[] } | undefined;
  const get = () => {
    if (!parsed) {
      const lines = new (Y().LineCounter)();
      let doc: Document.Parsed | undefined;
      try {
        doc = Y().parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, strict: true, merge: true, logLevel: "error" });
      } catch {
        doc = undefined;
      }
      parsed = { doc, lines };
    }
    return parsed;
  };
  const events = () => (tree ??= { root: fastTree, starts: lineStarts(text) });
  return {
    file,
    text,
    get doc() { return get().doc; },
    get lines() { return get().lines; },
    get tree() { return events().root; },
    get lineStarts() { return events().starts; },
  };
}

export function parseSource(file: string, text: string): { source: Source; value: unknown; findings: Finding[] } {
  const lines = new (Y().LineCounter)();
  const empty = { source: { file, text, doc: undefined, lines }, value: undefined };
  const pre = precheck(text);
  if (pre.length) return { ...empty, findings: pre };
  let doc: Document.Parsed;
  try {
    doc = Y().parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, strict: true, merge: true, logLevel: "error" });
  } catch (e) {
    return { ...empty, findings: [{ severity: "error", path: [], message: `cannot parse YAML: ${firstLine((e as Error).message)}`, hint: "fix the YAML at the start of the file" }] };
  }
  const source: Source = { file, text, doc, lines };
  const findings: Finding[] = [];
  // the first problems of a broken document are the real ones; later ones mostly follow from them
  const seenLines = new Set<number>();
  for (const err of doc.errors) {
    const pos = lines.linePos(err.pos[0]);
    if (seenLines.has(pos.line)) continue;
    seenLines.add(pos.line);
    if (findings.length === MAX_SYNTAX_ERRORS) {
      findings.push({ severity: "error", path: [], message: `YAML syntax: ${doc.errors.length - MAX_SYNTAX_ERRORS} more problems after these`, hint: "fix the first ones and run drover check again", at: { line: pos.line, column: pos.col } });
      break;
    }
    findings.push({ severity: "error", path: [], message: `YAML syntax: ${firstLine(err.message)}`, hint: yamlHint(err.code), at: { line: pos.line, column: pos.col } });
  }
  if (findings.length) return { source, value: undefined, findings };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    const msg = (e as Error).message;
    const unresolved = /^Unresolved alias[^:]*: (.*)$/.exec(firstLine(msg));
    if (unresolved) {
      const name = unresolved[1]!.trim();
      const at = text.search(new RegExp(`\\*${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![A-Za-z0-9_-])`));
      const p = lines.linePos(Math.max(0, at));
      return { source, value: undefined, findings: [{ severity: "error", path: [], message: `the alias *${name} refers to no anchor`, hint: `define &${name} on an earlier value (for example under an x-${name}: key) before using *${name}`, at: { line: p.line, column: p.col } }] };
    }
    const alias = /alias/i.test(msg);
    return {
      source,
      value: undefined,
      findings: [{ severity: "error", path: [], message: alias ? "the document expands too many YAML aliases (an alias bomb?)" : `cannot read YAML: ${firstLine(msg)}`, hint: alias ? "lab.yaml may use anchors and aliases, but not to multiply content" : "check the YAML at the start of the file" }],
    };
  }
  return { source, value, findings };
}

function firstLine(s: string): string {
  return s.split("\n")[0]!.replace(/ at line \d+, column \d+.*$/, "");
}

function yamlHint(code: string): string {
  switch (code) {
    case "DUPLICATE_KEY": return "each key may appear once in a mapping; remove or rename the second one";
    case "BAD_INDENT": return "check the indentation: nested fields use the same number of spaces";
    case "TAB_AS_INDENT": return "YAML indentation must use spaces, not tabs";
    case "MISSING_CHAR": return "a character is missing here: a closing quote or bracket, or a space before a # comment";
    case "MULTIPLE_DOCS": return "a lab is one YAML document: remove the '---' line and what follows it, or merge the two";
    case "BLOCK_AS_IMPLICIT_KEY":
    case "MULTILINE_IMPLICIT_KEY": return "a key must be on one line and followed by ':'; check the indentation of this line against the line above";
    case "UNEXPECTED_TOKEN": return "this line does not fit the structure around it; check its indentation and that 'key: value' pairs and '- ' list items are not mixed at one level";
    case "BAD_ALIAS":
    case "BAD_SCALAR_START": return "quote the value (\"…\") if it starts with a special character such as *, &, @, ` or %";
    case "BAD_DIRECTIVE":
    case "MISSING_ANCHOR": return "define the anchor (&name) before using it as an alias (*name)";
    case "TAG_RESOLVE_FAILED": return "remove the !tag: lab.yaml uses plain YAML values";
    default: return "fix the YAML at this position: check quotes, brackets, colons and indentation";
  }
}

/** Nesting depth of brackets and indentation, measured without parsing (cheap guard against stack exhaustion). */
function nestingDepth(text: string): number {
  let max = 0;
  let brackets = 0;
  let inQuote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inQuote) { if (c === inQuote) inQuote = null; continue; }
    if (c === "#") { const nl = text.indexOf("\n", i); if (nl < 0) break; i = nl; continue; }
    if (c === "\"" || c === "'") {
      // a quote only opens a string at the start of a scalar; good enough for a guard
      const prev = text[i - 1];
      if (prev === undefined || " \t\n[{,:-".includes(prev)) inQuote = c;
      continue;
    }
    if (c === "[" || c === "{") { brackets++; if (brackets > max) max = brackets; }
    else if ((c === "]" || c === "}") && brackets > 0) brackets--;
  }
  // indentation depth: count leading-space levels of each line (2 spaces a level, "- " counts too)
  let lineStart = 0;
  while (lineStart < text.length) {
    let j = lineStart;
    while (text[j] === " " || text[j] === "-") j++;
    const level = Math.floor((j - lineStart) / 2);
    if (level > max) max = level;
    const nl = text.indexOf("\n", lineStart);
    if (nl < 0) break;
    lineStart = nl + 1;
  }
  return max;
}

/** Where a path points in the source: the value, or the key of the last segment. */
export function positionOf(source: Source, path: Path, atKey = false): Position {
  const tree = source.tree;
  if (tree) return positionInTree(tree, source.lineStarts!, path, atKey);
  const doc = source.doc;
  if (!doc) return { line: 1, column: 1 };
  const { isMap, isSeq, isPair, isScalar } = Y();
  let node: unknown = doc.contents;
  let best: YamlNode | Pair | undefined = doc.contents ?? undefined;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) ? String(p.key.value) === String(seg) : false);
      if (!pair) break;
      if (last && atKey) { best = pair.key as YamlNode; break; }
      best = (pair.value as YamlNode | null) ?? (pair.key as YamlNode);
      node = pair.value;
    } else if (isSeq(node) && typeof seg === "number") {
      const item = node.items[seg];
      if (item === undefined) break;
      best = isPair(item) ? item : (item as YamlNode);
      node = item;
    } else break;
  }
  const range = best && "range" in best ? (best as YamlNode).range : best && isPair(best) ? (best.key as YamlNode)?.range : undefined;
  if (!range) return { line: 1, column: 1 };
  const p = source.lines.linePos(range[0]);
  return { line: p.line, column: p.col };
}

function positionInTree(root: PosNode, starts: readonly number[], path: Path, atKey: boolean): Position {
  let node: PosNode | undefined = root;
  let best = root.start;
  for (let i = 0; i < path.length && node; i++) {
    const seg = path[i]!;
    const last = i === path.length - 1;
    if (node.kind === "map") {
      const k = node.keys.indexOf(String(seg));
      if (k < 0) break;
      if (last && atKey) { best = node.keyStarts[k]!; break; }
      node = node.children[k]!;
      best = node.start;
    } else if (node.kind === "seq" && typeof seg === "number") {
      node = node.children[seg];
      if (!node) break;
      best = node.start;
    } else break;
  }
  return lineColumn(starts, best);
}
