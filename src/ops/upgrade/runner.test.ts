// The per-node OS step and the Kubernetes step against the real talosctl (the pinned release): the
// plan's argv parses (talosctl gets as far as dialling the node), and an unreachable endpoint fails the
// step with talosctl's connection error. Talos itself cannot boot here; its API is what is missing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tool } from "../../testing/paths.js";
import { closedPort } from "../../testing/ports.js";
import { tempDir } from "../../testing/age-key.js";
import { upgradeLabYaml } from "../../testing/upgrade-lab.js";
import { loadSpec } from "../../spec/load.js";
import { resolveLab } from "../../lab/resolve.js";
import { ensureSecrets } from "../../secrets/generate.js";
import { renderLab } from "../../render/index.js";
import { upgradePlan } from "./plan.js";
import { runCommand, talosctlRunner } from "./runner.js";
import { UserError } from "../../errors.js";

test("talosctl upgrade and upgrade-k8s, as the plan writes them, parse and fail with a connection error on an unreachable endpoint", async () => {
  const lab = resolveLab(loadSpec(upgradeLabYaml(), "lab.yaml").spec!);
  const out = tempDir();
  const files = renderLab(lab, ensureSecrets(lab, undefined).secrets);
  mkdirSync(join(out, "talos"), { recursive: true });
  writeFileSync(join(out, "talos", "talosconfig"), files.get("talos/talosconfig")!.content, { mode: 0o600 });
  const plan = upgradePlan(lab, { running: { nodes: Object.fromEntries(lab.nodes.map((n) => [n.name, { talos: "1.11.5", kubelet: "v1.34.3" }])) }, outDir: out });
  const port = await closedPort();
  const seen: string[][] = [];
  // the talosconfig names the lab's node addresses; point talosctl at a closed port on loopback instead
  const runner = talosctlRunner(tool("talosctl"), (argv) => {
    seen.push([...argv]);
    return runCommand([...argv, "--endpoints", `127.0.0.1:${port}`], 60_000);
  });
  const step = plan.talos!.steps[0]!;
  await assert.rejects(runner.node(step), (e: unknown) => {
    assert.ok(e instanceof UserError, String(e));
    assert.match(e.message, /^upgrading Talos on cp1: talosctl failed: .*connection refused/);
    assert.doesNotMatch(e.message, /unknown flag|unknown command|invalid argument/);
    return true;
  });
  assert.deepEqual(seen[0]!.slice(1), step.command.slice(1));
  assert.deepEqual(step.command.slice(0, 6), ["talosctl", "--talosconfig", join(out, "talos", "talosconfig"), "upgrade", "--nodes", "10.0.0.11"]);
  await assert.rejects(runner.cluster!(plan.kubernetes!), (e: unknown) => {
    assert.match((e as Error).message, /^upgrading Kubernetes to 1\.35\.4: talosctl failed: .*connection refused/);
    assert.doesNotMatch((e as Error).message, /unknown flag/);
    return true;
  });
  // the check is not vacuous: a flag talosctl does not know is a different failure
  const wrong = talosctlRunner(tool("talosctl"), (argv) => runCommand([...argv, "--imagex", "x"], 60_000));
  await assert.rejects(wrong.node(step), /unknown flag: --imagex/);
  // a k3s step is not talosctl's
  await assert.rejects(runner.node({ ...step, kind: "k3s-agent" }), /cannot be run by talosctl/);
});
