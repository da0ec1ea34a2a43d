// vCPU over-commit on a hypervisor host: allowed (KVM shares cores), a warning above the host's
// cpuOvercommit ratio (default 4 vCPUs per core); one VM above the host's cores and memory over-commit are errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadSpec } from "../load.js";
import { ROOT } from "../../testing/paths.js";

const base = readFileSync(join(ROOT, "test", "fixtures", "base.yaml"), "utf8");
// host nuc1: 8 cores, 32Gi; on it cp1 (2 vCPU, 4Gi), w1 (4 vCPU, 16Gi) and the guest truenas (2 vCPU, 8Gi)
const w1 = (cpu: number, memory = "16Gi") => base.replace("    cpu: 4\n    memory: 16Gi\n    address: 192.168.1.22", `    cpu: ${cpu}\n    memory: ${memory}\n    address: 192.168.1.22`);
const diags = (text: string) => loadSpec(text, "lab.yaml").diagnostics;

test("seed 003: two 4-vCPU VMs on a 4-core N100 are accepted without a word (2:1)", () => {
  // nuc1 as the seed's N100: 4 cores, talos04 and talos05 with 4 vCPUs each (cp1 and the guest shrink to fit the example)
  const text = w1(4).replace("    cpu: 8\n    memory: 32Gi\n    hypervisor: proxmox", "    cpu: 4\n    memory: 32Gi\n    hypervisor: proxmox").replace("    role: controlplane\n    cpu: 2\n    memory: 4Gi", "    role: controlplane\n    cpu: 4\n    memory: 4Gi");
  assert.deepEqual(diags(text), []);
});

test("over-commit above 4 vCPUs per core warns (with the ratio and a way out); cpuOvercommit raises the limit", () => {
  // nuc1 with 2 cores: cp1 2, w1 2, truenas 2 = 6 vCPUs, 3:1 — accepted without a word
  const two = w1(2).replace("    cpu: 8\n    memory: 32Gi\n    hypervisor: proxmox", "    cpu: 2\n    memory: 32Gi\n    hypervisor: proxmox");
  assert.deepEqual(diags(two), []);
  // two more 2-vCPU guests: 10 vCPUs on 2 cores, 5:1 > 4 — a warning, not an error
  const many = two.replace("{ name: truenas, purpose: nas, cpu: 2, memory: 8Gi", "{ name: truenas, purpose: nas, cpu: 2, memory: 8Gi }\n      - { name: pbs, purpose: backup, cpu: 2, memory: 2Gi }\n      - { name: ha, purpose: other, cpu: 2, memory: 1Gi");
  const d = diags(many);
  assert.deepEqual(d.map((x) => x.severity), ["warning"]);
  assert.match(d[0]!.message, /the VMs on host nuc1 ask for 10 CPUs on 2 cores, more than 4 vCPUs per core/);
  assert.match(d[0]!.hint!, /cpuOvercommit/);
  // cpuOvercommit: 6 on the host allows 12
  assert.deepEqual(diags(many.replace("    cpu: 2\n    memory: 32Gi\n    hypervisor: proxmox", "    cpu: 2\n    memory: 32Gi\n    hypervisor: proxmox\n    cpuOvercommit: 6")), []);
});

test("one VM with more vCPUs than the host has cores, and memory over-commit, stay errors", () => {
  const big = diags(w1(12));
  assert.deepEqual(big.map((x) => [x.severity, x.path]), [["error", "nodes[1].cpu"]]);
  const mem = diags(w1(4, "24Gi"));
  assert.deepEqual(mem.map((x) => x.severity), ["error"]);
  assert.match(mem[0]!.message, /ask for 36 GiB but the host has 32 GiB/);
});

test("a cloud node behind NAT without a publicAddress draws no warning when it can dial a reachable site (its tunnels connect)", async () => {
  const { machinesSitesLabYaml } = await import("../../testing/machines-sites-lab.js");
  const { machinesSitesLab } = await import("../../testing/machines-sites-lab.js");
  const { meshReport } = await import("../../analyze/mesh.js");
  const d = diags(machinesSitesLabYaml());
  assert.deepEqual(d.filter((x) => /\bc1\b|publicAddress/.test(x.message)), []);
  assert.deepEqual(meshReport(machinesSitesLab()).stuck, []);
  // with no site to dial, the lab is refused outright (no site can be reached)
  const none = diags(machinesSitesLabYaml().replace(/, endpoint: "[^"]*"/, ""));
  assert.ok(none.some((x) => x.severity === "error" && /no site can be reached/.test(x.message)), JSON.stringify(none));
});
