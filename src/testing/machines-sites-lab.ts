// The two-site k3s lab the site-leaders machines test (Tier 1) boots as two QEMU VMs: "home" behind
// NAT with the WireGuard port forwarded to its leader (srv1, the k3s server and the seats' hub), and
// "cloud", one cloud VM (c1) behind NAT with no way in: it dials the home leader and keeps the tunnel
// open with keepalives. The load-balancer pool is on the home LAN, so a seat reaches it through srv1.
// The LAN addresses match src/testing/machines-sites.ts (routers, NAT, the internet namespace).
import type { Lab } from "../lab/types.js";
import { loadTestLab } from "./apps-lab.js";
import { INSTALLER_HOST, INSTALLER_PORT } from "./machines-lab.js";

/** the home router's public (WAN) address: UDP 51820 there is forwarded to the home leader */
export const SITES_HOME_WAN = "198.51.100.2";
/** the cloud NAT box's public address: it masquerades the cloud LAN and forwards nothing in */
export const SITES_CLOUD_WAN = "100.64.1.2";
/** the "internet" side of every WAN link, and the stand-in DNS and k3s installer (on the internet) */
export const SITES_INET = "198.51.100.1";
export const SITES_STANDIN = "198.51.100.53";
export const SITES_HOME_GATEWAY = "192.168.20.1";
export const SITES_CLOUD_GATEWAY = "10.2.0.1";
/** the private service a seat reaches: an address of the load-balancer pool, answered on the home LAN */
export const SITES_PRIVATE_SERVICE = "192.168.20.200";
export const SITES_SEAT = "laptop";
/** the seat's own (public, roaming) address on the internet */
export const SITES_SEAT_ADDRESS = "192.0.2.10";
export const SITES_INSTALLER_URL = `http://${INSTALLER_HOST}:${INSTALLER_PORT}/k3s/install.sh`;

export function machinesSitesLabYaml(): string {
  return `apiVersion: drover.dev/v1alpha1
kind: Lab
cluster:
  name: sites
  distribution: k3s
  k3sVersion: v1.35.4+k3s1
  k3sInstallerUrl: ${SITES_INSTALLER_URL}
  endpoint: { address: 192.168.20.10 }
  domains: { private: boot.internal }
sites:
  - { name: home, lan: 192.168.20.0/24, gateway: ${SITES_HOME_GATEWAY}, dns: [${SITES_STANDIN}], nat: true, endpoint: "${SITES_HOME_WAN}:51820" }
  - { name: cloud, kind: cloud, lan: 10.2.0.0/24, gateway: ${SITES_CLOUD_GATEWAY}, dns: [${SITES_STANDIN}], nat: true }
hosts:
  - { name: nuc1, site: home, arch: amd64, cpu: 4, memory: 16Gi, disks: [{ device: /dev/vda, size: 32Gi, use: system }] }
  - { name: vps1, site: cloud, arch: amd64, cpu: 2, memory: 4Gi, provider: hetzner, disks: [{ device: /dev/vda, size: 40Gi, use: system }] }
nodes:
  - { name: srv1, host: nuc1, role: controlplane, address: 192.168.20.11, mac: "52:54:00:20:00:11" }
  - { name: c1, host: vps1, kind: cloud, address: 10.2.0.11, mac: "52:54:00:02:00:11" }
network:
  overlay: { subnet: 10.200.0.0/24, topology: site-leaders }
  loadBalancer: { pool: 192.168.20.200-192.168.20.207 }
  seats:
    - { name: ${SITES_SEAT}, owner: ops, device: laptop }
identity:
  provider: none
  users: [{ name: ops, email: ops@boot.example.net }]
`;
}

export function machinesSitesLab(): Lab {
  return loadTestLab(machinesSitesLabYaml());
}
