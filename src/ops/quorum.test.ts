import { test } from "node:test";
import assert from "node:assert/strict";
import { checkEtcdRemoval, quorumOf } from "./quorum.js";

const m = (name: string, healthy: boolean | undefined = true) => ({ name, healthy });

test("quorum is a strict majority", () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map(quorumOf), [1, 2, 2, 3, 3, 4, 4]);
});

test("removing one of three healthy members is safe; with one down it is not", () => {
  assert.equal(checkEtcdRemoval([m("a"), m("b"), m("c")], "a").safe, true);
  const v = checkEtcdRemoval([m("a"), m("b"), m("c", false)], "a");
  assert.equal(v.safe, false);
  assert.match(!v.safe ? v.reason : "", /removing a leaves 2 members \(quorum 2\) of which only 1 is healthy \(b\)/);
  // removing the member that is down is fine: the two left are healthy
  assert.equal(checkEtcdRemoval([m("a"), m("b"), m("c", false)], "c").safe, true);
});

test("the only member, or a cluster already without quorum, is refused", () => {
  const one = checkEtcdRemoval([m("a")], "a");
  assert.match(!one.safe ? one.reason : "", /only member/);
  const lost = checkEtcdRemoval([m("a"), m("b", false), m("c", false)], "b");
  assert.match(!lost.safe ? lost.reason : "", /already lost quorum/);
});

test("unknown health (no cluster) counts as healthy", () => {
  assert.equal(checkEtcdRemoval([m("a", undefined), m("b", undefined)], "a").safe, true);
  assert.equal(checkEtcdRemoval([m("a", undefined)], "a").safe, false);
});
