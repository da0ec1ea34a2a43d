// drover what-if from the command line: modes, exit codes, the out-of-service command, no volatile hosts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT, EXAMPLES } from "../../testing/paths.js";

const BIN = join(ROOT, "bin", "drover.js");
const drover = (args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" }, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

test("what-if --volatile-off on a lab without volatile hosts is an answer, not an error (exit 0)", () => {
  const r = drover(["what-if", join(EXAMPLES, "proxmox-k3s"), "--volatile-off"]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /The lab has no volatile hosts: nothing goes off/);
  const j = drover(["what-if", join(EXAMPLES, "proxmox-k3s"), "--volatile-off", "--json"]);
  assert.equal(j.code, 0, j.err);
  assert.deepEqual(JSON.parse(j.out).down, []);
});

test("what-if --down: the guest VMs that go with the host, storage lost, and the out-of-service command for stuck StatefulSets", () => {
  const r = drover(["what-if", join(EXAMPLES, "proxmox-k3s"), "--down", "pve3"]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /If pve3 goes off without warning \(nodes down: k3s-server-3; guest VMs down: truenas, pbs\)/);
  assert.match(r.out, /single point of failure storage: storage class truenas-nfs is served from 10\.10\.10\.20 by host pve3 \(guest VM truenas\)/);
  const j = JSON.parse(drover(["what-if", join(EXAMPLES, "proxmox-k3s"), "--down", "pve3", "--json"]).out);
  for (const x of j.outOfService) assert.ok(r.out.includes(`kubectl taint node ${x.node} node.kubernetes.io/out-of-service=nodeshutdown:NoExecute`));
});

test("what-if --off is a planned shutdown; exactly one mode; unknown hosts are named", () => {
  const r = drover(["what-if", join(EXAMPLES, "talos-mixed"), "--off", "gamer"]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /If gamer is shut down as planned/);
  assert.match(r.out, /assumes libvirt\/gamer\/libvirt-guests is installed on gamer \(ON_SHUTDOWN=shutdown\)/);
  assert.equal(drover(["what-if", join(EXAMPLES, "talos-mixed"), "--off", "gamer", "--down", "nuc1"]).code, 2);
  const u = drover(["what-if", join(EXAMPLES, "talos-mixed"), "--off", "gamr"]);
  assert.equal(u.code, 1);
  assert.match(u.err, /--off: unknown host gamr/);
});

test("what-if --all-single lists chassis as units", () => {
  const r = drover(["what-if", join(EXAMPLES, "pi-cluster"), "--all-single"]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^If chassis super6c \(cm5-1, cm5-2, cm5-3, cm5-4, cm5-5, cm5-6\) goes off without warning/m);
});
