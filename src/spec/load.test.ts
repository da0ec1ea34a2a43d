import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { loadSpec } from "./load.js";
import { loadLabText } from "../lab/load.js";
import { join } from "node:path";
import { EXAMPLES, exampleFiles } from "../testing/paths.js";

test("every bundled example is a valid lab", () => {
  const files = exampleFiles();
  assert.equal(files.length, 5, "starter, talos-mixed, pi-cluster, proxmox-k3s and multi-site");
  for (const f of files) {
    // the spec's rules and the rules on the resolved lab
    const r = loadLabText(readFileSync(f, "utf8"), f);
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    assert.deepEqual(errors, [], `${f} has errors`);
    assert.ok(r.spec && r.lab, f);
  }
});

test("a CIDR with host bits set is located and explained", () => {
  const text = readFileSync(join(EXAMPLES, "talos-mixed", "lab.yaml"), "utf8").replace(/subnet: 10\.\d+\.0\.0\/24/, "subnet: 10.0.0.5/24");
  const r = loadSpec(text, "lab.yaml");
  const d = r.diagnostics.find((x) => x.path === "network.overlay.subnet");
  assert.ok(d, JSON.stringify(r.diagnostics));
  assert.equal(d.message, "10.0.0.5/24 has host bits set");
  assert.equal(d.hint, "did you mean 10.0.0.0/24?");
  assert.ok(d.line > 1 && d.column > 1);
});
