// Where every value of a YAML document starts, from js-yaml's event stream (fast, no document
// model): enough to place a diagnostic at a field path. Positions follow the `yaml` library's
// conventions (a quoted scalar starts at its quote, a block scalar at its indicator) so both readers
// place a problem at the same line and column.
import { getScalarValue } from "js-yaml";

export interface PosNode {
  readonly kind: "map" | "seq" | "scalar" | "alias";
  /** offset of the value's first character */
  readonly start: number;
  /** map: keys in order (undefined for a key that is not a scalar) with where each key starts */
  readonly keys: (string | undefined)[];
  readonly keyStarts: number[];
  /** map: values in key order; seq: items */
  readonly children: PosNode[];
}

const SCALAR = 4, SEQUENCE = 2, MAPPING = 3, ALIAS = 5, POP = 6, DOCUMENT = 1;
const QUOTED = new Set([2, 3]);
const BLOCK = new Set([4, 5]);

/**
 * The document's root node from js-yaml events; undefined when a position could differ from the
 * `yaml` library's (empty values, anchors, tags): the caller then asks that library instead.
 * `unsafeKeys` is set when a key is null, which the two libraries turn into different field names.
 */
export function positionTree(text: string, events: readonly { type: number; [k: string]: unknown }[]): { root: PosNode | undefined; unsafeKeys: boolean } {
  let exact = true;
  let unsafeKeys = false;
  let root: PosNode | undefined;
  const stack: { node: PosNode; pendingKey: boolean; keyStart: number; key: string | undefined }[] = [];
  const attach = (n: PosNode, keyText: string | undefined) => {
    const top = stack[stack.length - 1];
    if (!top) { root ??= n; return; }
    if (top.node.kind === "seq") { top.node.children.push(n); return; }
    if (top.pendingKey) {
      top.pendingKey = false;
      if (n.kind !== "scalar" || keyText === undefined || NULLS.has(keyText)) unsafeKeys = true;
      top.key = n.kind === "scalar" ? keyText : undefined;
      top.keyStart = n.start;
      return;
    }
    top.node.keys.push(top.key);
    top.node.keyStarts.push(top.keyStart);
    top.node.children.push(n);
    top.pendingKey = true;
  };
  const node = (kind: PosNode["kind"], start: number): PosNode => ({ kind, start, keys: [], keyStarts: [], children: [] });
  for (const e of events) {
    switch (e.type) {
      case DOCUMENT: if (root) return { root: exact ? root : undefined, unsafeKeys }; break; // a second document: the first is enough
      case MAPPING:
      case SEQUENCE: {
        if ((e.anchorStart as number) >= 0 || (e.tagStart as number) >= 0) exact = false;
        const n = node(e.type === MAPPING ? "map" : "seq", e.start as number);
        attach(n, undefined);
        stack.push({ node: n, pendingKey: true, keyStart: 0, key: undefined });
        break;
      }
      case SCALAR: {
        const style = e.style as number;
        let start = e.valueStart as number;
        if (start < 0 || (e.anchorStart as number) >= 0 || (e.tagStart as number) >= 0) exact = false;
        if (QUOTED.has(style)) start -= 1;
        else if (BLOCK.has(style)) start = blockIndicator(text, start);
        attach(node("scalar", start), start < 0 ? "" : getScalarValue(text, e as never));
        break;
      }
      case ALIAS:
        exact = false;
        attach(node("alias", 0), undefined);
        break;
      case POP:
        stack.pop();
        break;
    }
  }
  return { root: exact ? root : undefined, unsafeKeys };
}

const NULLS = new Set(["", "~", "null", "Null", "NULL"]);

/** A block scalar's content starts on the line after its `|` or `>` indicator: find the indicator. */
function blockIndicator(text: string, contentStart: number): number {
  let i = contentStart - 1;
  while (i >= 0 && text[i] !== "|" && text[i] !== ">") i--;
  return i >= 0 ? i : contentStart;
}

/** Offsets of line starts, for offset → line and column. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

export function lineColumn(starts: readonly number[], offset: number): { line: number; column: number } {
  let lo = 0, hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo]! + 1 };
}
