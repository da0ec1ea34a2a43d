// A problem found in a lab.yaml, located in the source text.

export type Severity = "error" | "warning";
export type Path = readonly (string | number)[];

export interface Diagnostic {
  readonly severity: Severity;
  readonly file: string;
  readonly line: number; // 1-based
  readonly column: number; // 1-based
  /** dotted field path, e.g. nodes[3].address */
  readonly path: string;
  readonly message: string;
  readonly hint?: string;
}

/** A problem before it is located: rules produce these, the loader places them in the file. */
export interface Finding {
  readonly severity: Severity;
  readonly path: Path;
  readonly message: string;
  readonly hint?: string;
  /** point at the key of the last path segment instead of its value (unknown fields) */
  readonly atKey?: boolean;
  /** an explicit position, for problems found by the YAML parser itself */
  readonly at?: { readonly line: number; readonly column: number };
}

export function pathText(path: Path): string {
  let s = "";
  for (const p of path) {
    if (typeof p === "number") s += `[${p}]`;
    else s += s === "" ? p : `.${p}`;
  }
  return s === "" ? "(document)" : s;
}

export function formatDiagnostic(d: Diagnostic, color = false): string {
  const sev = d.severity === "error" ? (color ? "\x1b[31merror\x1b[0m" : "error") : color ? "\x1b[33mwarning\x1b[0m" : "warning";
  const where = `${d.file}:${d.line}:${d.column}`;
  return `${where}: ${sev}: ${d.path}: ${d.message}${d.hint ? `\n  hint: ${d.hint}` : ""}`;
}

/** Levenshtein distance, for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) { bestD = d; best = c; }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const c = closest(word, candidates);
  return c ? `did you mean ${c}?` : undefined;
}

/** lab.yaml has errors: printed as positioned diagnostics (here, beside Diagnostic: main need not load the spec reader). */
export class InvalidLab extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[], readonly display: string) {
    super(`${display} is not valid`);
  }
}
