// The fast reader (js-yaml) must read exactly what the positional reader (yaml) reads, for every
// value a valid lab can hold: both follow the YAML 1.2 core schema plus merge keys.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadSpec } from "./load.js";
import { EXAMPLES, exampleFiles } from "../testing/paths.js";

const base = readFileSync(join(EXAMPLES, "talos-mixed", "lab.yaml"), "utf8");
const same = (text: string, what: string) => {
  const fast = loadSpec(text, "lab.yaml");
  const slow = loadSpec(text, "lab.yaml", { fast: false });
  assert.deepEqual(fast.diagnostics, slow.diagnostics, what);
  assert.deepEqual(fast.spec, slow.spec, what);
  return fast;
};

test("every example reads the same on both paths", () => {
  for (const f of exampleFiles()) assert.ok(same(readFileSync(f, "utf8"), f).spec, f);
});

test("scalars at the edges of the core schema read the same on both paths", () => {
  const scalars = [
    "1_000", "1e999", "-1E400", "1e309", "0x1F", "0o17", "017", "+12", "1e3", "1.5e3", ".inf", "-.Inf", ".NaN", "~", "null", "Null", "NULL", "true", "True", "TRUE", "yes", "no", "on", "off", "y", "n",
    "2026-11-30", "2026-11-30T07:00:00Z", "12:30:00", "0b101", "!!str 12", "!!int \"12\"", "\"12\"", "'12'", "''", "\"\"", "\"\\u00e9\"", "\"a\\tb\"", "'it''s'",
    "é", "日本", "a: b", "\"a: b\"", "- x", "[a, b]", "{ a: 1 }", "&x 1", "*x", "|\n    two\n    lines", ">-\n    folded\n    text", "\"multi\n    line\"",
    "__proto__", "constructor", "toString", "hasOwnProperty", "12 # comment", "\"#notcomment\"", "a#b", "=", "<<", "!", "%", "@", "`",
  ];
  let accepted = 0;
  for (const v of scalars) {
    // as a label value (any string), as an env value (any string), as a count (a number) and as a key
    const texts = [
      base.replace("gpuPassthrough: true }", `gpuPassthrough: true, labels: { x: ${v.includes("\n") ? JSON.stringify(v) : v} } }`),
      base.replace("{ name: grafana, exposure: private }", `{ name: grafana, exposure: private, env: { X: ${v.includes("\n") ? JSON.stringify(v) : v} } }`),
      base.replace("{ name: homepage, exposure: private, replicas: 2,", `{ name: homepage, exposure: private, replicas: ${v.includes("\n") ? JSON.stringify(v) : v},`),
      base.replace("monitoring:\n", `monitoring:\n  ${v.split("\n")[0]}: 1\n`),
      base.replace("    nat: true\n", `    nat: ${v.includes("\n") ? JSON.stringify(v) : v}\n`),
    ];
    for (const t of texts) if (same(t, v).spec) accepted++;
  }
  assert.ok(accepted > 40, `${accepted} variants accepted`);
});

test("block scalars, CRLF, a byte-order mark, comments and merge keys read the same on both paths", () => {
  same(base.replace(/\n/g, "\r\n"), "CRLF");
  same("\uFEFF" + base, "BOM");
  same(base.replace("{ name: grafana, exposure: private }", "{ name: grafana, exposure: private, env: { MOTD: \"line one\\nline two\" } }"), "escaped newline");
  same(base.replace("apps:\n", "apps:\n  - name: n8n\n    env:\n      SCRIPT: |\n        echo one\n        echo two\n      FOLDED: >\n        a\n        b\n"), "block scalars");
  same(base.replace("hosts:\n", "x-pi: &pi { site: home, arch: arm64, cpu: 4, memory: 4Gi }\nhosts:\n").replace("{ name: rpi4-1, site: home, arch: arm64, cpu: 4, memory: 4Gi,", "{ <<: *pi, name: rpi4-1,"), "merge key");
  same(base.replace("kind: Lab\n", "kind: Lab\n...\n"), "document end marker");
  same("%YAML 1.2\n---\n" + base, "directive");
});
