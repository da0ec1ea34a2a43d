// Seat edits touch only the seat's lines, in every layout lab.yaml may use.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parse } from "yaml";
import { addSeatText, removeSeatText } from "./seats-edit.js";

const seatsOf = (t: string) => (parse(t) as { network: { seats: unknown } }).network.seats;

test("block list of block maps: appended in block style, removed to the byte", () => {
  const t = "a: 1 # keep\nnetwork:\n  seats:\n    # the family\n    - name: one\n      device: phone\n  mtu: 1\nz: [1,2]\n";
  const added = addSeatText(t, "lab.yaml", { name: "two", owner: "bob" });
  assert.equal(added, "a: 1 # keep\nnetwork:\n  seats:\n    # the family\n    - name: one\n      device: phone\n    - name: two\n      owner: bob\n  mtu: 1\nz: [1,2]\n");
  assert.equal(removeSeatText(added, "lab.yaml", "two"), t);
});

test("flow list, empty list, null, missing seats, missing network", () => {
  const flow = "network:\n  seats: [{name: a}]   # c\n";
  assert.equal(addSeatText(flow, "l", { name: "b" }), "network:\n  seats: [{name: a}, { name: b }]   # c\n");
  assert.equal(removeSeatText(addSeatText(flow, "l", { name: "b" }), "l", "b"), flow);
  assert.deepEqual(seatsOf(addSeatText("network:\n  seats: []\n", "l", { name: "b" })), [{ name: "b" }]);
  assert.deepEqual(seatsOf(addSeatText("network:\n  seats:\n  mtu: 1\n", "l", { name: "b" })), [{ name: "b" }]);
  assert.equal(addSeatText("network:\n  mtu: 1\nx: 1\n", "l", { name: "b", device: "phone" }), "network:\n  mtu: 1\n  seats:\n    - { name: b, device: phone }\nx: 1\n");
  assert.equal(addSeatText("x: 1\n", "l", { name: "b" }), "x: 1\nnetwork:\n  seats:\n    - { name: b }\n");
});

test("removing the last seat leaves an empty list; unknown or duplicate names are errors with a place", () => {
  const t = "network:\n  seats: # devices\n    - { name: a }\n";
  const out = removeSeatText(t, "l", "a");
  assert.equal(out, "network:\n  seats: [] # devices\n");
  assert.deepEqual(seatsOf(out), []);
  assert.throws(() => removeSeatText(t, "lab.yaml", "zz"), /no seat named zz/);
  assert.throws(() => addSeatText(t, "lab.yaml", { name: "a" }), /lab\.yaml:3:7: network\.seats\[0\]\.name: a seat named a already exists/);
});
