// The invalid-spec corpus: test/fixtures/invalid/*.yaml, each the valid base lab with one mistake,
// beside its .expect.json (every diagnostic: severity, file, line, column, field path, message, hint).
// DROVER_UPDATE_FIXTURES=1 rewrites the .expect.json files from what Drover reports; review the diff.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadLabText as loadSpec } from "../lab/load.js";
import { ROOT } from "../testing/paths.js";

const DIR = join(ROOT, "test", "fixtures", "invalid");
const update = process.env.DROVER_UPDATE_FIXTURES === "1";
const fixtures = readdirSync(DIR).filter((f) => f.endsWith(".yaml")).sort();

test("the corpus has at least 80 invalid specs and the base they come from is valid", () => {
  assert.ok(fixtures.length >= 80, `${fixtures.length} fixtures`);
  const base = loadSpec(readFileSync(join(ROOT, "test", "fixtures", "base.yaml"), "utf8"), "base.yaml");
  assert.deepEqual(base.diagnostics, []);
});

for (const f of fixtures) {
  test(`invalid/${f}`, () => {
    const text = readFileSync(join(DIR, f), "utf8");
    const r = loadSpec(text, f);
    const got = r.diagnostics.map((d) => ({ ...d }));
    const expectFile = join(DIR, f.replace(/\.yaml$/, ".expect.json"));
    if (update || !existsSync(expectFile)) writeFileSync(expectFile, JSON.stringify(got, null, 2) + "\n");
    assert.deepEqual(got, JSON.parse(readFileSync(expectFile, "utf8")));
    // every fixture holds one mistake: it is refused, with at least one positioned error
    assert.equal(r.spec, undefined, `${f} was accepted`);
    const errors = got.filter((d) => d.severity === "error");
    assert.ok(errors.length >= 1);
    const lines = text.split("\n").length;
    for (const d of got) {
      assert.ok(d.line >= 1 && d.line <= lines && d.column >= 1, `${f}: position ${d.line}:${d.column}`);
      assert.ok(d.message.length > 0 && !/\n/.test(d.message));
      // what is wrong and how to fix it: a hint, or a message that says what it must be
      assert.ok(d.hint || /\b(must|needs?|use|add|set|remove|pick|give)\b/.test(d.message), `${f}: "${d.path}: ${d.message}" says what is wrong but not how to fix it`);
    }
  });
}
