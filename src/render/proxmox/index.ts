// Lab → proxmox/<host>/ for every host with hypervisor: proxmox: answer.toml (automated install of
// the host, secret: it carries the root password hash), vms.json and create-vms.sh.
import type { Lab } from "../../lab/types.js";
import type { LabSecrets } from "../../secrets/types.js";
import { addFile, tree, type FileTree } from "../tree.js";
import { answerToml } from "./answer.js";
import { createVmsScript, vmDefinitions } from "./vms.js";

export function renderProxmox(lab: Lab, secrets: LabSecrets): FileTree {
  const t = tree();
  for (const host of lab.hosts) {
    if (host.hypervisor !== "proxmox") continue;
    const vms = vmDefinitions(lab, host);
    addFile(t, `${host.name}/answer.toml`, answerToml(lab, secrets, host), { secret: true });
    addFile(t, `${host.name}/vms.json`, JSON.stringify({ host: host.name, vms }, null, 2) + "\n");
    addFile(t, `${host.name}/create-vms.sh`, createVmsScript(lab, host, vms), { mode: 0o755 });
  }
  return t;
}
