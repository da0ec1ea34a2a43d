// Fast YAML emission for rendered manifests, byte-identical to the `yaml` package's stringify with
// the shared options (block style, no folding, YAML 1.1 quoting, double quotes) at a fraction of the
// cost: a 5,000-app lab renders about 40,000 documents, and the package builds a node tree per
// document first. Scalars use the package's own YAML 1.1 tag tests, so a string is plain exactly
// when the package would write it plain (Go's YAML 1.1 readers in kubectl, kustomize and Flux then
// read a string). Anything this emitter does not reproduce exactly (top-level scalars, keys with
// line breaks, block scalars with keep-chomping, -0, infinities, NaN, non-plain objects)
// makes it return undefined, and the caller falls back to the package for that document.
import { Document, stringify, type ToStringOptions, type DocumentOptions, type CreateNodeOptions, type SchemaOptions, type ScalarTag } from "yaml";

// Go's YAML readers (yaml.v2/v3 behind kubectl, kustomize, Flux) resolve a plain scalar that starts
// with a digit, sign or dot by removing every "_" and trying strconv.ParseInt (base 0: 0x, 0o, 0b,
// either case) and ParseFloat (hex floats, +Inf, NaN…): wider than YAML 1.1's int and float.
const GO_NUMBER = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+(?:[eE][-+]?[0-9]+)?|0[xX][0-9a-fA-F]*\.?[0-9a-fA-F]*[pP][-+]?[0-9]+|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?|[nN][aA][nN])$/;

/** True when a Go YAML reader would take this plain scalar for a number. */
export function goReadsAsNumber(s: string): boolean {
  const c = s.charCodeAt(0);
  if (!((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46)) return false;
  return GO_NUMBER.test(s.includes("_") ? s.replace(/_/g, "") : s);
}

/** A tag that never reads anything, only makes the stringifier quote what Go would read as a number. */
const goNumberTag: ScalarTag = {
  tag: "tag:drover.dev,2026:go-number",
  default: true,
  test: { test: goReadsAsNumber } as unknown as RegExp,
  resolve: (s: string) => s,
};

export const YAML_OPTIONS: DocumentOptions & SchemaOptions & CreateNodeOptions & ToStringOptions = {
  lineWidth: 0,
  minContentWidth: 0,
  aliasDuplicateObjects: false,
  singleQuote: false,
  version: "1.1",
  customTags: (tags) => [...tags, goNumberTag],
};

/** The package's stringify: the reference this emitter matches, and the fallback. */
export function packageYaml(value: unknown): string {
  return stringify(value, YAML_OPTIONS);
}

// the YAML 1.1 tags (null, bool, int, float, timestamp, merge) whose implicit resolution would turn
// a plain string into something else: the package's own regular expressions and selection rule
const schema = new Document(null, YAML_OPTIONS).schema;
const RESOLVING: RegExp[] = [...schema.tags, ...((schema as { compat?: typeof schema.tags }).compat ?? [])]
  .filter((t) => t.default && t.tag !== "tag:yaml.org,2002:str" && (t as { test?: RegExp }).test)
  .map((t) => (t as { test: RegExp }).test);
// strings a plain scalar cannot hold (the package's rule for block context)
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
// characters the package always double-quotes with its own escapes
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;

/**
 * Characters some YAML 1.1 or 1.2 reader takes for a line break (CR, NEL, LS, PS), a byte-order mark,
 * or refuses raw (C0 and C1 controls but tab and line feed, DEL, U+FFFE/U+FFFF, surrogates). The
 * `yaml` package writes LS, PS and BOM plain and NEL raw inside quotes, which Go's readers (kustomize,
 * Flux, k3s, helm) read as line breaks: a string holding any of them is written double-quoted with
 * every one of them escaped, by this emitter and never by the package.
 */
export const YAML_UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]/;
const UNSAFE_ALL = /[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * A double-quoted scalar every YAML 1.1 and 1.2 reader reads back as exactly `s`: JSON's escapes
 * (valid YAML) plus \uXXXX for DEL, the C1 controls, LS, PS, BOM and the two non-characters. A
 * string that is not valid Unicode (a lone surrogate) cannot be written: an internal error, since
 * drover check refuses such text in lab.yaml.
 */
export function doubleQuoted(s: string): string {
  if (LONE_SURROGATE.test(s)) throw new Error(`internal: ${JSON.stringify(s.slice(0, 40))} is not valid Unicode (a lone surrogate) and cannot be written as YAML`);
  const j = JSON.stringify(s);
  return YAML_UNSAFE.test(s) ? j.replace(UNSAFE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`) : j;
}

/** Strings this emitter must write itself (double-quoted) wherever they stand. */
function needsOwnQuoting(s: string): boolean {
  return YAML_UNSAFE.test(s) || s === "<<";
}
const DOC_MARKER = /^(?:---|\.\.\.)/;

/** Marker: this value needs the package. */
class Fallback extends Error {}
const FALLBACK = new Fallback();

// scalar forms repeat a lot (keys, images, labels): remember them
const lineCache = new Map<string, string>();
const blockCache = new Map<string, string | null>();

/** A string on one line, as key or value; undefined for strings it cannot write exactly. */
function lineScalar(s: string): string | undefined {
  let v = lineCache.get(s);
  if (v !== undefined) return v;
  // unsafe characters, and "<<" (which the package writes plain: a merge key for Go's YAML 1.1 readers)
  if (needsOwnQuoting(s)) v = doubleQuoted(s);
  else if (s.includes("\n") || CONTROL.test(s) || DOC_MARKER.test(s)) return undefined;
  else if (NOT_PLAIN.test(s)) v = JSON.stringify(s);
  else {
    v = s;
    for (const re of RESOLVING) {
      if (re.test(s)) {
        v = JSON.stringify(s);
        break;
      }
    }
  }
  if (lineCache.size > 100_000) lineCache.clear();
  lineCache.set(s, v);
  return v;
}

function key(s: string): string {
  const v = lineScalar(s);
  if (v === undefined) throw FALLBACK;
  return v;
}

/**
 * A string value of a pair or list item whose container is at `indent`: one line, or a block
 * literal (the package's form taken from a one-pair probe document, whose container is at column 0,
 * and moved to this indent).
 */
function valueScalar(s: string, indent: string): string {
  const v = lineScalar(s);
  if (v !== undefined) return v;
  let b = blockCache.get(s);
  if (b === undefined) {
    const probe = packageYaml({ k: s });
    const body = probe.slice(3, -1); // after "k: ", without the document's final newline
    const header = body.slice(0, body.indexOf("\n") >>> 0);
    // single-line (quoted) forms are the same in every context; block literals without keep-chomping move
    b = !body.includes("\n") ? body : /^\|[0-9]?-?$/.test(header) ? body : null;
    if (blockCache.size > 10_000) blockCache.clear();
    blockCache.set(s, b);
  }
  if (b === null) throw FALLBACK;
  if (!indent || !b.includes("\n")) return b;
  // every non-empty content line gets the container's indent (empty lines stay empty, as the package writes them)
  return b.replace(/\n(?=[^\n])/g, `\n${indent}`);
}

function isPlainObject(v: object): boolean {
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

/** Scalars and empty collections on the same line as their key or dash; undefined for non-empty collections. */
function inline(v: unknown, indent: string): string | undefined {
  switch (typeof v) {
    case "string":
      return valueScalar(v, indent);
    case "number":
      if (Number.isFinite(v) && !Object.is(v, -0)) return JSON.stringify(v);
      throw FALLBACK;
    case "boolean":
      return v ? "true" : "false";
    case "object":
      if (v === null) return "null";
      if (Array.isArray(v)) return v.length ? undefined : "[]";
      if (!isPlainObject(v)) throw FALLBACK;
      for (const k in v) if ((v as Record<string, unknown>)[k] !== undefined) return undefined;
      return "{}";
  }
  throw FALLBACK;
}

// pieces are pushed onto one array and joined once: a flat string, where `+=` built a rope of millions of
// small pieces that had to be flattened (and collected) later — 4× slower for a 5,000-app tree
function emitMap(o: Record<string, unknown>, indent: string, first: string, out: string[]): void {
  let prefix = first;
  for (const k in o) {
    const v = o[k];
    if (v === undefined) continue;
    const a = inline(v, indent);
    if (a !== undefined) out.push(`${prefix}${key(k)}: ${a}\n`);
    else {
      out.push(`${prefix}${key(k)}:\n`);
      const child = indent + "  ";
      if (Array.isArray(v)) emitSeq(v, child, child, out);
      else emitMap(v as Record<string, unknown>, child, child, out);
    }
    prefix = indent;
  }
}

function emitSeq(xs: readonly unknown[], indent: string, first: string, out: string[]): void {
  let prefix = first;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (x === undefined) throw FALLBACK;
    const a = inline(x, indent);
    if (a !== undefined) out.push(`${prefix}- ${a}\n`);
    else {
      const child = indent + "  ";
      if (Array.isArray(x)) emitSeq(x, child, `${prefix}- `, out);
      else emitMap(x as Record<string, unknown>, child, `${prefix}- `, out);
    }
    prefix = indent;
  }
}

/** One document (no `---`), ending in a newline; undefined when the package has to write it. */
export function fastYaml(doc: unknown): string | undefined {
  if (typeof doc !== "object" || doc === null) return undefined;
  try {
    if (inline(doc, "") !== undefined) return undefined; // empty collections: left to the package
    const out: string[] = [];
    if (Array.isArray(doc)) emitSeq(doc, "", "", out);
    else emitMap(doc as Record<string, unknown>, "", "", out);
    return out.join("");
  } catch (e) {
    if (e === FALLBACK) return undefined;
    throw e;
  }
}

/**
 * One document: the same bytes as the package writes for ordinary strings; strings the package
 * would write unsafely (YAML_UNSAFE, "<<") double-quoted and escaped (doubleQuoted).
 */
export function emitYaml(doc: unknown): string {
  return fastYaml(doc) ?? safePackageYaml(doc);
}

/**
 * The package's output for a document this emitter does not write itself, with every string that
 * needs its own quoting swapped for a plain placeholder first and its doubleQuoted form put back after.
 */
export function safePackageYaml(doc: unknown): string {
  const unsafe: string[] = [];
  const seen = new Set<string>();
  const collect = (v: unknown): void => {
    if (typeof v === "string") {
      if (needsOwnQuoting(v) && !seen.has(v)) { seen.add(v); unsafe.push(v); }
    } else if (Array.isArray(v)) v.forEach(collect);
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) { collect(k); collect(x); }
  };
  collect(doc);
  if (unsafe.length === 0) return packageYaml(doc);
  // a placeholder prefix no string of the document contains
  const all = JSON.stringify(doc) ?? "";
  let prefix = "drover-placeholder";
  while (all.includes(prefix)) prefix += "x";
  const token = new Map(unsafe.map((s, i) => [s, `${prefix}-${i}-end`]));
  const swap = (v: unknown): unknown => {
    if (typeof v === "string") return token.get(v) ?? v;
    if (Array.isArray(v)) return v.map(swap);
    if (v && typeof v === "object" && isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [token.get(k) ?? k, swap(x)]));
    return v;
  };
  const text = packageYaml(swap(doc));
  const back = new Map(unsafe.map((s) => [token.get(s)!, doubleQuoted(s)]));
  return text.replace(new RegExp(`${prefix}-[0-9]+-end`, "g"), (t) => back.get(t) ?? t);
}
