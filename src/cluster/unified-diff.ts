// A unified diff of two texts (diff -u format, 3 lines of context), from a Myers shortest edit script.

type Op = { t: " " | "-" | "+"; line: string };

function editScript(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const v = new Int32Array(2 * max + 2);
  const trace: Int32Array[] = [];
  outer: for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[max + k - 1]! < v[max + k + 1]!) ? v[max + k + 1]! : v[max + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[max + k] = x;
      if (x >= n && y >= m) {
        trace.push(v.slice());
        break outer;
      }
    }
  }
  // walk back
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 2; d >= 0 && (x > 0 || y > 0); d--) {
    const vv = trace[d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && vv[max + k - 1]! < vv[max + k + 1]!) ? k + 1 : k - 1;
    const prevX = vv[max + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) ops.push({ t: " ", line: a[--x]! }), y--;
    if (d === 0) break;
    if (x === prevX) ops.push({ t: "+", line: b[--y]! });
    else ops.push({ t: "-", line: a[--x]! });
  }
  while (x > 0 && y > 0) ops.push({ t: " ", line: a[--x]! }), y--;
  while (x > 0) ops.push({ t: "-", line: a[--x]! });
  while (y > 0) ops.push({ t: "+", line: b[--y]! });
  return ops.reverse();
}

const lines = (s: string): string[] => (s === "" ? [] : s.replace(/\n$/, "").split("\n"));

/** diff -u of a → b with the given file labels; "" when they are equal. */
export function unifiedDiff(a: string, b: string, fromLabel: string, toLabel: string, context = 3): string {
  if (a === b) return "";
  const ops = editScript(lines(a), lines(b));
  const out: string[] = [`--- ${fromLabel}`, `+++ ${toLabel}`];
  let i = 0;
  while (i < ops.length) {
    while (i < ops.length && ops[i]!.t === " ") i++;
    if (i >= ops.length) break;
    let start = Math.max(0, i - context);
    let end = i;
    // extend the hunk while changes are within 2*context of each other
    for (;;) {
      while (end < ops.length && ops[end]!.t !== " ") end++;
      let j = end;
      while (j < ops.length && ops[j]!.t === " ") j++;
      if (j < ops.length && j - end <= 2 * context) end = j;
      else {
        end = Math.min(ops.length, end + context);
        break;
      }
    }
    // line numbers
    let aLine = 1;
    let bLine = 1;
    for (let k = 0; k < start; k++) {
      if (ops[k]!.t !== "+") aLine++;
      if (ops[k]!.t !== "-") bLine++;
    }
    const hunk = ops.slice(start, end);
    const aCount = hunk.filter((o) => o.t !== "+").length;
    const bCount = hunk.filter((o) => o.t !== "-").length;
    out.push(`@@ -${aCount ? aLine : aLine - 1},${aCount} +${bCount ? bLine : bLine - 1},${bCount} @@`);
    for (const o of hunk) out.push(`${o.t}${o.line}`);
    i = end;
    start = end;
  }
  return out.join("\n") + "\n";
}
