// One quorum formula (src/lab/quorum.ts) for etcd and Ceph monitors alike (issue 17, bug 3): with
// four monitors, two down is below the quorum of three.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadLabText } from "../lab/load.js";
import { quorumOf } from "../lab/quorum.js";
import { EXAMPLES } from "../testing/paths.js";
import { baseline, whatIf } from "./whatif.js";

const FOUR = "monitors: [192.168.10.11:6789, 192.168.10.12:6789, 192.168.10.13:6789, 192.168.10.14:6789]";

function labWithMonitors(monitors: string) {
  const text = readFileSync(join(EXAMPLES, "talos-mixed", "lab.yaml"), "utf8").replaceAll("monitors: [192.168.10.11:6789, 192.168.10.12:6789, 192.168.10.13:6789]", monitors);
  const r = loadLabText(text, "lab.yaml");
  assert.ok(r.lab, JSON.stringify(r.diagnostics));
  return r.lab;
}

test("quorum is a strict majority", () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map(quorumOf), [1, 2, 2, 3, 3, 4, 4]);
});

test("4 Ceph monitors, 2 of their hosts down: the Ceph classes lose monitor quorum (3 needed)", () => {
  const lab = labWithMonitors(FOUR);
  const r = whatIf(baseline(lab), ["nuc3", "nixos"]);
  const storage = r.spofs.filter((s) => s.component === "storage").map((s) => s.reason);
  assert.equal(storage.length, 2, JSON.stringify(storage));
  for (const s of storage) assert.match(s, /: 2 of 4 Ceph monitors are on hosts that are down \(no monitor quorum\)/);
  // one of four down keeps quorum
  const one = whatIf(baseline(lab), ["nixos"]);
  assert.deepEqual(one.spofs.filter((s) => s.component === "storage"), []);
});

test("3 Ceph monitors: one down keeps quorum, two down lose it", () => {
  const lab = labWithMonitors("monitors: [192.168.10.11:6789, 192.168.10.12:6789, 192.168.10.13:6789]");
  assert.deepEqual(whatIf(baseline(lab), ["nuc3"]).spofs.filter((s) => s.component === "storage"), []);
  assert.equal(whatIf(baseline(lab), ["nuc2", "nuc3"]).spofs.filter((s) => s.component === "storage").length, 2);
});
