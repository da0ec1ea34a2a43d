// YAML and JSON text ⇄ the ordered, typed document sops works on. Mappings become Maps (order kept:
// the MAC depends on it), integral floats written as floats (1.0) stay floats, comments are dropped.
import { isMap, isScalar, isSeq, parseAllDocuments } from "yaml";
import type { Scalar } from "yaml";
import type { Node as YamlNode } from "yaml";
import type { SopsMap, SopsValue } from "./value.js";
import { SopsFloat } from "./value.js";

export class FormatError extends Error {
  constructor(message: string, readonly line?: number, readonly column?: number) {
    super(message);
  }
}

function lineCol(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) (line++, (last = i));
  return { line, column: offset - last };
}

// How Go's yaml.v3 (what sops parses with) resolves a plain scalar that YAML 1.2 calls a string:
// underscores in numbers, 0b binary, leading-zero octal… Used to read such scalars as sops does,
// and to quote strings on output so sops reads them back as strings.
const GO_INT = /^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const GO_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const GO_SPECIAL = /^(true|True|TRUE|false|False|FALSE|~|null|Null|NULL|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)|<<|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/;

function goNumber(s: string): number | SopsFloat | undefined {
  if (!/^[-+.0-9]/.test(s)) return undefined;
  const plain = s.replace(/_/g, "");
  if (GO_INT.test(plain)) {
    const neg = plain.startsWith("-");
    const body = plain.replace(/^[-+]/, "");
    const n = /^0[0-7]+$/.test(body) ? parseInt(body, 8) : /^0[oO]/.test(body) ? parseInt(body.slice(2), 8) : /^0[bB]/.test(body) ? parseInt(body.slice(2), 2) : Number(body);
    return neg ? -n : n;
  }
  if (GO_FLOAT.test(plain)) {
    const f = Number(plain);
    return Number.isInteger(f) ? new SopsFloat(f) : f;
  }
  return undefined;
}

/** A string that must be quoted in YAML for Go's yaml.v3 to read it back as a string. */
export const needsQuotes = (s: string): boolean => s === "" || GO_SPECIAL.test(s) || goNumber(s) !== undefined || /^\d{4}-\d\d?-\d\d?([Tt ]|$)/.test(s);

function fromNode(n: YamlNode | null | undefined, text: string, json: boolean): SopsValue {
  if (n == null) return null;
  if (isMap(n)) {
    const m: SopsMap = new Map();
    for (const pair of n.items) {
      const k = pair.key;
      if (!isScalar(k) || (typeof k.value !== "string" && typeof k.value !== "number" && typeof k.value !== "boolean")) {
        const at = lineCol(text, (k as YamlNode | null)?.range?.[0] ?? 0);
        throw new FormatError("only scalar mapping keys are supported", at.line, at.column);
      }
      const name = String(k.value);
      // checked here rather than by the parser's uniqueKeys, which compares every key with every other (a store has 100,000s)
      if (m.has(name)) {
        const at = lineCol(text, k.range?.[0] ?? 0);
        throw new FormatError(`Map keys must be unique; ${JSON.stringify(name)} is repeated`, at.line, at.column);
      }
      m.set(name, fromNode(pair.value as YamlNode | null, text, json));
    }
    return m;
  }
  if (isSeq(n)) return n.items.map((x) => fromNode(x as YamlNode | null, text, json));
  if (isScalar(n)) {
    const v = n.value;
    if (v === null || v === undefined) return null;
    if (typeof v === "boolean") return v;
    if (typeof v === "string") return !json && n.type === "PLAIN" ? (goNumber(v) ?? v) : v;
    if (typeof v === "number") {
      if (json) return Number.isInteger(v) ? new SopsFloat(v) : v; // sops reads every JSON number as a float64
      const src = String((n as Scalar & { source?: string }).source ?? v);
      const isInt = /^[-+]?[0-9]+$/.test(src) || n.format === "HEX" || n.format === "OCT";
      return !isInt && Number.isInteger(v) ? new SopsFloat(v) : v;
    }
    if (typeof v === "bigint") return Number(v);
    return String(v);
  }
  const at = lineCol(text, n.range?.[0] ?? 0);
  throw new FormatError("unsupported YAML node (aliases are not supported)", at.line, at.column);
}

// The bulk of a secrets store (100,000s of values at 1,000 nodes): mappings nested by 4 spaces whose
// values are ENC[…] strings, as emitYaml writes them. Read line by line; any top-level block with
// anything else (lists, literals, other scalars) goes to the YAML parser, so results are the same.
const FAST_KEY = /^[A-Za-z_][A-Za-z0-9._/|@+-]*$/;
const FAST_VALUE = /^ENC\[AES256_GCM,data:[A-Za-z0-9+/=]*,iv:[A-Za-z0-9+/=]+,tag:[A-Za-z0-9+/=]+,type:[a-z]+\]$/;
const CORE_WORDS = new Set(["null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE"]);

/** One top-level block (lines [from, to)) into out; false when it holds more than the simple form. */
function fastBlock(lines: readonly string[], from: number, to: number, out: SopsMap): boolean {
  const stack: SopsMap[] = [out];
  let open = false; // the previous line was `key:` and must be followed by a deeper one
  for (let i = from; i < to; i++) {
    const line = lines[i]!;
    let sp = 0;
    while (line.charCodeAt(sp) === 32) sp++;
    if (sp % 4 !== 0) return false;
    const depth = sp / 4;
    if (open ? depth !== stack.length - 1 : depth > stack.length - 1) return false;
    open = false;
    stack.length = depth + 1;
    const colon = line.indexOf(":", sp);
    if (colon < 0) return false;
    const key = line.slice(sp, colon);
    if (!FAST_KEY.test(key) || CORE_WORDS.has(key)) return false;
    const m = stack[depth]!;
    if (m.has(key)) throw new FormatError(`Map keys must be unique; ${JSON.stringify(key)} is repeated`, i + 1, sp + 1);
    if (colon === line.length - 1) {
      const child: SopsMap = new Map();
      m.set(key, child);
      stack.push(child);
      open = true;
      continue;
    }
    if (line.charCodeAt(colon + 1) !== 32) return false;
    const v = line.slice(colon + 2);
    if (v === '""') m.set(key, "");
    else if (FAST_VALUE.test(v)) m.set(key, v);
    else return false;
  }
  return !open;
}

function fastParse(text: string): SopsMap | undefined {
  if (!text.endsWith("\n") || text.includes("\r") || text.includes("\t")) return undefined;
  const lines = text.split("\n");
  lines.pop();
  const out: SopsMap = new Map();
  let start = 0;
  for (let i = 1; i <= lines.length; i++) {
    if (i < lines.length && lines[i]!.charCodeAt(0) === 32) continue;
    // lines [start, i) are one top-level key and everything under it
    const first = lines[start]!;
    if (first === "" || first.startsWith("#") || first.startsWith("-") || first.startsWith("---") || first.startsWith("%") || first.startsWith("...")) return undefined;
    const block = new Map() as SopsMap;
    if (!fastBlock(lines, start, i, block)) {
      let parsed: SopsMap;
      try {
        parsed = slowParse(lines.slice(start, i).join("\n") + "\n", false);
      } catch (e) {
        if (e instanceof FormatError && e.line !== undefined) throw new FormatError(e.message, e.line + start, e.column);
        throw e;
      }
      if (parsed.size !== 1) return undefined;
      for (const [k, v] of parsed) block.set(k, v);
    }
    for (const [k, v] of block) {
      if (out.has(k)) throw new FormatError(`Map keys must be unique; ${JSON.stringify(k)} is repeated`, start + 1, 1);
      out.set(k, v);
    }
    start = i;
  }
  return out.size ? out : undefined;
}

/** Parses one YAML (or, with json, JSON) document whose top level is a mapping. */
export function parseDocument(text: string, json = false): SopsMap {
  return (!json && text.length > 65536 ? fastParse(text) : undefined) ?? slowParse(text, json);
}

function slowParse(text: string, json: boolean): SopsMap {
  const docs = parseAllDocuments(text, { version: "1.2", uniqueKeys: false, keepSourceTokens: false });
  if (!Array.isArray(docs)) throw new FormatError("not a YAML document");
  const real = docs.filter((d) => d.contents !== null || d.errors.length);
  if (real.length !== 1) throw new FormatError(real.length ? `holds ${real.length} YAML documents; one per file is supported` : "is empty");
  const d = real[0]!;
  if (d.errors.length) {
    const e = d.errors[0]!;
    const at = lineCol(text, e.pos[0]);
    throw new FormatError(e.message.split("\n")[0]!, at.line, at.column);
  }
  const v = fromNode(d.contents as YamlNode, text, json);
  if (!(v instanceof Map)) throw new FormatError("the top level must be a mapping");
  return v;
}

const PLAIN_SAFE = /^[^\s\-?:,[\]{}#&*!|>'"%@`][\x20-\x7e]*$/;

function yamlString(s: string): string {
  return PLAIN_SAFE.test(s) && !/: | #|:$| $/.test(s) && !needsQuotes(s) ? s : JSON.stringify(s);
}

/** A multi-line string that can be written as a block literal without an indentation indicator. */
const literalOk = (s: string): boolean => s.includes("\n") && !/^\s|[ \t]\n|\n[ \t]|[ \t]$|[\r\x00-\x08\x0b-\x1f\x7f\u0085\u2028\u2029\ufeff]/.test(s);

function literal(s: string, pad: string): string[] {
  const chomp = s.endsWith("\n\n") ? "+" : s.endsWith("\n") ? "" : "-";
  const body = s.endsWith("\n") ? s.slice(0, -1) : s;
  return [`|${chomp}`, ...body.split("\n").map((l) => (l === "" ? "" : pad + l))];
}

function yamlScalar(v: Exclude<SopsValue, SopsMap | SopsValue[]>): string {
  if (v === null) return "null";
  if (typeof v === "string") return yamlString(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  const n = v instanceof SopsFloat ? v.value : v;
  if (Number.isNaN(n)) return ".nan";
  if (!Number.isFinite(n)) return n > 0 ? ".inf" : "-.inf";
  const t = String(n);
  return v instanceof SopsFloat && /^-?\d+$/.test(t) ? `${t}.0` : t;
}

const isBlock = (v: SopsValue): v is SopsMap | SopsValue[] => (v instanceof Map && v.size > 0) || (Array.isArray(v) && v.length > 0);

/** Lines of a non-empty mapping or sequence at column 0. */
function blockLines(v: SopsMap | SopsValue[]): string[] {
  const out: string[] = [];
  if (v instanceof Map) {
    for (const [k, x] of v) {
      const key = yamlString(k);
      if (isBlock(x)) {
        out.push(`${key}:`);
        for (const l of blockLines(x)) out.push("    " + l);
      } else if (typeof x === "string" && literalOk(x)) {
        const [head, ...rest] = literal(x, "    ");
        out.push(`${key}: ${head}`, ...rest);
      } else out.push(`${key}: ${x instanceof Map ? "{}" : Array.isArray(x) ? "[]" : yamlScalar(x)}`);
    }
    return out;
  }
  for (const x of v) {
    if (isBlock(x)) {
      const [first, ...rest] = blockLines(x);
      out.push(`- ${first}`, ...rest.map((l) => (l === "" ? l : "  " + l)));
    } else if (typeof x === "string" && literalOk(x)) {
      const [head, ...rest] = literal(x, "  ");
      out.push(`- ${head}`, ...rest);
    } else out.push(`- ${x instanceof Map ? "{}" : Array.isArray(x) ? "[]" : yamlScalar(x)}`);
  }
  return out;
}

/** YAML the way sops writes it: 4-space indent, indented sequences, block literals, no line folding. */
export function emitYaml(v: SopsMap): string {
  return v.size === 0 ? "{}\n" : blockLines(v).join("\n") + "\n";
}

function jsonValue(v: SopsValue, indent: string): string {
  const inner = indent + "\t";
  if (v instanceof Map) {
    if (v.size === 0) return "{}";
    return `{\n${[...v].map(([k, x]) => `${inner}${JSON.stringify(k)}: ${jsonValue(x, inner)}`).join(",\n")}\n${indent}}`;
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    return `[\n${v.map((x) => inner + jsonValue(x, inner)).join(",\n")}\n${indent}]`;
  }
  if (v instanceof SopsFloat) return Number.isFinite(v.value) ? `${v.value}.0` : "null";
  if (typeof v === "number" && !Number.isFinite(v)) return "null";
  return JSON.stringify(v);
}

/** JSON the way sops writes it (tab indent). */
export function emitJson(v: SopsMap): string {
  return jsonValue(v, "") + "\n";
}
