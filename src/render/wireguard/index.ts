// Render targets for the WireGuard overlay:
//   wireguard/<node>/wg0.conf   each node's wg-quick config (secret: holds its private key)
//   wireguard/peers.txt         who peers with whom, public keys only (safe to commit and review)
//   seats/<seat>.conf           each seat's client config (secret), for the WireGuard app or wg-quick
//   seats/internal-ca.crt       the lab's internal CA certificate (PEM, public): devices trust it once for
//                               the private domain's HTTPS (as `drover ca export` prints it)
import { withPort } from "../../net/host.js";
import type { Lab } from "../../lab/types.js";
import type { LabSecrets } from "../../secrets/types.js";
import { addFile, tree, type FileTree } from "../tree.js";
import { nodeInterfaces, seatInterface } from "./mesh.js";
import { wgQuickConf } from "./conf.js";
import { siteEntry } from "../../lab/mesh.js";

/** peers.txt lists each node's peers up to this many */
const SUMMARY_PEERS = 64;

const HEADER = "Rendered by drover from lab.yaml: do not edit (changes are lost on the next render).";

export function renderWireguard(lab: Lab, secrets: LabSecrets): FileTree {
  const t = tree();
  const summary: string[] = [`# WireGuard overlay of lab ${lab.name}: ${lab.overlay.topology}, ${lab.overlay.subnet}, port ${lab.overlay.port}`];
  // the one thing outside drover's files: each site router's port forward must lead to the site's entry
  for (const s of lab.sites) {
    const ep = s.endpoint;
    const entry = siteEntry(lab, s.name);
    if (ep && s.nat && entry) summary.push(`# site ${s.name}: its router forwards UDP ${withPort(ep, lab.overlay.port)?.replace(/^.*:/, "")} (${ep}) to ${entry.name} ${entry.address}:${lab.overlay.port}; update the router when this line changes`);
  }
  for (const i of nodeInterfaces(lab, secrets)) {
    const name = i.id.slice("node/".length);
    addFile(t, `${name}/wg0.conf`, wgQuickConf(i, `${HEADER}\nInstall as /etc/wireguard/wg0.conf (mode 0600), then: systemctl enable --now wg-quick@wg0`), { secret: true });
    summary.push("", `${name} ${i.address} ${i.peers.length} peer${i.peers.length === 1 ? "" : "s"}`);
    if (i.peers.length > SUMMARY_PEERS) continue; // large meshes: counts only
    for (const p of i.peers) summary.push(`  ${p.id} ${p.allowedIps.join(",")}${p.endpoint ? ` via ${p.endpoint}` : ""}${p.keepalive ? ` keepalive ${p.keepalive}s` : ""}`);
  }
  addFile(t, "peers.txt", summary.join("\n") + "\n");
  return t;
}

export function seatConf(lab: Lab, secrets: LabSecrets, seat: string): string {
  const s = lab.seats.find((x) => x.name === seat);
  if (!s) throw new Error(`internal: no seat ${seat}`);
  return wgQuickConf(seatInterface(lab, secrets, s), `${HEADER}\nImport into the WireGuard app (file or QR code: drover seat show ${seat}).`);
}

/** The internal CA certificate beside the seats' configs. */
export const SEAT_CA_FILE = "internal-ca.crt";

export function renderSeats(lab: Lab, secrets: LabSecrets): FileTree {
  const t = tree();
  for (const s of lab.seats) addFile(t, `${s.name}.conf`, seatConf(lab, secrets, s.name), { secret: true });
  return t;
}

/** seats/internal-ca.crt beside the seats' configs (when the lab has seats). */
export function renderSeatCa(lab: Lab, secrets: LabSecrets): FileTree {
  const t = tree();
  if (lab.seats.length && secrets.internalCa) addFile(t, SEAT_CA_FILE, secrets.internalCa.crt);
  return t;
}
