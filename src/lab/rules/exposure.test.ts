// Effective exposure is one fact: an app that is public by its catalog default needs the public
// domain exactly like one that says `exposure: public` (issue 17, bug 1).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadLabText } from "../load.js";
import { EXAMPLES } from "../../testing/paths.js";
import { catalogApp } from "../../catalog/index.js";

const starter = readFileSync(join(EXAMPLES, "starter", "lab.yaml"), "utf8");
const withApp = (entry: string) => starter.replace(/^apps:\n/m, `apps:\n  - ${entry}\n`);

test("etherpad, public by its catalog default, in a lab without a public domain is an error like explicit exposure: public", () => {
  assert.equal(catalogApp("etherpad")!.exposure, "public");
  assert.match(starter, /^  domains:\n    private: /m, "the starter lab has no public domain");
  for (const entry of ["{ name: etherpad }", "{ name: etherpad, exposure: public }"]) {
    const r = loadLabText(withApp(entry), "lab.yaml");
    assert.equal(r.spec, undefined, `${entry} was accepted`);
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.equal(errors[0]!.message, "a public service needs cluster.domains.public");
    assert.equal(errors[0]!.path, entry.includes("exposure") ? "apps[0].exposure" : "apps[0].name");
    assert.match(errors[0]!.hint!, /cluster\.domains\.public/);
  }
  // the same app kept private is fine, and is counted private
  const ok = loadLabText(withApp("{ name: etherpad, exposure: private }"), "lab.yaml");
  assert.equal(ok.lab?.app("etherpad").exposure.kind, "private");
});
