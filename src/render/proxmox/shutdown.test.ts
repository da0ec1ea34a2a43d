// Proxmox host shutdown stops VM nodes the graceful way: workers before control planes (reverse start
// order), each given the kubelet's grace period and a margin; Talos VMs through their guest agent,
// Debian (k3s) VMs by ACPI — an agent enabled but not installed would make Proxmox wait and kill them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { exampleLab, testSecrets } from "../../testing/apps-lab.js";
import { k3sLab } from "../../testing/k3s-lab.js";
import { renderProxmox } from "./index.js";
import { GUEST_SHUTDOWN_TIMEOUT_SECONDS } from "../../lab/shutdown.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { EXAMPLES } from "../../testing/paths.js";
import { loadSpec } from "../../spec/load.js";
import { resolveLab } from "../../lab/resolve.js";

const creates = (script: string) => script.split("\n").filter((l) => l.includes("qm create"));

test("proxmox: start order control planes first, shutdown timeout for the kubelet's grace period; agent only where one runs", () => {
  assert.equal(GUEST_SHUTDOWN_TIMEOUT_SECONDS, 120); // 30 s graceful node shutdown + 90 s for the guest OS
  const k3s = exampleLab("proxmox-k3s");
  const t = renderProxmox(k3s, testSecrets(k3s));
  // by hand: pve1 runs k3s-server-1 (control plane) and k3s-agent-1 (worker), Debian cloud images
  const pve1 = creates(t.get("pve1/create-vms.sh")!.content);
  assert.equal(pve1.length, 2);
  assert.match(pve1[0]!, /--name k3s-server-1 .*--agent enabled=0 --onboot 1 --startup order=1,down=120/);
  assert.match(pve1[1]!, /--name k3s-agent-1 .*--agent enabled=0 --onboot 1 --startup order=2,down=120/);
  // the k3s test lab's servers on pve1: Debian too
  const lab = k3sLab();
  for (const line of creates(renderProxmox(lab, testSecrets(lab)).get("pve1/create-vms.sh")!.content)) assert.match(line, /--agent enabled=0 .*--startup order=1,down=120/);
  // Talos VMs on Proxmox (talos-mixed with its libvirt hosts as Proxmox): the qemu-guest-agent extension answers
  const text = readFileSync(join(EXAMPLES, "talos-mixed", "lab.yaml"), "utf8").replaceAll("hypervisor: libvirt", "hypervisor: proxmox");
  const talos = resolveLab(loadSpec(text).spec!);
  const gamer = creates(renderProxmox(talos, testSecrets(talos)).get("gamer/create-vms.sh")!.content);
  assert.match(gamer[0]!, /--name talos03 .*--agent enabled=1 --onboot 1 --startup order=1,down=120/);
  assert.match(gamer[1]!, /--name talos08 .*--agent enabled=1 --onboot 1 --startup order=2,down=120/);
});
