// The commented starter lab.yaml that `drover init` writes: one host, one node, ready to grow.
// Pure: answers in, text out. The caller validates the text with loadSpec before writing it.
import { orList } from "../net/words.js";
import { STORAGE_DRIVERS } from "../storage/index.js";
import { formatIp, parseCidr, hostAddress, cidrLast } from "../net/ip.js";
import { DISTRIBUTIONS, DISTRIBUTION_NAMES, type DistributionName } from "../distributions/index.js";

export interface StarterAnswers {
  /** cluster name (a DNS label) */
  readonly name: string;
  readonly distribution: DistributionName;
  /** the home LAN, e.g. 192.168.1.0/24 */
  readonly lan: string;
  /** the first node's address; defaults to the LAN's .20 */
  readonly address?: string;
  readonly arch: "amd64" | "arm64";
  /** private domain for services reachable only at home and over WireGuard */
  readonly domain: string;
}

export const STARTER_DEFAULTS: StarterAnswers = { name: "homelab", distribution: DISTRIBUTION_NAMES[0], lan: "192.168.1.0/24", arch: "amd64", domain: "home.arpa" };

/** Addresses derived from the LAN: gateway .1, node .20, load-balancer pool .240–.250 (when the LAN is big enough). */
export function derive(a: StarterAnswers): { gateway: string; address: string; pool: string | undefined } {
  const r = parseCidr(a.lan);
  if (!("cidr" in r)) return { gateway: "", address: a.address ?? "", pool: undefined };
  const c = r.cidr;
  const at = (n: number) => { const ip = hostAddress(c, n); return ip === undefined ? "" : formatIp(ip); };
  const size = cidrLast(c) - c.base - 1;
  return {
    gateway: at(1),
    address: a.address ?? at(Math.min(20, Math.max(2, size))),
    pool: size >= 250 ? `${at(240)}-${at(250)}` : undefined,
  };
}

export function starterLabYaml(a: StarterAnswers): string {
  const d = derive(a);
  return `# yaml-language-server: $schema=./lab.schema.json
#
# Your lab, described once. \`drover check\` validates this file and summarises the lab; every
# problem is reported with file:line:column, the field, what is wrong and how to fix it.
# Grow the lab by adding sites, hosts (physical machines) and nodes (Kubernetes nodes on them).
apiVersion: drover.dev/v1alpha1
kind: Lab

cluster:
  name: ${a.name}
  distribution: ${a.distribution} # ${Object.values(DISTRIBUTIONS).map((d) => `${d.name} (${d.summary})`).join(" or ")}
  # Talos, Kubernetes and every chart and image: Drover's versions (out/versions.yaml lists them);
  # pin or bump any of them in versions.yaml beside this file (Renovate can keep it current).
  endpoint:
    # One control plane: its own address. With three, use a free LAN address as a virtual IP (vip: true).
    address: ${d.address}
    vip: false
  domains:
    # public: example.com   # uncomment to publish services on the internet (<app>.example.com)
    private: ${a.domain} # services answer at <app>.${a.domain}, at home and over WireGuard

sites:
  - name: home
    lan: ${a.lan}
    gateway: ${d.gateway}
    # endpoint: home.example.com:51820   # how other sites and your laptop reach home (port forward)

hosts:
  - name: server1
    site: home
    arch: ${a.arch} # amd64 or arm64 (Raspberry Pi)
    cpu: 4
    memory: 16Gi
    # power: volatile            # a desktop or gaming PC that comes and goes
    # hypervisor: proxmox        # run VM nodes (kind: vm) on it instead of one bare-metal node
    disks:
      - { device: /dev/sda, size: 256Gi, use: system } # the disk the node installs to

nodes:
  - name: node1
    host: server1
    role: controlplane # the first node runs the control plane; with no workers it runs apps too
    address: ${d.address}

network:
  overlay:
    subnet: 10.200.0.0/24 # the WireGuard mesh between nodes, sites and your devices
${d.pool ? `  loadBalancer:\n    pool: ${d.pool} # free LAN addresses (outside DHCP) for ingress and DNS\n` : ""}  ingress:
    controller: gateway-api # the Gateway API, served by Envoy Gateway (ingress-nginx is retired upstream)
  # seats:                       # laptops and phones that join the mesh
  #   - { name: laptop, device: laptop }

storage:
  classes:
    - { name: local, type: local, default: true } # node-local disk; add ${orList(Object.keys(STORAGE_DRIVERS).filter((t) => t !== "local"))} later

identity:
  provider: authelia # single sign-on in front of every service
  groups: [{ name: admins }]
  users: [] # - { name: you, email: you@example.com, groups: [admins] }

apps: # from the catalog (drover catalog); exposure public, private or none
  - { name: homepage }
  - { name: uptime-kuma }

# backups:
#   targets: [{ name: nas, type: nfs, server: 192.168.1.10, path: /mnt/tank/backups }]
# monitoring:
#   alerts: ["ntfys://ntfy.sh/my-lab-alerts"]  # Apprise URLs
`;
}
