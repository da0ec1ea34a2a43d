import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { Ajv2020 } from "ajv/dist/2020.js";
import { labJsonSchema } from "./json-schema.js";
import { ROOT, exampleFiles } from "../testing/paths.js";

const committed = () => JSON.parse(readFileSync(join(ROOT, "schema", "lab.schema.json"), "utf8"));

test("schema/lab.schema.json is what `npm run schema` generates (run it after changing src/spec/schema.ts)", () => {
  assert.deepEqual(committed(), labJsonSchema());
});

test("a real JSON Schema validator (Ajv, draft 2020-12) accepts every example and rejects wrong ones", () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const validate = ajv.compile(committed());
  const files = exampleFiles();
  assert.equal(files.length, 5);
  for (const f of files) {
    const doc = parse(readFileSync(f, "utf8"), { merge: true });
    assert.ok(validate(doc), `${f}: ${JSON.stringify(validate.errors)}`);
    assert.match(readFileSync(f, "utf8"), /^# yaml-language-server: \$schema=\.\.\/\.\.\/schema\/lab\.schema\.json\n/);
  }
  const base = parse(readFileSync(files[0]!, "utf8"), { merge: true });
  const wrong = [
    { ...base, clusterr: {} },
    { ...base, hosts: [{ ...base.hosts[0], arch: "x86" }] },
    { ...base, nodes: [{ ...base.nodes[0], role: "master" }] },
    { ...base, apiVersion: "v1" },
    { ...base, sites: "home" },
  ];
  for (const w of wrong) assert.equal(validate(w), false, JSON.stringify(w).slice(0, 200));
  assert.ok(validate({ ...base, "x-anchors": { any: "thing" } }), "x- extension fields are allowed");
});
