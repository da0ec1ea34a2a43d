// cloud-init for a Debian k3s node (NoCloud seed: user-data, meta-data, network-config):
// user-data writes the k3s config, flannel's net-conf and the Drover WireGuard config, installs
// WireGuard and k3s at the lab's version, and starts both; network-config (v2) gives the node its
// static LAN address.
import type { Lab, Node } from "../../lab/types.js";
import { toYaml } from "../tree.js";

export interface WrittenFile {
  readonly path: string;
  readonly content: string;
  readonly permissions: string;
}

export function userData(lab: Lab, n: Node, files: readonly WrittenFile[]): string {
  const server = n.role === "controlplane";
  const doc = {
    hostname: n.name,
    fqdn: `${n.name}.${lab.domains.private}`,
    prefer_fqdn_over_hostname: false,
    manage_etc_hosts: true,
    package_update: true,
    packages: ["curl", "ca-certificates", "wireguard-tools", "nftables"],
    write_files: files.map((f) => ({ path: f.path, owner: "root:root", permissions: f.permissions, content: f.content })),
    runcmd: [
      ["systemctl", "enable", "--now", "wg-quick@wg0"],
      [
        "sh",
        "-c",
        `curl -sfL https://get.k3s.io | INSTALL_K3S_VERSION='${lab.k3sVersion}' INSTALL_K3S_EXEC='${server ? "server" : "agent"}' sh -`,
      ],
    ],
  };
  return `#cloud-config\n# ${n.name}: k3s ${server ? "server" : "agent"} of lab ${lab.name}. Rendered by drover; holds the k3s token and a WireGuard key.\n${toYaml(doc)}`;
}

export function metaData(lab: Lab, n: Node): string {
  return toYaml({ "instance-id": `${lab.name}-${n.name}`, "local-hostname": n.name });
}

export function networkConfig(lab: Lab, n: Node): string {
  // With a MAC, cloud-init renames the matched device (set-name), which every renderer honours
  // (ifupdown on Debian 12, networkd, netplan). A name glob is honoured by netplan only (Debian 13).
  const eth: Record<string, unknown> = {
    match: n.mac ? { macaddress: n.mac } : { name: "en*" },
    ...(n.mac ? { "set-name": "lan0" } : {}),
    dhcp4: false,
    addresses: [`${n.address}/${n.prefix}`],
  };
  if (n.gateway) eth.routes = [{ to: "0.0.0.0/0", via: n.gateway }];
  if (n.dns.length) eth.nameservers = { addresses: [...n.dns], search: [lab.domains.private] };
  const note = n.mac
    ? ""
    : `# ${n.name} has no mac in lab.yaml: this matches the first en* interface, which only netplan-based images\n# (Debian 13) understand; add the node's mac for Debian 12 (ifupdown).\n`;
  return note + toYaml({ network: { version: 2, ethernets: { lan: eth } } });
}
