// whatIf changes the shared baseline's placement while it works and must leave it exactly as it was,
// also when it throws half-way (the dashboard keeps one baseline for every question it is asked).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadSpec } from "../spec/load.js";
import { resolveLab } from "../lab/resolve.js";
import { EXAMPLES } from "../testing/paths.js";
import { baseline, whatIf, type Baseline } from "./whatif.js";

const lab = () => resolveLab(loadSpec(readFileSync(join(EXAMPLES, "talos-mixed", "lab.yaml"), "utf8")).spec!);

function snapshot(b: Baseline): unknown {
  const s = b.state;
  return {
    assignments: [...s.assignments()].sort(),
    live: s.nodes().map((n) => n.name),
    used: s.allNodes().map((n) => s.used(n.name)),
    volumes: b.pods.map((p) => s.volumeNode(p.id) ?? ""),
  };
}

test("what-if leaves the shared baseline as it was, also when it throws after re-placing pods", () => {
  const b = baseline(lab());
  const before = snapshot(b);
  const expected = whatIf(baseline(lab()), ["gamer"]);
  // the same baseline, but reading an app's facts fails: after the nodes are gone and pods re-placed
  let calls = 0;
  // (the lab is frozen: a Proxy may not change its properties, an object inheriting from it may shadow one)
  const failingLab = Object.create(b.lab, { app: { value: () => { calls++; throw new Error("injected failure"); } } }) as Baseline["lab"];
  const failing: Baseline = { ...b, lab: failingLab };
  assert.throws(() => whatIf(failing, ["gamer"]), { message: "injected failure" });
  assert.ok(calls > 0, "the failure was injected after the scenario changed the placement");
  assert.deepEqual(snapshot(b), before);
  // and the next question gets the same answer as on a fresh baseline
  assert.deepEqual(whatIf(b, ["gamer"]), expected);
  assert.deepEqual(snapshot(b), before);
});
