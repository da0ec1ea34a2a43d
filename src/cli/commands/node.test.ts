// drover node add / remove from the command line, without a cluster: files change, steps are printed,
// mistakes are one clear message with exit code 1.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir, type TestKey } from "../../testing/age-key.js";
import { isolatedAgeKey, runCli } from "../../testing/cli-harness.js";
import { nodeLabYaml } from "../../testing/node-lab.js";
import { spawnSync } from "node:child_process";
import { tool } from "../../testing/paths.js";

/** Runs a printed talosctl command against nothing: it must get past talosctl's argument parsing. */
function talosctlAccepts(line: string, cwd: string): void {
  const args = line.replace(/^talosctl /, "").replace(/<ID of \S+>/, "8f3a2b1c4d5e6f70").split(" ").map((a) => a.replace(/192\.168\.50\.\d+/g, "127.0.0.1"));
  const r = spawnSync(tool("talosctl"), args, { cwd, encoding: "utf8", timeout: 8000 });
  const text = `${r.stdout}${r.stderr}`;
  assert.doesNotMatch(text, /unknown (flag|command|shorthand)|accepts \d+ arg|required flag|invalid argument|Usage:/, `talosctl ${args.join(" ")}:\n${text}`);
  if (r.status !== null) assert.match(text, /connection refused|Unavailable|endpoint|deadline/i, `talosctl ${args.join(" ")}:\n${text}`);
}

let key: TestKey;
before(() => {
  key = isolatedAgeKey();
});

const run = runCli;

test("node add then remove, talos lab, no cluster: steps name the real files; errors are one line with a hint", async () => {
  const dir = tempDir();
  const lab = join(dir, "lab.yaml");
  writeFileSync(lab, nodeLabYaml({ recipient: key.recipient, distribution: "talos" }));
  const original = readFileSync(lab, "utf8");
  const add = await run(["node", "add", "w4", "--host", "spare", "--install-disk", "/dev/sda", "--label", "tier=batch", "--lab", lab]);
  assert.equal(add.code, 0, add.err);
  assert.match(add.out, /added w4 \(worker on spare, 192\.168\.50\.24, allocated/);
  assert.match(add.out, /talosctl apply-config --insecure --nodes 192\.168\.50\.24 --file \S*out\/talos\/w4\.yaml/);
  assert.match(add.out, /update the 6 peers whose WireGuard peer list changed/);
  assert.match(readFileSync(lab, "utf8"), /- \{ name: w4, host: spare, address: 192\.168\.50\.24, installDisk: \/dev\/sda, labels: \{ tier: batch \} \}\n/);

  for (const line of add.out.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("talosctl "))) talosctlAccepts(line, process.cwd());
  // the new node's machine config and a peer's (which now lists it) are valid for Talos
  for (const n of ["w4", "cp1"]) {
    const v = spawnSync(tool("talosctl"), ["validate", "--config", join(dir, "out", "talos", `${n}.yaml`), "--mode", "metal", "--strict"], { encoding: "utf8" });
    assert.equal(v.status, 0, `talosctl validate ${n}: ${v.stdout}${v.stderr}`);
  }
  assert.match(readFileSync(join(dir, "out", "talos", "cp1.yaml"), "utf8"), /192\.168\.50\.24/, "cp1's config names the new peer");

  const bad = await run(["node", "add", "w5", "--host", "spar", "--lab", lab]);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /no host named spar; did you mean spare\?/);
  assert.match(bad.err, /hint: /);

  const rm = await run(["node", "remove", "w4", "--lab", lab]);
  assert.equal(rm.code, 0, rm.err);
  assert.match(rm.out, /removed w4 from .*lab\.yaml; 7 keys dropped from the secrets store/);
  assert.match(rm.out, /kubectl drain w4 --ignore-daemonsets --delete-emptydir-data/);
  assert.match(rm.out, /talosctl .*--nodes 192\.168\.50\.24 reset --graceful=false --reboot/);
  assert.equal(readFileSync(lab, "utf8"), original);

  const cp = await run(["node", "remove", "cp1", "--lab", lab, "--json"]);
  assert.equal(cp.code, 0, cp.err);
  const j = JSON.parse(cp.out);
  assert.equal(j.quorum.safe, true);
  assert.ok(j.warnings.some((w: string) => /2 control planes: an even number/.test(w)), JSON.stringify(j.warnings));
  const cmds: string[] = j.steps.flatMap((s: { commands: string[] }) => s.commands);
  assert.ok(cmds.some((c) => /etcd leave/.test(c)) && cmds.some((c) => /etcd remove-member/.test(c)));
  for (const line of cmds.filter((c) => c.startsWith("talosctl "))) talosctlAccepts(line, process.cwd());
});
