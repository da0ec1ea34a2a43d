// Fast YAML emission for machine configs: block style, 2-space indents, lists indented under their
// key, keys in insertion order — the same layout as the shared emitter (tree.ts toYaml) at a fraction
// of the cost (a 1,000-node lab renders about 50 MiB of configs). Strings stay plain only when no
// YAML 1.1 reader could take them for anything but a string; everything else is double-quoted
// (JSON string escapes are valid YAML). Values are plain data: objects, arrays, strings, numbers,
// booleans, null.

import { doubleQuoted, goReadsAsNumber } from "../yaml.js";

const NUMBER_LIKE = /^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+(?:[eE][-+]?[0-9]+)?|0x[0-9a-fA-F_]+|0b[01_]+|0o[0-7_]+|\.inf|\.nan)$/i;
const SPECIAL = /^(?:y|n|yes|no|true|false|on|off|null|~)$/i;
const TIMESTAMP = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/;

// characters a plain scalar may hold here: letters, digits and _ . / @ + = - (the first not = or -)
const SAFE = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./@+=-") SAFE[c.charCodeAt(0)] = 1;

function decide(s: string): string {
  const n = s.length;
  if (n === 0) return '""';
  const c0 = s.charCodeAt(0);
  if (c0 === 61 || c0 === 45 || c0 === 64) return doubleQuoted(s); // = or - or @ (reserved)
  let dots = 0;
  let slash = false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || SAFE[c] === 0) return doubleQuoted(s);
    if (c === 46) dots++;
    else if (c === 47) slash = true;
  }
  // only strings starting with a digit, sign or dot can read as numbers or timestamps; a number has
  // at most one dot and no slash (addresses and CIDRs skip the regexes), a timestamp a dash at 4
  if ((c0 >= 48 && c0 <= 57) || c0 === 43 || c0 === 46) {
    if (dots <= 1 && !slash && (NUMBER_LIKE.test(s) || goReadsAsNumber(s))) return doubleQuoted(s);
    if (s.charCodeAt(4) === 45 && TIMESTAMP.test(s)) return doubleQuoted(s);
  }
  if (n <= 5 && SPECIAL.test(s)) return doubleQuoted(s);
  return s;
}

// long strings repeat across configs (certificates, keys, images): remember their form
const cache = new Map<string, string>();

export function scalar(s: string): string {
  if (s.length < 200) return decide(s);
  let v = cache.get(s);
  if (v === undefined) {
    if (cache.size > 1000) cache.clear();
    cache.set(s, (v = decide(s)));
  }
  return v;
}

function atom(v: unknown): string | undefined {
  if (v === null || v === undefined) return "null";
  switch (typeof v) {
    case "string":
      return scalar(v);
    case "number":
      return Number.isFinite(v) ? String(v) : v > 0 ? ".inf" : v < 0 ? "-.inf" : ".nan";
    case "boolean":
      return v ? "true" : "false";
  }
  if (Array.isArray(v)) return v.length ? undefined : "[]";
  if (typeof v === "object") {
    for (const k in v as object) if ((v as Record<string, unknown>)[k] !== undefined) return undefined;
    return "{}";
  }
  throw new Error(`internal: cannot write ${typeof v} as YAML`);
}

function emitMap(o: Record<string, unknown>, indent: string, out: string[], first: boolean, firstPrefix: string): void {
  let lead = first;
  for (const k in o) {
    const v = o[k];
    if (v === undefined) continue;
    const prefix = lead ? firstPrefix : indent;
    lead = false;
    const a = atom(v);
    if (a !== undefined) out.push(`${prefix}${scalar(k)}: ${a}\n`);
    else {
      out.push(`${prefix}${scalar(k)}:\n`);
      emitBlock(v, indent + "  ", out);
    }
  }
}

function emitList(xs: readonly unknown[], indent: string, out: string[]): void {
  for (const x of xs) {
    const a = atom(x);
    if (a !== undefined) out.push(`${indent}- ${a}\n`);
    else if (Array.isArray(x)) {
      out.push(`${indent}-\n`);
      emitList(x, indent + "  ", out);
    } else emitMap(x as Record<string, unknown>, indent + "  ", out, true, `${indent}- `);
  }
}

function emitBlock(v: unknown, indent: string, out: string[]): void {
  if (Array.isArray(v)) emitList(v, indent, out);
  else emitMap(v as Record<string, unknown>, indent, out, false, indent);
}

/** One YAML document (no `---`), ending in a newline. */
export function emitYaml(doc: unknown): string {
  const a = atom(doc);
  if (a !== undefined) return `${a}\n`;
  const out: string[] = [];
  emitBlock(doc, "", out);
  return out.join("");
}
