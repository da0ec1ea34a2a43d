import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { appendItem, indexByName, removeItem } from "./edit.js";
import { loadSpec } from "./load.js";
import { EXAMPLES } from "../testing/paths.js";

const example = readFileSync(join(EXAMPLES, "talos-mixed", "lab.yaml"), "utf8");

test("appending a node keeps every other byte and the list's flow style", () => {
  const out = appendItem(example, "nodes", { name: "talos12", host: "gamer", kind: "vm", cpu: 2, memory: "2Gi", address: "192.168.10.32", mac: "52:54:00:10:00:32" });
  const added = out.split("\n").filter((l) => !example.split("\n").includes(l));
  assert.deepEqual(added, ['  - { name: talos12, host: gamer, kind: vm, cpu: 2, memory: 2Gi, address: 192.168.10.32, mac: "52:54:00:10:00:32" }']);
  assert.equal(out.replace(added[0]! + "\n", ""), example);
  const r = loadSpec(out);
  assert.ok(r.spec, JSON.stringify(r.diagnostics));
  assert.equal(r.spec.nodes.at(-1)!.mac, "52:54:00:10:00:32");
  assert.equal(indexByName(out, "nodes", "talos12"), 11);
});

test("removing a node takes exactly its line", () => {
  const out = removeItem(example, "nodes", "talos05");
  const gone = example.split("\n").filter((l) => !out.split("\n").includes(l));
  assert.equal(gone.length, 1);
  assert.match(gone[0]!, /name: talos05/);
  assert.equal(indexByName(out, "nodes", "talos05"), -1);
  assert.ok(loadSpec(out).spec);
});

test("block-style lists get block items; comments survive add and remove", () => {
  const text = [
    "nodes:",
    "  # the first",
    "  - name: a",
    "    host: h # inline",
    "    address: 10.0.0.2",
    "  # about b",
    "  - name: b",
    "    host: h",
    "    address: 10.0.0.3 # last",
    "",
    "network: {}",
    "",
  ].join("\n");
  const added = appendItem(text, "nodes", { name: "c", host: "h", address: "10.0.0.4", labels: { x: "z" } });
  assert.equal(added, text.replace("10.0.0.3 # last\n", "10.0.0.3 # last\n  - name: c\n    host: h\n    address: 10.0.0.4\n    labels:\n      x: z\n"));
  assert.equal(removeItem(text, "nodes", "a"), text.replace("  - name: a\n    host: h # inline\n    address: 10.0.0.2\n", ""));
  assert.equal(removeItem(text, "nodes", "b"), text.replace("  - name: b\n    host: h\n    address: 10.0.0.3 # last\n", ""));
});
