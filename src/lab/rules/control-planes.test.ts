import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadLabText } from "../load.js";
import { EXAMPLES } from "../../testing/paths.js";

const text = readFileSync(join(EXAMPLES, "talos-mixed", "lab.yaml"), "utf8");

test("with the volatile hosts off, too few control planes for etcd quorum is a warning at the first volatile one", () => {
  const two = text.replace("{ name: talos02, host: nuc2, kind: vm, role: controlplane", "{ name: talos02, host: gamer, kind: vm, role: controlplane");
  const r = loadLabText(two, "lab.yaml");
  assert.ok(r.lab, JSON.stringify(r.diagnostics));
  const w = r.diagnostics.filter((d) => /volatile hosts off/.test(d.message));
  assert.equal(w.length, 1);
  assert.equal(w[0]!.path, "nodes[1].host");
  assert.equal(w[0]!.message, "with the volatile hosts off only 1 of 3 control planes remain; etcd needs 2 for quorum");
  // one volatile control plane of three keeps quorum: nothing to say
  assert.deepEqual(loadLabText(text, "lab.yaml").diagnostics.filter((d) => /volatile/.test(d.message)), []);
});
