// The small k3s lab the machines tests (Tier 1) boot as QEMU VMs: one home site, a k3s server and an
// agent (both matched by MAC, as Debian 12's ifupdown needs), a full WireGuard mesh, the site's DNS on
// its gateway, and the k3s installer fetched by name from a stand-in there (cluster.k3sInstallerUrl).
import type { Lab } from "../lab/types.js";
import { loadTestLab } from "./apps-lab.js";

export const MACHINES_GATEWAY = "192.168.20.1";
export const MACHINES_PREFIX = 24;
/** an address behind the gateway (on the router's loopback): reached only over the default route */
export const BEYOND_GATEWAY = "198.51.100.1";
export const INSTALLER_PORT = 8080;
/** the stand-in's name: resolved by the LAN's DNS (a stand-in on the gateway) through the seed's resolv.conf */
export const INSTALLER_HOST = "installer.boot.internal";
export const INSTALLER_URL = `http://${INSTALLER_HOST}:${INSTALLER_PORT}/k3s/install.sh`;

export function machinesLabYaml(): string {
  return `apiVersion: drover.dev/v1alpha1
kind: Lab
cluster:
  name: boot
  distribution: k3s
  k3sVersion: v1.35.4+k3s1
  k3sInstallerUrl: ${INSTALLER_URL}
  endpoint: { address: 192.168.20.10 }
  domains: { private: boot.internal }
sites:
  - { name: home, lan: 192.168.20.0/24, gateway: ${MACHINES_GATEWAY}, dns: [${MACHINES_GATEWAY}] }
hosts:
  - { name: nuc1, site: home, arch: amd64, cpu: 4, memory: 16Gi, disks: [{ device: /dev/vda, size: 32Gi, use: system }] }
  - { name: nuc2, site: home, arch: amd64, cpu: 4, memory: 16Gi, disks: [{ device: /dev/vda, size: 32Gi, use: system }] }
nodes:
  - { name: srv1, host: nuc1, role: controlplane, address: 192.168.20.11, mac: "52:54:00:20:00:11" }
  - { name: w1, host: nuc2, address: 192.168.20.21, mac: "52:54:00:20:00:21" }
network:
  overlay: { subnet: 10.200.0.0/24, topology: full-mesh }
`;
}

export function machinesLab(): Lab {
  return loadTestLab(machinesLabYaml());
}
