// cloud-init for a Debian k3s node (NoCloud seed: user-data, meta-data, network-config):
// user-data writes the k3s config, flannel's net-conf, the Drover WireGuard config and the k3s install
// step, installs WireGuard, the Debian packages the lab's storage drivers need (open-iscsi, nfs-common…)
// and k3s at the lab's version, and starts WireGuard, the drivers' services (iscsid) and k3s;
// network-config (v2) gives the node its static LAN address.
//
// bootcmd writes the LAN's DNS servers into a resolv.conf nothing else manages (Debian 12's ifupdown
// without resolvconf ignores the network-config's nameservers).
// runcmd stops at the first failing step and fails cloud-init with it (`cloud-init status` says error):
// the k3s installer is downloaded to a file first (curl -f), so a failed download fails the node instead
// of piping nothing into sh, which succeeds. Booted for real under QEMU by src/render/k3s/machines.test.ts.
import type { Lab, Node } from "../../lab/types.js";
import { toYaml } from "../tree.js";
import { labHostNeeds } from "../../storage/index.js";

export interface WrittenFile {
  readonly path: string;
  readonly content: string;
  readonly permissions: string;
}

/** Where the seed writes the k3s install step (K3S_INSTALL_SCRIPT). */
export const K3S_INSTALL_PATH = "/usr/local/lib/drover/install-k3s";

/**
 * The k3s install step: downloads the installer named by its argument to a file, refuses a failed or
 * empty download or one that is not a script, then runs it with the environment it was given
 * (INSTALL_K3S_*). A constant: the lab's values reach it only as arguments and environment.
 */
export const K3S_INSTALL_SCRIPT = `#!/bin/sh
# Installs k3s, rendered by drover. Usage: install-k3s INSTALLER-URL, with INSTALL_K3S_* in the environment.
# The installer is downloaded to a file first: a failed download fails here (and cloud-init with it)
# instead of running an empty script.
set -eu
url=$1
script=$(mktemp /run/drover-k3s-install.XXXXXX)
trap 'rm -f "$script"' EXIT
if ! curl -fsSL --retry 5 --retry-delay 2 --retry-connrefused -o "$script" "$url"; then
  echo "drover: downloading the k3s installer from $url failed" >&2
  exit 1
fi
if [ "$(head -c 2 "$script")" != "#!" ]; then
  echo "drover: $url did not return a shell script (first bytes: $(head -c 40 "$script" | tr -c '[:print:]' '?'))" >&2
  exit 1
fi
sh "$script"
`;

/**
 * Applies the LAN's DNS servers where the image's network setup does not: cloud-init's ifupdown renderer
 * (Debian 12) writes them as dns-nameservers lines, which only resolvconf reads (absent from a minimal
 * Debian 12), so /etc/resolv.conf kept whatever the image had and the installer's host name did not
 * resolve. A resolv.conf that a resolver manages (a symlink: systemd-resolved, resolvconf) is left alone.
 * A constant run by bootcmd (before the package install and the k3s download need names), with the
 * search domain and the servers as its arguments.
 */
export const RESOLV_CONF_SCRIPT = `set -eu
if [ -L /etc/resolv.conf ] || command -v resolvconf >/dev/null 2>&1; then exit 0; fi
search=$1
shift
{
  echo "# the LAN's DNS servers, written by drover's cloud-init seed (bootcmd)"
  if [ -n "$search" ]; then echo "search $search"; fi
  for ns in "$@"; do echo "nameserver $ns"; done
} > /etc/resolv.conf.drover
mv /etc/resolv.conf.drover /etc/resolv.conf
`;

/** The environment the k3s installer runs with: the lab's k3s release and the node's role. */
export function k3sInstallEnv(lab: Lab, n: Node): [string, string][] {
  return [
    ["INSTALL_K3S_VERSION", lab.k3sVersion],
    ["INSTALL_K3S_EXEC", n.role === "controlplane" ? "server" : "agent"],
  ];
}

/** The account `drover up` logs in as (with the lab's admin SSH key) to read a server's kubeconfig. */
export const K3S_ADMIN_USER = "drover";
/** Where k3s writes the admin kubeconfig on a server (root only). */
export const K3S_KUBECONFIG_PATH = "/etc/rancher/k3s/k3s.yaml";

/**
 * `adminKey`: the lab's admin SSH public key (authorized_keys line). Servers get the account
 * K3S_ADMIN_USER with it (key only, no password, sudo without one) so `drover up` can read the kubeconfig.
 */
export function userData(lab: Lab, n: Node, files: readonly WrittenFile[], adminKey?: string): string {
  const server = n.role === "controlplane";
  // every node may run a pod of any storage class: each installs what every driver of the lab needs
  const storage = labHostNeeds(lab.storageClasses);
  const doc = {
    hostname: n.name,
    fqdn: `${n.name}.${lab.domains.private}`,
    prefer_fqdn_over_hostname: false,
    manage_etc_hosts: true,
    ...(server && adminKey ? { users: ["default", { name: K3S_ADMIN_USER, gecos: "drover up", shell: "/bin/sh", lock_passwd: true, sudo: "ALL=(ALL) NOPASSWD:ALL", ssh_authorized_keys: [adminKey] }] } : {}),
    ...(n.dns.length ? { bootcmd: [["sh", "-c", RESOLV_CONF_SCRIPT, "drover-resolv-conf", lab.domains.private, ...n.dns]] } : {}),
    package_update: true,
    packages: ["curl", "ca-certificates", "wireguard-tools", "nftables", ...storage.debianPackages],
    write_files: files.map((f) => ({ path: f.path, owner: "root:root", permissions: f.permissions, content: f.content })),
    // cloud-init quotes each list item for the shell (its own emitter); "set -e" makes the runcmd script
    // stop at, and exit with, the first failing step (without it only the last step's status counts)
    runcmd: [
      "set -e",
      ["systemctl", "enable", "--now", "wg-quick@wg0"],
      // before k3s starts, so the first pod with a volume of such a class finds its initiator running
      ...(storage.debianServices.length ? [["systemctl", "enable", "--now", ...storage.debianServices]] : []),
      ["env", ...k3sInstallEnv(lab, n).map(([k, v]) => `${k}=${v}`), K3S_INSTALL_PATH, lab.k3sInstallerUrl],
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
  // The default route as gateway4: cloud-init's ifupdown renderer (Debian 12) writes a route list as
  // `post-up route add …`, which needs net-tools (absent from a minimal Debian 12, and `|| true` hides
  // the failure), but a gateway as ifupdown's own `gateway` line (iproute2); networkd and netplan take
  // it too. The netplan-only form (no mac) keeps the route list, as netplan deprecates gateway4.
  if (n.gateway) {
    if (n.mac) eth.gateway4 = n.gateway;
    else eth.routes = [{ to: "0.0.0.0/0", via: n.gateway }];
  }
  if (n.dns.length) eth.nameservers = { addresses: [...n.dns], search: [lab.domains.private] };
  const note = n.mac
    ? ""
    : `# ${n.name} has no mac in lab.yaml: this matches the first en* interface, which only netplan-based images\n# (Debian 13) understand; add the node's mac for Debian 12 (ifupdown).\n`;
  return note + toYaml({ network: { version: 2, ethernets: { lan: eth } } });
}
