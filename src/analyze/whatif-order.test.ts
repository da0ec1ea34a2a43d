// Displaced pods come back in no fixed order: each controller recreates its own, and a replacement first
// bound to a node that is shutting down is refused and made again later. Where the order decides a
// placement, what-if says so (found on real kubelets: src/ops/shutdown.kubelets.test.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadSpec } from "../spec/load.js";
import { resolveLab } from "../lab/resolve.js";
import { kubeletsLabYaml } from "../testing/kubelets-lab.js";
import { baseline, whatIf } from "./whatif.js";

const RECIPIENT = "age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq";
/** the kubelets lab with h4 volatile and h3 of the given memory; n4 runs homepage, uptime-kuma and bigpage */
const lab = (h3: string) => {
  const r = loadSpec(kubeletsLabYaml({ recipient: RECIPIENT, volatile: "h4", memory: ["4Gi", "3Gi", h3, "4Gi"] }));
  assert.ok(r.spec, JSON.stringify(r.diagnostics));
  return resolveLab(r.spec);
};

test("what-if: where the order the displaced pods come back in decides a placement, both nodes are named; where it does not, one", () => {
  // h3 1Gi: uptime-kuma goes to n3 when it is re-placed before homepage's replacement, to n2 after it
  const r = whatIf(baseline(lab("1Gi")), ["h4"], { shutdown: "graceful" });
  assert.deepEqual(r.moves["monitoring/uptime-kuma-0"], ["n2", "n3"]);
  assert.deepEqual(r.moves["dashboard/homepage-0"], ["n3"], "the spread leaves homepage one node in any order");
  const kuma = r.apps.find((a) => a.app === "uptime-kuma")!;
  assert.equal(kuma.outcome, "restarted");
  assert.match(kuma.reason ?? "", /restarted on n2 or n3/);
  // h3 768Mi: the same answer in every order
  const certain = whatIf(baseline(lab("768Mi")), ["h4"], { shutdown: "graceful" });
  assert.deepEqual(certain.moves, { "dashboard/homepage-0": ["n3"], "monitoring/uptime-kuma-0": ["n2"] });
  assert.ok(certain.apps.every((a) => !a.alternatives));
});

test("what-if: an outcome that depends on the order is given as an alternative", () => {
  // h3 1536Mi: bigpage finds room on n2 in one order of the displaced pods and none in the other
  const r = whatIf(baseline(lab("1536Mi")), ["h4"], { shutdown: "graceful" });
  const big = r.apps.find((a) => a.app === "bigpage")!;
  assert.equal(big.outcome, "down");
  assert.deepEqual(big.alternatives, ["restarted"]);
  assert.match(big.reason ?? "", /no fixed order/);
});
