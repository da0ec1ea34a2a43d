// drover upgrade --plan offline: the plan as text and JSON for an example, exit 1 with the blockers
// when a minor release would be skipped.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "../../testing/cli-harness.js";
import { EXAMPLES } from "../../testing/paths.js";

const lab = join(EXAMPLES, "talos-mixed", "lab.yaml");

test("drover upgrade --plan: Talos node by node, then Kubernetes by the skew policy, then Flux; --json; a skipped minor exits 1 and says why", async () => {
  const text = await runCli(["upgrade", "--plan", "--from-talos", "1.11.5", "--from-kubernetes", "1.34.3", lab]);
  assert.equal(text.code, 0, text.err);
  assert.match(text.out, /1\. Talos OS → 1\.12\.6 \(11 nodes, one at a time/);
  assert.match(text.out, /order \(version-skew policy\): kube-apiserver → kube-controller-manager → kube-scheduler → kubelet/);
  assert.match(text.out, /talosctl --talosconfig .*out\/talos\/talosconfig upgrade-k8s --nodes 192\.168\.10\.21 --to 1\.35\.4/);
  assert.match(text.out, /✓ every step keeps etcd quorum/);
  const json = await runCli(["upgrade", "--plan", "--json", "--from-talos", "1.11.5", "--from-kubernetes", "1.34.3", lab]);
  assert.equal(json.code, 0, json.err);
  const plan = JSON.parse(json.out) as { ok: boolean; talos: { steps: { node: string; role: string }[] } };
  assert.equal(plan.ok, true);
  assert.deepEqual(plan.talos.steps.slice(0, 3).map((s) => s.role), ["controlplane", "controlplane", "controlplane"]);
  const skip = await runCli(["upgrade", "--plan", "--from-talos", "1.12.6", "--from-kubernetes", "1.33.7", lab]);
  assert.equal(skip.code, 1);
  assert.match(skip.out, /refused: 1 blocker/);
  assert.match(skip.out, /kubernetes: Kubernetes v1\.33\.7 → v1\.35\.4 skips 1 minor release/);
  assert.match(skip.out, /upgrade to the latest 1\.34\.x first/);
});
