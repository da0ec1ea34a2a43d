// render/: Lab (+ secrets) → the rendered file tree, one folder per target (talos, k3s, wireguard, flux, platform, apps…).
import type { Lab } from "../lab/types.js";
import type { LabSecrets } from "../secrets/types.js";
import type { FileTree } from "./tree.js";
import { mergeTrees } from "./tree.js";
import { renderApps } from "./apps/index.js";
import { renderSeatCa, renderSeats, renderWireguard } from "./wireguard/index.js";
import { distributionTargets, type Target } from "./distributions.js";
import { renderProxmox } from "./proxmox/index.js";
import { renderLibvirt } from "./libvirt/index.js";
import { renderNut } from "./nut/index.js";
import { renderPlatform } from "./platform/index.js";
import { addVersionFiles } from "./versions.js";

export type { Target } from "./distributions.js";

/** folder → target; later issues add theirs (talos, k3s, wireguard, seats, proxmox, boot, kubernetes). */
export const targets: [string, Target][] = [
  ["kubernetes", renderApps],
  ["wireguard", renderWireguard],
  ["seats", renderSeats],
  ["seats", renderSeatCa],
  // the distribution's node configs and boot media (render/distributions.ts, by name)
  ...distributionTargets(),
  ["proxmox", renderProxmox],
  ["libvirt", renderLibvirt],
  ["nut", renderNut],
  // the Flux layout and platform components, beside apps/ in the same kubernetes/ tree
  ["kubernetes", renderPlatform],
];

export function renderLab(lab: Lab, secrets: LabSecrets): FileTree {
  const t = mergeTrees(...targets.map(([folder, t]): [string, FileTree] => [folder, t(lab, secrets)]));
  addVersionFiles(t, lab); // versions.yaml (what the lab uses) and renovate.json, at the top
  return t;
}

export * from "./tree.js";
export { writeTree, checkOutputFolder, withGitignores, OutputFolderError } from "./write.js";
export type { WriteOptions, WriteResult, ProtectedFile } from "./write.js";
