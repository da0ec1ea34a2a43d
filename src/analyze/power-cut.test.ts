// A power cut at a site with UPSes (issue 16, item 5): what survives, step by step, as NUT shuts the
// hosts down in the order lab.yaml's ups: section gives them (lab/power.ts), worked out by hand first.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadLabText } from "../lab/load.js";
import { EXAMPLES } from "../testing/paths.js";
import { baseline } from "./whatif.js";
import { powerCut } from "./power-cut.js";

const lab = (name: string, edit: (t: string) => string = (t) => t) => {
  const r = loadLabText(edit(readFileSync(join(EXAMPLES, name, "lab.yaml"), "utf8")), "lab.yaml");
  assert.ok(r.lab, JSON.stringify(r.diagnostics));
  return r.lab;
};

test("talos-mixed, power cut at home: the gaming PC and the desktop (no UPS) go at once, ungracefully; the UPS carries the rest for 15 min", () => {
  const steps = powerCut(baseline(lab("talos-mixed")), "home");
  assert.deepEqual(steps.map((s) => [s.afterMinutes, [...s.hostsOff].sort()]), [
    [0, ["gamer", "nixos"]],
    [15, ["nuc1", "nuc2", "nuc3", "rpi4-1", "rpi4-2", "rpi4-3"]],
  ]);
  // by hand: gamer carries control plane talos03, so etcd keeps 2 of 3; their nodes are lost without warning
  const [cut, low] = steps;
  assert.equal(cut!.report.etcd.remaining, 2);
  assert.ok(cut!.report.etcd.ok);
  assert.deepEqual(cut!.report.ungracefulNodes.map((u) => u.node).sort(), ["talos03", "talos06", "talos07", "talos08"]);
  assert.ok(cut!.report.ungracefulNodes.every((u) => /is on no UPS: its power is cut/.test(u.reason)));
  assert.ok(!cut!.report.assumes.some((a) => /gamer|nixos/.test(a)), "no host-side shutdown setting matters for a host whose power is cut");
  assert.equal(cut!.report.apps.find((a) => a.app === "ollama")!.outcome, "down");
  // at low battery everything goes: the planned shutdown of the UPS's hosts, nuc1 (the NUT server) last
  assert.match(low!.what, /then nuc1 last/);
  assert.ok(!low!.report.etcd.ok);
  assert.ok(low!.report.apps.every((a) => a.outcome === "down"));
});

test("proxmox-k3s, power cut at home: every host is on the rack UPS; the Pis go after 8 min, gracefully, and nothing the Pis ran is lost", () => {
  const l = lab("proxmox-k3s");
  const steps = powerCut(baseline(l), "home");
  assert.deepEqual(steps.map((s) => [s.afterMinutes, [...s.hostsOff].sort()]), [
    [0, []],
    [8, ["rpi4-1", "rpi5-1", "rpi5-2"]],
    [25, ["pve1", "pve2", "pve3"]],
  ]);
  const [mains, early] = steps;
  assert.ok(mains!.report.apps.every((a) => a.outcome === "unaffected"));
  // the Pis are k3s workers on volatile-free hosts: k3s's kubelet has no graceful shutdown there, so
  // their loss is ungraceful all the same (the report says so) — nothing is assumed graceful silently
  assert.deepEqual([...early!.report.nodesDown].sort(), ["k3s-arm-1", "k3s-arm-2", "k3s-arm-3"]);
  assert.ok(early!.report.etcd.ok && early!.report.api.ok);
  for (const u of early!.report.ungracefulNodes) assert.match(u.reason, /graceful node shutdown|shutdownGracePeriod/);
  assert.ok(!early!.report.apps.some((a) => a.outcome === "down" && !/Terminating|arm64|architecture|host/.test(a.reason ?? "")), JSON.stringify(early!.report.apps.filter((a) => a.outcome === "down")));
});
