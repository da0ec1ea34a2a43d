// Where the CLI writes: colours only on a terminal (and never with NO_COLOR), JSON when asked.
import type { Diagnostic } from "../spec/diagnostic.js";
import { formatDiagnostic } from "../spec/diagnostic.js";

export interface Output {
  readonly json: boolean;
  readonly color: boolean;
  out(text: string): void;
  err(text: string): void;
  /** one line of progress on a terminal, replaced by the next (quiet with --json, when stderr is not a terminal, or TERM=dumb); "" clears it */
  progress(step: string): void;
}

export function makeOutput(json: boolean, stream: { out: NodeJS.WritableStream & { isTTY?: boolean }; err: NodeJS.WritableStream & { isTTY?: boolean } } = { out: process.stdout, err: process.stderr }): Output {
  const color = !json && !!stream.out.isTTY && !process.env.NO_COLOR && process.env.TERM !== "dumb";
  return {
    json,
    color,
    out: (t) => void stream.out.write(t.endsWith("\n") ? t : t + "\n"),
    err: (t) => void stream.err.write(t.endsWith("\n") ? t : t + "\n"),
    progress: !json && !!stream.err.isTTY && process.env.TERM !== "dumb"
      ? (s) => void stream.err.write(`\r\x1b[K${s ? `${s.replace(/[\x00-\x1f\x7f-\x9f]/g, " ")}…` : ""}`)
      : () => undefined,
  };
}

export const paint = (o: Output, code: number, s: string): string => (o.color ? `\x1b[${code}m${s}\x1b[0m` : s);
export const bold = (o: Output, s: string) => paint(o, 1, s);
export const dim = (o: Output, s: string) => paint(o, 2, s);
export const green = (o: Output, s: string) => paint(o, 32, s);
export const yellow = (o: Output, s: string) => paint(o, 33, s);
export const red = (o: Output, s: string) => paint(o, 31, s);

export function printDiagnostics(o: Output, ds: readonly Diagnostic[]): void {
  for (const d of ds) o.err(formatDiagnostic(d, o.color));
}

/** A fixed-width table; the first row is the header. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, visible(c).length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c + " ".repeat(widths[i]! - visible(c).length))).join("  ").trimEnd()).join("\n");
}
const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "");
