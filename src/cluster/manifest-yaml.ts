// A fast reader for the plain YAML that manifests are written in (block maps and sequences, plain,
// quoted and literal scalars, simple flow lists), about ten times quicker than the full parser. Anything
// outside that subset, or whose YAML 1.1 meaning is not obvious (yes/no, octal, dates, folded
// scalars, anchors, tags, comments after values…), makes it give up, and the caller uses the full
// parser for that document: the result is always what the full parser gives.

class GiveUp extends Error {}
const giveUp = (): never => {
  throw new GiveUp();
};

interface Line {
  readonly indent: number;
  readonly text: string;
}

const NULLS = new Set(["~", "null", "Null", "NULL"]);
const TRUE = new Set(["true", "True", "TRUE"]);
const FALSE = new Set(["false", "False", "FALSE"]);
const YAML11_WORDS = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/;

function plainScalar(s: string): unknown {
  if (s === "") return null;
  if (NULLS.has(s)) return null;
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  if (YAML11_WORDS.test(s)) giveUp();
  if (/^-?(0|[1-9][0-9]*)$/.test(s)) {
    const n = Number(s);
    return Number.isSafeInteger(n) ? n : giveUp();
  }
  if (/^-?[0-9]+\.[0-9]+$/.test(s)) return Number(s);
  if (/^[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|Pi|Ei|M|G|T|P|E|ns|us|ms|s|h|d)$/.test(s)) return s; // quantities, durations
  if (/: |:$| #|\t/.test(s)) giveUp();
  if (/^[0-9]+(\.[0-9]+){2,}$/.test(s)) return s; // versions, addresses
  if (/^[0-9]/.test(s) && /[^0-9a-fA-FxXoObB_.:+\-TtZz ]/.test(s)) return s; // has a letter no number or date has
  if (/^[-+.0-9]/.test(s) && !/^-[A-Za-z]/.test(s)) giveUp(); // octal, sexagesimal, dates, .inf, exponents…
  if (/^[&*!|>'"%@`{}[\],#?:-]/.test(s)) giveUp();
  if (/: |:$| #|\t/.test(s)) giveUp();
  return s;
}

function scalar(raw: string): unknown {
  const s = raw.trim();
  if (s.startsWith('"')) {
    if (s.length < 2 || !s.endsWith('"') || /\\[xUeN_LP \t0abv]/.test(s)) giveUp();
    try {
      const v = JSON.parse(s) as unknown;
      return typeof v === "string" ? v : giveUp();
    } catch {
      return giveUp();
    }
  }
  if (s.startsWith("'")) {
    if (s.length < 2 || !s.endsWith("'")) giveUp();
    const inner = s.slice(1, -1);
    if (/'(?!')/.test(inner.replace(/''/g, ""))) giveUp();
    return inner.replace(/''/g, "'");
  }
  if (s.startsWith("[")) {
    if (!s.endsWith("]")) giveUp();
    const inner = s.slice(1, -1).trim();
    if (inner === "") return [];
    if (/[[\]{}]/.test(inner)) giveUp();
    return inner.split(",").map((x) => {
      const t = x.trim();
      if (t === "") giveUp();
      if (t.startsWith('"') || t.startsWith("'")) return scalar(t);
      if (/[:#]/.test(t)) giveUp();
      return plainScalar(t);
    });
  }
  if (s === "{}") return {};
  return plainScalar(s);
}

function key(raw: string): string {
  if (raw.startsWith('"') || raw.startsWith("'")) {
    const v = scalar(raw);
    return typeof v === "string" ? v : giveUp();
  }
  if (raw === "" || /^[&*!|>%@`{}[\],#?-]/.test(raw) || /[\t#]/.test(raw) || raw !== raw.trim()) giveUp();
  const v = plainScalar(raw);
  return typeof v === "string" ? v : giveUp(); // keys like `true` or `1` keep their YAML meaning: full parser
}

/** Splits `key: rest` (rest may be empty); undefined when the line is not a mapping entry. */
function entry(text: string): [string, string] | undefined {
  if (text.startsWith('"') || text.startsWith("'")) {
    const q = text[0]!;
    let i = 1;
    for (; i < text.length; i++) {
      if (q === '"' && text[i] === "\\") i++;
      else if (text[i] === q) {
        if (q === "'" && text[i + 1] === "'") i++;
        else break;
      }
    }
    const after = text.slice(i + 1);
    if (!after.startsWith(":") || (after.length > 1 && after[1] !== " ")) return undefined;
    return [key(text.slice(0, i + 1)), after.slice(1)];
  }
  const m = /^([^:]*?):( |$)/.exec(text);
  if (!m) return undefined;
  return [key(m[1]!), text.slice(m[0].length)];
}

class Reader {
  i = 0;
  constructor(readonly lines: Line[], readonly raw: string[]) {}

  block(indent: number): unknown {
    const l = this.lines[this.i];
    if (!l || l.indent < indent) return null;
    if (l.text === "-" || l.text.startsWith("- ")) return this.seq(l.indent);
    return this.map(l.indent);
  }

  map(indent: number, first?: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    let text = first;
    for (;;) {
      if (text === undefined) {
        const l = this.lines[this.i];
        if (!l || l.indent < indent) break;
        if (l.indent > indent) giveUp();
        if (l.text === "-" || l.text.startsWith("- ")) break;
        text = l.text;
      }
      const e = entry(text) ?? giveUp();
      const [k, rest] = e;
      if (Object.prototype.hasOwnProperty.call(out, k) || k === "__proto__" || k === "<<") giveUp();
      this.i++;
      const r = rest.trim();
      if (r === "") {
        const next = this.lines[this.i];
        if (next && next.indent > indent) out[k] = this.block(next.indent);
        else if (next && next.indent === indent && (next.text === "-" || next.text.startsWith("- "))) out[k] = this.seq(indent);
        else out[k] = null;
      } else if (r.startsWith("|") || r.startsWith(">")) {
        out[k] = this.literal(r, indent);
      } else {
        out[k] = scalar(r);
        const next = this.lines[this.i];
        if (next && next.indent > indent) giveUp(); // a multi-line plain scalar
      }
      text = undefined;
    }
    return out;
  }

  seq(indent: number): unknown[] {
    const out: unknown[] = [];
    for (;;) {
      const l = this.lines[this.i];
      if (!l || l.indent !== indent || !(l.text === "-" || l.text.startsWith("- "))) {
        if (l && l.indent > indent) giveUp();
        break;
      }
      const rest = l.text === "-" ? "" : l.text.slice(2);
      const itemIndent = indent + 2 + (rest.length - rest.trimStart().length);
      const r = rest.trim();
      if (r === "") {
        this.i++;
        const next = this.lines[this.i];
        out.push(next && next.indent > indent ? this.block(next.indent) : null);
      } else if (r === "-" || r.startsWith("- ")) {
        giveUp(); // nested compact sequences
      } else if (!r.startsWith('"') && !r.startsWith("'") && !r.startsWith("[") && !r.startsWith("{") && entry(r) !== undefined) {
        // `- key: value` starts a mapping whose keys sit at the item's indent
        out.push(this.map(itemIndent, r));
      } else if (r.startsWith("|") || r.startsWith(">")) {
        giveUp();
      } else {
        this.i++;
        out.push(scalar(r));
        const next = this.lines[this.i];
        if (next && next.indent > indent) giveUp();
      }
    }
    return out;
  }

  /** A literal block scalar (| or |-) after `key:` at `indent`. */
  literal(header: string, indent: number): string {
    if (header !== "|" && header !== "|-") giveUp(); // folded, keep, explicit indentation: full parser
    // the block's lines are the raw lines until one with content at indent <= `indent`
    const start = this.lineIndex(this.i - 1) + 1; // the raw line after `key: |` (comment-like lines belong to the block)
    const body: string[] = [];
    let j = start;
    let contentIndent = -1;
    for (; j < this.raw.length; j++) {
      const line = this.raw[j]!;
      if (line.trim() === "") {
        if (line.length > 0) giveUp(); // spaces-only lines: their meaning depends on the indentation
        body.push("");
        continue;
      }
      const ind = line.length - line.trimStart().length;
      if (/^\t/.test(line.slice(ind - 1, ind))) giveUp();
      if (ind <= indent) break;
      if (contentIndent < 0) contentIndent = ind;
      if (ind < contentIndent) giveUp();
      body.push(line.slice(contentIndent));
    }
    // skip the structured lines that belong to the block
    while (this.i < this.lines.length && this.lineIndex(this.i) < j) this.i++;
    while (body.length && body[body.length - 1] === "") body.pop();
    if (!body.length) return "";
    return body.join("\n") + (header === "|" ? "\n" : "");
  }

  private lineIndex(i: number): number {
    return i < this.lines.length ? (this.lines[i] as Line & { at: number }).at : this.raw.length;
  }
}

/**
 * One YAML document's value, or undefined when the text is outside the fast subset (then use the
 * full parser). The text must not contain document markers.
 */
export function readManifestYaml(text: string): unknown {
  if (text.includes("\t") || text.includes("\r") || /^(%|\.\.\.|---)/m.test(text)) return undefined;
  const raw = text.split("\n");
  const lines: (Line & { at: number })[] = [];
  for (const [at, r] of raw.entries()) {
    const t = r.trimEnd();
    const content = t.trimStart();
    if (content === "" || content.startsWith("#")) continue;
    lines.push({ indent: t.length - content.length, text: content, at });
  }
  if (!lines.length) return null;
  try {
    const rd = new Reader(lines, raw);
    const v = rd.block(lines[0]!.indent);
    if (rd.i !== lines.length) return undefined;
    return v;
  } catch (e) {
    if (e instanceof GiveUp) return undefined;
    throw e;
  }
}
