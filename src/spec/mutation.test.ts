// Property: random mutations of the valid examples only ever produce positioned spec diagnostics —
// never an exception — and whatever the loader accepts resolves into a Lab and a summary.
// DROVER_PROPERTY_RUNS sets the number of mutated labs per property (default 1000, two properties).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { parse } from "yaml";
import { dump } from "js-yaml";
import { loadSpec } from "./load.js";
import { resolveLab } from "../lab/resolve.js";
import { summarize } from "../cli/commands/check.js";
import { exampleFiles } from "../testing/paths.js";

const RUNS = Number(process.env.DROVER_PROPERTY_RUNS ?? 1000);
const texts = exampleFiles().map((f) => readFileSync(f, "utf8"));
const values = texts.map((t) => parse(t, { merge: true }) as unknown);

/** Every scalar in the examples: realistic values to put in the wrong place. */
const scalars: unknown[] = [];
(function collect(v: unknown) {
  if (Array.isArray(v)) v.forEach(collect);
  else if (v && typeof v === "object") Object.values(v).forEach(collect);
  else if (!scalars.includes(v)) scalars.push(v);
})(values);

const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...scalars),
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -0, "", " ", "0", "-", "~", "null", "Infinity", "NaN", "1e999", "0x10", "192.168.1.999", "10.0.0.0/33", "10.0.0.1/8", "1.2.3.4-1.2.3.1", "/dev/", "16Qi", "∞", "ünïcødé", "a".repeat(300), "__proto__", "constructor", "toString"),
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double(),
  fc.array(fc.constantFrom(...scalars), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom("name", "host", "site", "__proto__", "address", "x", "constructor"), fc.constantFrom(...scalars), { maxKeys: 3 }),
);

type Op = { path: number[]; kind: "set" | "delete" | "duplicate" | "rename" | "swap" | "wrap"; value: unknown; key: string };
const op: fc.Arbitrary<Op> = fc.record({
  path: fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
  kind: fc.constantFrom("set", "set", "delete", "duplicate", "rename", "swap", "wrap"),
  value: oddValue,
  key: fc.oneof(fc.constantFrom("nmae", "adress", "role", "kind", "x-ext", "__proto__", "<<"), fc.string({ maxLength: 8 })),
});

/** Applies one mutation, choosing a child at each level from the seeds in op.path. */
function mutate(root: unknown, o: Op): unknown {
  const copy = structuredClone(root);
  let parent: Record<string | number, unknown> | unknown[] | undefined;
  let key: string | number | undefined;
  let cur: unknown = copy;
  for (const seed of o.path) {
    if (!cur || typeof cur !== "object") break;
    const keys: (string | number)[] = Array.isArray(cur) ? cur.map((_, i) => i) : Object.keys(cur);
    if (keys.length === 0) break;
    parent = cur as Record<string, unknown>;
    key = keys[seed % keys.length]!;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  if (parent === undefined || key === undefined) return o.value;
  const p = parent as Record<string | number, unknown>;
  switch (o.kind) {
    case "set": p[key] = o.value; break;
    case "delete": if (Array.isArray(parent)) parent.splice(Number(key), 1); else delete p[key]; break;
    case "duplicate": if (Array.isArray(parent)) parent.push(structuredClone(p[key])); else p[`${String(key)}`] = [p[key], p[key]]; break;
    case "rename": if (!Array.isArray(parent)) { p[o.key] = p[key]; delete p[key]; } else p[key] = { [o.key]: p[key] }; break;
    case "swap": { const ks = Object.keys(p); const other = ks[(ks.indexOf(String(key)) + 1) % ks.length]!; const t = p[key]; p[key] = p[other]; p[other] = t; break; }
    case "wrap": p[key] = Array.isArray(p[key]) ? { items: p[key] } : [p[key]]; break;
  }
  return copy;
}

let checked = 0;

function assertWellFormed(text: string): void {
  let r;
  try {
    r = loadSpec(text, "lab.yaml");
  } catch (e) {
    assert.fail(`loadSpec threw ${(e as Error).stack}\n--- input ---\n${text.slice(0, 3000)}`);
  }
  // the fast reader (js-yaml events) and the positional reader (yaml) agree; checked on every third
  // input to keep the run short (DROVER_PROPERTY_COMPARE_ALL=1 checks all)
  if (++checked % 3 === 0 || process.env.DROVER_PROPERTY_COMPARE_ALL === "1") {
    const positional = loadSpec(text, "lab.yaml", { fast: false });
    assert.deepEqual(r.diagnostics, positional.diagnostics, `fast and positional readers disagree on:\n${text.slice(0, 3000)}`);
    assert.deepEqual(r.spec, positional.spec, `fast and positional readers read different values from:\n${text.slice(0, 3000)}`);
  }
  const lines = text.split(/\r?\n/).length;
  for (const d of r.diagnostics) {
    assert.ok(Number.isInteger(d.line) && d.line >= 1 && d.line <= lines + 1, `line ${d.line} of ${lines}: ${JSON.stringify(d)}`);
    assert.ok(Number.isInteger(d.column) && d.column >= 1, JSON.stringify(d));
    assert.equal(typeof d.path, "string");
    assert.ok(d.message.length > 0 && !d.message.includes("undefined") && !d.message.includes("[object Object]"), `unhelpful message: ${JSON.stringify(d)}`);
  }
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  if (r.spec) {
    assert.equal(errors.length, 0);
    try {
      const lab = resolveLab(r.spec);
      summarize(lab);
    } catch (e) {
      assert.fail(`an accepted spec failed to resolve: ${(e as Error).stack}\n--- input ---\n${text.slice(0, 3000)}`);
    }
  } else {
    assert.ok(errors.length >= 1, "a refused spec has at least one error");
  }
}

test("structural mutations (values, deletions, duplicates, renames, swaps) of every example", () => {
  fc.assert(
    fc.property(fc.nat(values.length - 1), fc.array(op, { minLength: 1, maxLength: 3 }), (i, ops) => {
      let v = values[i];
      for (const o of ops) v = mutate(v, o);
      assertWellFormed(typeof v === "object" && v !== null ? dump(v, { noRefs: true, skipInvalid: true, lineWidth: -1 }) : String(v));
    }),
    { numRuns: RUNS, seed: Number(process.env.DROVER_PROPERTY_SEED ?? 20261130) },
  );
});

test("text mutations (lines deleted, duplicated or re-indented, characters inserted) of every example", () => {
  const junk = fc.constantFrom(":", "- ", "  ", "\t", "{", "}", "[", "]", "&a ", "*a", "<<: *x", "'", '"', "#", "\n", "---\n", "? ", "|", ">", "!!binary ", "%YAML 1.1\n", "\u00a0", "\r");
  fc.assert(
    fc.property(fc.nat(texts.length - 1), fc.array(fc.record({ at: fc.nat(), kind: fc.constantFrom("delete-line", "dup-line", "indent", "dedent", "insert"), s: junk }), { minLength: 1, maxLength: 4 }), (i, edits) => {
      let lines = texts[i]!.split("\n");
      for (const e of edits) {
        const n = e.at % lines.length;
        if (e.kind === "delete-line") lines.splice(n, 1);
        else if (e.kind === "dup-line") lines.splice(n, 0, lines[n]!);
        else if (e.kind === "indent") lines[n] = "  " + lines[n];
        else if (e.kind === "dedent") lines[n] = lines[n]!.replace(/^ {1,2}/, "");
        else { const l = lines[n]!; const c = e.at % (l.length + 1); lines[n] = l.slice(0, c) + e.s + l.slice(c); }
        if (lines.length === 0) lines = [""];
      }
      assertWellFormed(lines.join("\n"));
    }),
    { numRuns: RUNS, seed: Number(process.env.DROVER_PROPERTY_SEED ?? 20261130) },
  );
});
