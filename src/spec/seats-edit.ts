// Adding and removing a seat in lab.yaml's text. Only the lines of the seat change: everything else
// (comments, order, quoting, flow or block layout) stays byte for byte. The YAML Document API finds
// where things are; the edit is a splice of the source text. A new entry takes the style of its
// siblings (flow `{ … }` or block).
import { LineCounter, isMap, isSeq, isScalar, parseDocument, stringify, type Document, type Node as YamlNode, type Pair, type YAMLMap, type YAMLSeq } from "yaml";
import { UserError } from "../errors.js";

export interface SeatEntry {
  readonly name: string;
  readonly owner?: string;
  readonly device?: string;
}

function parse(text: string, display: string): { doc: Document.Parsed; lines: LineCounter } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const p = lines.linePos(e.pos[0]);
    throw new UserError(`${display}:${p.line}:${p.col}: cannot parse YAML: ${e.message.split("\n")[0]}`, "fix lab.yaml first (drover check shows every problem)");
  }
  if (!isMap(doc.contents)) throw new UserError(`${display}:1:1: (document): not a lab spec`, "run drover check");
  return { doc, lines };
}

function pairOf(map: YAMLMap, key: string): Pair<YamlNode, YamlNode> | undefined {
  return (map.items as Pair<YamlNode, YamlNode>[]).find((p) => isScalar(p.key) && String(p.key.value) === key);
}

function findSeat(seq: YAMLSeq | undefined, name: string): { index: number; item: YAMLMap } | undefined {
  if (!seq) return undefined;
  for (const [index, item] of seq.items.entries()) {
    if (isMap(item) && String(item.get("name")) === name) return { index, item: item as YAMLMap };
  }
  return undefined;
}

const lineStart = (text: string, pos: number) => text.lastIndexOf("\n", pos - 1) + 1;
/** the position just after the newline that ends the line holding pos-1 (or the end of text) */
function lineEnd(text: string, pos: number): number {
  const nl = text.indexOf("\n", Math.max(0, pos - 1));
  return nl < 0 ? text.length : nl + 1;
}
const indentAt = (text: string, pos: number) => /^[ \t]*/.exec(text.slice(lineStart(text, pos)))![0];

function flowMap(seat: SeatEntry): string {
  const v = (s: string) => stringify(s, { version: "1.1" }).trimEnd();
  return `{ ${Object.entries(seat).filter(([, x]) => x !== undefined).map(([k, x]) => `${k}: ${v(x as string)}`).join(", ")} }`;
}

function blockItem(seat: SeatEntry, indent: string): string {
  const v = (s: string) => stringify(s, { version: "1.1" }).trimEnd();
  const entries = Object.entries(seat).filter(([, x]) => x !== undefined);
  return entries.map(([k, x], i) => `${i === 0 ? `${indent}- ` : `${indent}  `}${k}: ${v(x as string)}\n`).join("");
}

export function addSeatText(text: string, display: string, seat: SeatEntry): string {
  const { doc, lines } = parse(text, display);
  const root = doc.contents as YAMLMap;
  const networkPair = pairOf(root, "network");
  const network = networkPair?.value;
  const seatsPair = isMap(network) ? pairOf(network as YAMLMap, "seats") : undefined;
  const seq = seatsPair && isSeq(seatsPair.value) ? (seatsPair.value as YAMLSeq) : undefined;
  const existing = findSeat(seq, seat.name);
  if (existing) {
    const at = existing.item.range ? lines.linePos(existing.item.range[0]) : { line: 1, col: 1 };
    throw new UserError(`${display}:${at.line}:${at.col}: network.seats[${existing.index}].name: a seat named ${seat.name} already exists`, `choose another name, or \`drover seat remove ${seat.name}\` first`);
  }
  if (seq?.range && seq.flow) {
    // [a, b] → [a, b, new]: keep each existing item's own text
    const items = seq.items.map((i) => text.slice((i as YamlNode).range![0], (i as YamlNode).range![1]));
    return text.slice(0, seq.range[0]) + `[${[...items, flowMap(seat)].join(", ")}]` + text.slice(seq.range[1]);
  }
  if (seq?.range && seq.items.length) {
    const last = seq.items[seq.items.length - 1] as YamlNode;
    const at = lineEnd(text, last.range![1]);
    const dash = text.lastIndexOf("-", seq.items[0] ? (seq.items[0] as YamlNode).range![0] : last.range![0]);
    const indent = indentAt(text, dash);
    const line = isMap(last) && (last as YAMLMap).flow ? `${indent}- ${flowMap(seat)}\n` : blockItem(seat, indent);
    return text.slice(0, at) + (at > 0 && text[at - 1] !== "\n" ? "\n" : "") + line + text.slice(at);
  }
  if (seatsPair) {
    // `seats:` with nothing (null): put the entry right after the key's line
    const keyEnd = (seatsPair.key as YamlNode).range![1];
    const at = lineEnd(text, keyEnd + 1);
    const indent = indentAt(text, keyEnd) + "  ";
    return text.slice(0, at) + `${indent}- ${flowMap(seat)}\n` + text.slice(at);
  }
  if (isMap(network) && !(network as YAMLMap).flow && network.range) {
    const first = (network as YAMLMap).items[0]?.key as YamlNode | undefined;
    const indent = first?.range ? indentAt(text, first.range[0]) : "  ";
    const at = lineEnd(text, network.range[1]);
    return text.slice(0, at) + (at > 0 && text[at - 1] !== "\n" ? "\n" : "") + `${indent}seats:\n${indent}  - ${flowMap(seat)}\n` + text.slice(at);
  }
  if (!networkPair) return text + (text.endsWith("\n") || !text ? "" : "\n") + `network:\n  seats:\n    - ${flowMap(seat)}\n`;
  throw new UserError(`${display}: network is written in a form drover cannot edit in place`, "write network: as a block mapping, or add the seat by hand");
}

export function removeSeatText(text: string, display: string, name: string): string {
  const { doc } = parse(text, display);
  const network = (doc.contents as YAMLMap).get("network", true);
  const seatsPair = isMap(network) ? pairOf(network as YAMLMap, "seats") : undefined;
  const seq = seatsPair && isSeq(seatsPair.value) ? (seatsPair.value as YAMLSeq) : undefined;
  const found = findSeat(seq, name);
  if (!found || !seq?.range) {
    const names = seq ? seq.items.filter(isMap).map((i) => String((i as YAMLMap).get("name"))) : [];
    throw new UserError(`${display}: network.seats: there is no seat named ${name}`, names.length ? `seats in the lab: ${names.join(", ")}` : "the lab has no seats");
  }
  if (seq.flow) {
    const items = seq.items.filter((_, i) => i !== found.index).map((i) => text.slice((i as YamlNode).range![0], (i as YamlNode).range![1]));
    return text.slice(0, seq.range[0]) + `[${items.join(", ")}]` + text.slice(seq.range[1]);
  }
  const item = found.item as YamlNode;
  const from = lineStart(text, item.range![0]);
  const to = lineEnd(text, item.range![1]);
  let out = text.slice(0, from) + text.slice(to);
  if (seq.items.length === 1) {
    // the last seat: leave an empty list so the key stays valid (`seats: []`)
    const keyEnd = (seatsPair!.key as YamlNode).range![1];
    const colon = out.indexOf(":", keyEnd);
    out = out.slice(0, colon + 1) + " []" + out.slice(colon + 1);
  }
  return out;
}
