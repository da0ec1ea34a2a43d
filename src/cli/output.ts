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
  /** a line that stays, printed above the progress line on a terminal (what a long run did so far); quiet where progress is */
  step(text: string): void;
}

export function makeOutput(json: boolean, stream: { out: NodeJS.WritableStream & { isTTY?: boolean }; err: NodeJS.WritableStream & { isTTY?: boolean } } = { out: process.stdout, err: process.stderr }): Output {
  const color = !json && !!stream.out.isTTY && !process.env.NO_COLOR && process.env.TERM !== "dumb";
  return {
    json,
    color,
    out: (t) => void stream.out.write(t.endsWith("\n") ? t : t + "\n"),
    err: (t) => void stream.err.write(t.endsWith("\n") ? t : t + "\n"),
    ...terminalProgress(!json && !!stream.err.isTTY && process.env.TERM !== "dumb", stream.err),
  };
}

/** progress and step lines on a terminal's stderr; nothing otherwise */
function terminalProgress(on: boolean, err: NodeJS.WritableStream & { columns?: number }): Pick<Output, "progress" | "step"> {
  if (!on) return { progress: () => undefined, step: () => undefined };
  const clean = (s: string) => s.replace(/[\x00-\x1f\x7f-\x9f]/g, " ");
  let current = "";
  // one terminal row at most: a wrapped line could not be cleared by \r
  const fit = (s: string) => s.slice(0, Math.max(1, (err.columns ?? 100) - 2)); // the "…" after it ends the cut too
  const draw = () => void err.write(`\r\x1b[K${current ? `${fit(current)}…` : ""}`);
  return {
    progress(s) {
      current = clean(s);
      draw();
    },
    step(text) {
      // colours (SGR sequences) stay; every other control character is a space
      err.write(`\r\x1b[K${text.split("\n").map((l) => l.replace(/\x1b\[[0-9;]*m|[\x00-\x1f\x7f-\x9f]/g, (m) => (m.length > 1 ? m : " "))).join("\n")}\n`);
      if (current) draw();
    },
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
