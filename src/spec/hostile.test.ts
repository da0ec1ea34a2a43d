// Hostile input gets one clear, positioned error quickly: never an exception, never a hang.
// (Each test has a timeout as a hang guard; speed itself is measured in bench/, not asserted here.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { loadSpec } from "./load.js";
import { MAX_BYTES, MAX_DEPTH } from "./source.js";
import { EXAMPLES } from "../testing/paths.js";

const example = readFileSync(join(EXAMPLES, "talos-mixed", "lab.yaml"), "utf8");
const GUARD = { timeout: 30_000 };

function only(text: string, pattern: RegExp) {
  const r = loadSpec(text, "lab.yaml");
  assert.equal(r.spec, undefined);
  assert.ok(r.diagnostics.length >= 1 && r.diagnostics.length <= 10, `${r.diagnostics.length} diagnostics`);
  assert.match(r.diagnostics[0]!.message, pattern, JSON.stringify(r.diagnostics[0]));
  for (const d of r.diagnostics) assert.ok(d.line >= 1 && d.column >= 1 && (d.hint || d.message.startsWith("must")), JSON.stringify(d));
  return r.diagnostics;
}

test("a file over the size limit is refused before parsing", GUARD, () => {
  only(example + "#".repeat(MAX_BYTES), /the file is 8\.0 MiB; a lab spec may be at most 8 MiB/);
});

test("a multi-megabyte document just under the limit is read and checked", GUARD, () => {
  const big = example.replace("name: roper\n", `name: roper\n  # ${"x".repeat(6 * 1024 * 1024)}\n`);
  assert.deepEqual(loadSpec(big, "lab.yaml").diagnostics, []);
  const longValue = example.replace("name: roper\n", `name: ${"r".repeat(3 * 1024 * 1024)}\n`);
  const d = only(longValue, /must be a lower-case DNS label/);
  assert.equal(d[0]!.path, "cluster.name");
  const manyApps = example.replace(/\napps:\n/, `\napps:\n${Array.from({ length: 20000 }, (_, i) => `  - { name: app${i}, app: homepage }`).join("\n")}\n`);
  const r = loadSpec(manyApps, "lab.yaml");
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.spec?.apps.length, 20000 + loadSpec(example, "lab.yaml").spec!.apps.length);
  const dup = loadSpec(manyApps.replace("  - { name: app19999, app: homepage }", "  - { name: app7, app: homepage }"), "lab.yaml").diagnostics;
  assert.deepEqual(dup.map((d) => d.message), ["app name app7 is already used by apps[7]"]);
});

test("deep nesting: brackets, indentation and flow mappings beyond the limit", GUARD, () => {
  only("a: " + "[".repeat(100_000), new RegExp(`nests 100000 levels deep; at most ${MAX_DEPTH}`));
  only("a: " + "{b: ".repeat(MAX_DEPTH + 5) + "1" + "}".repeat(MAX_DEPTH + 5), /levels deep/);
  let text = "";
  for (let i = 0; i < 500; i++) text += `${"  ".repeat(i)}k${i}:\n`;
  only(text, /levels deep/);
  // deep but allowed: a structural error, not a crash
  only("cluster: " + "[".repeat(MAX_DEPTH - 1) + "]".repeat(MAX_DEPTH - 1), /.+/);
});

test("alias bombs (billion laughs) are refused; ordinary anchors and merge keys are fine", GUARD, () => {
  const laughs = ['lol: &lol0 "lol"'];
  for (let i = 1; i <= 9; i++) laughs.push(`lol${i}: &lol${i} [${Array(10).fill(`*lol${i - 1}`).join(", ")}]`);
  only(laughs.join("\n"), /too many YAML aliases/);
  const merged = example.replace("hosts:\n", "x-pi: &pi { site: home, arch: arm64, cpu: 4, memory: 4Gi }\nhosts:\n").replace("{ name: rpi4-1, site: home, arch: arm64, cpu: 4, memory: 4Gi,", "{ <<: *pi, name: rpi4-1,");
  assert.deepEqual(loadSpec(merged, "lab.yaml").diagnostics, []);
  const d = only("a: *nowhere\n", /the alias \*nowhere refers to no anchor/);
  assert.equal(d[0]!.line, 1);
  assert.equal(d[0]!.column, 4);
});

test("binary garbage and invalid UTF-8", GUARD, () => {
  only("\u0000\u0001\u0002ELF", /not UTF-8 text/);
  only(Buffer.from([0x68, 0x69, 0x3a, 0x20, 0xc3, 0x28, 0xa0, 0xa1]).toString("utf8"), /not UTF-8 text/);
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 2000 }), (bytes) => {
      const r = loadSpec(Buffer.from(bytes).toString("utf8"), "junk.yaml");
      assert.equal(r.spec, undefined);
      assert.ok(r.diagnostics.length >= 1 && r.diagnostics.length <= 10);
      for (const d of r.diagnostics) assert.ok(d.line >= 1 && d.column >= 1 && d.message && d.hint !== undefined, JSON.stringify(d));
    }),
    { numRuns: 300, seed: 7 },
  );
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 500 }), (s) => {
      const r = loadSpec(s, "junk.yaml");
      assert.equal(r.spec, undefined);
      for (const d of r.diagnostics) assert.ok(d.line >= 1 && d.column >= 1 && d.message.length > 0);
    }),
    { numRuns: 300, seed: 8 },
  );
});

test("a byte-order mark and CRLF line endings are accepted, and positions stay right", GUARD, () => {
  assert.deepEqual(loadSpec("\uFEFF" + example, "lab.yaml").diagnostics, []);
  const crlf = example.replace(/\n/g, "\r\n");
  assert.deepEqual(loadSpec(crlf, "lab.yaml").diagnostics, []);
  const broken = crlf.replace("subnet: 10.200.0.0/24", "subnet: 10.200.0.5/24");
  const d = loadSpec("\uFEFF" + broken, "lab.yaml").diagnostics;
  const line = example.split("\n").findIndex((l) => l.includes("subnet: 10.200.0.0/24")) + 1;
  assert.equal(d.length, 1);
  assert.equal(d[0]!.line, line);
  assert.equal(d[0]!.column, example.split("\n")[line - 1]!.indexOf("10.200") + 1);
});

test("wrong types everywhere: every scalar replaced by a mapping, a list, null or a number", GUARD, () => {
  for (const replacement of ["{ a: 1 }", "[1, 2]", "null", "12345", "-1", "true", '"\\u0000"']) {
    const text = example.replace(/^(\s*(?:- )?[A-Za-z][\w.-]*:) [^{\[\n#][^\n#]*/gm, `$1 ${replacement}`);
    const r = loadSpec(text, "lab.yaml");
    assert.equal(r.spec, undefined, replacement);
    assert.ok(r.diagnostics.length > 0);
    for (const d of r.diagnostics) assert.ok(d.line >= 1 && d.column >= 1 && d.message.length > 0 && d.path.length > 0, JSON.stringify(d));
  }
  for (const doc of ["", "---", "null", "42", '"text"', "[]", "[1, 2]", "~", "!!binary aGVsbG8=", "%YAML 1.1\n---\na: 1"]) {
    const r = loadSpec(doc, "lab.yaml");
    assert.equal(r.spec, undefined, doc);
    assert.ok(r.diagnostics.length >= 1 && r.diagnostics[0]!.hint, `${doc}: ${JSON.stringify(r.diagnostics)}`);
  }
});
