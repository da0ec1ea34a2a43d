import { test } from "node:test";
import assert from "node:assert/strict";
import { meshLab, meshLabYaml } from "../testing/mesh-lab.js";
import { loadTestLab } from "../testing/apps-lab.js";
import { meshReport } from "./mesh.js";

test("the mesh test lab connects: no stuck tunnels, seats through the home entry's forwarded port", () => {
  const r = meshReport(meshLab());
  assert.deepEqual(r.stuck, []);
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(r.hub, { node: "cp1", endpoint: "198.51.100.2:51820" });
  assert.equal(r.tunnels, 6);
});

test("two NATed sites without endpoints: their tunnels are stuck in a full mesh; site-leaders still needs reachable leaders", () => {
  const text = meshLabYaml()
    .replace(', endpoint: "198.51.100.2:51820"', "")
    .replace("hosts:\n", "  - { name: cabin, kind: remote, lan: 10.3.0.0/24, gateway: 10.3.0.1, nat: true }\nhosts:\n  - { name: pi, site: cabin, arch: arm64, cpu: 4, memory: 8Gi, disks: [{ device: /dev/mmcblk0, size: 64Gi, use: system }] }\n")
    .replace("nodes:\n", "nodes:\n  - { name: cabin1, host: pi, address: 10.3.0.11 }\n");
  const r = meshReport(loadTestLab(text));
  assert.deepEqual(r.stuck, [{ a: "cabin1", b: "cp1" }, { a: "cabin1", b: "w1" }]);
  assert.match(r.warnings.join("\n"), /2 tunnels can never connect \(cabin1–cp1, cabin1–w1\).*site-leaders/);
  assert.match(r.warnings.join("\n"), /seats connect through cp1, which has no endpoint/);
  const leaders = meshReport(loadTestLab(text.replace("topology: full-mesh", "topology: site-leaders")));
  assert.deepEqual(leaders.stuck, [{ a: "cabin1", b: "cp1" }]);
});
