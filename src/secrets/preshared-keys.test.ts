import { test } from "node:test";
import assert from "node:assert/strict";
import { editPresharedKeys, presharedKey, presharedKeyEntries, presharedKeysFromStore, presharedKeysToStore } from "./preshared-keys.js";

const bad = (field: string, what: string) => new Error(`${field} ${what}`);

test("preshared keys: looked up in either order, stored one value per first peer, read back the same", () => {
  const e = editPresharedKeys({});
  e.set("node/b", "node/a", "K1=");
  e.set("node/a", "node/c", "K2=");
  e.set("seat/x", "node/b", "K3=");
  const psks = e.done();
  assert.equal(presharedKey(psks, "node/a", "node/b"), "K1=");
  assert.equal(presharedKey(psks, "node/b", "node/a"), "K1=");
  assert.equal(presharedKey(psks, "node/c", "node/b"), undefined);
  assert.equal(presharedKeyEntries(psks).length, 3);
  const stored = presharedKeysToStore(psks);
  assert.deepEqual(stored, { "node/a": "node/b K1=\nnode/c K2=\n", "node/b": "seat/x K3=\n" });
  assert.deepEqual(presharedKeyEntries(presharedKeysFromStore(stored, bad)), presharedKeyEntries(psks));
});

test("preshared keys: stores written one key per pair (a|b) are still read", () => {
  const psks = presharedKeysFromStore({ "node/a|node/b": "K1=", "node/a|seat/z": "K2=" }, bad);
  assert.deepEqual(presharedKeyEntries(psks), [["node/a", "node/b", "K1="], ["node/a", "seat/z", "K2="]]);
});

test("preshared keys: a malformed store value names its field", () => {
  assert.throws(() => presharedKeysFromStore({ "node/a": "node/b\n" }, bad), /wireguardPresharedKeys\.node\/a has a line that is not "peer key"/);
  assert.throws(() => presharedKeysFromStore({ "node/a": 3 }, bad), /wireguardPresharedKeys\.node\/a is not a string/);
  assert.throws(() => presharedKeysFromStore({ "node/a": "node/a K=\n" }, bad), /names the pair/);
});

test("preshared keys: dropping a peer removes every pair it is part of and copies only what changes", () => {
  const original = { "node/a": { "node/b": "1", "node/c": "2" }, "node/b": { "node/c": "3" } };
  const e = editPresharedKeys(original);
  assert.deepEqual(e.dropPeer("node/b"), ["node/a|node/b", "node/b|node/c"]);
  assert.deepEqual(e.done(), { "node/a": { "node/c": "2" } });
  assert.deepEqual(original, { "node/a": { "node/b": "1", "node/c": "2" }, "node/b": { "node/c": "3" } }, "the input is unchanged");
});
