// The resolved lab: every default applied, every address allocated, every reference linked by name
// (with lookup maps), frozen. Every later stage (render, analyze, cluster, ops, ui) consumes this.
import type { LabSpec, TaintSpec } from "../spec/schema.js";
import type { CatalogApp } from "../catalog/index.js";
import type { StorageType } from "../storage/index.js";
import type { ImagePin, Versions } from "../versions/defaults.js";
import type { Capabilities, DistributionName } from "../distributions/index.js";

export type Arch = "amd64" | "arm64";
export type Power = "always-on" | "volatile";

export interface Site {
  readonly name: string;
  readonly kind: "home" | "cloud" | "remote";
  readonly lan: string;
  readonly gateway: string | undefined;
  readonly dns: readonly string[];
  readonly nat: boolean;
  /** the site's public endpoint as written (host or host:port), where the mesh reaches it */
  readonly endpoint: string | undefined;
  /** host part of the site's public endpoint (no port) */
  readonly endpointHost: string | undefined;
  /** what public DNS records of this site's services point at: an IPv4 address or a DNS name (publicAddress, else endpointHost) */
  readonly publicAddress: string | undefined;
  /** the router forwards the ports the lab needs */
  readonly portForwarding: boolean;
  /** sites[].dynamicAddress: the DNS name the DDNS updater keeps pointing at the site's changing public IPv4 */
  readonly ddnsName: string | undefined;
  readonly hosts: readonly string[];
  readonly nodes: readonly string[];
}

export interface Host {
  readonly name: string;
  readonly site: string;
  readonly arch: Arch;
  readonly cpu: number;
  readonly memoryBytes: number;
  readonly disks: readonly { device: string; sizeBytes: number; type: "nvme" | "ssd" | "hdd"; use: "system" | "data" | "passthrough" | undefined }[];
  readonly gpus: number;
  readonly gpuVendor: "nvidia" | "amd" | "intel" | undefined;
  readonly power: Power;
  readonly hypervisor: "none" | "proxmox" | "libvirt";
  /** the machine's model as written (hosts[].model): picks CPU microcode and board overlays */
  readonly model: string | undefined;
  readonly provider: string | undefined;
  readonly address: string | undefined;
  readonly mac: string | undefined;
  readonly devices: readonly string[];
  readonly nodes: readonly string[];
  /** hosts with the same chassis (carrier board, enclosure) fail together */
  readonly chassis: string | undefined;
  /** non-Kubernetes VMs on this hypervisor (a virtualised NAS, a backup server) */
  readonly guests: readonly Guest[];
}

export interface Guest {
  readonly name: string;
  readonly purpose: "nas" | "backup" | "router" | "desktop" | "other";
  readonly cpu: number;
  readonly memoryBytes: number;
  readonly address: string | undefined;
  readonly passthrough: readonly string[];
}

export interface Node {
  readonly name: string;
  readonly host: string;
  readonly site: string;
  readonly arch: Arch;
  readonly kind: "baremetal" | "vm" | "cloud";
  readonly role: "controlplane" | "worker";
  readonly cpu: number;
  readonly memoryBytes: number;
  readonly diskBytes: number;
  readonly address: string;
  /** prefix length of the site LAN, for static addressing */
  readonly prefix: number;
  readonly gateway: string | undefined;
  readonly dns: readonly string[];
  readonly mac: string | undefined;
  readonly installDisk: string;
  /** WireGuard overlay address */
  readonly overlayAddress: string;
  /** how other nodes reach this one's WireGuard port, if they can (host:port) */
  readonly wireguardEndpoint: string | undefined;
  /** behind NAT: keepalives needed, not reachable unless a port is forwarded */
  readonly nat: boolean;
  readonly volatile: boolean;
  /** GPUs the node has: its host's (bare metal), or passed through to it (a VM with gpuPassthrough) */
  readonly gpus: number;
  /** of those, the GPUs a rendered device plugin advertises to pods (lab/gpu.ts): what the scheduler can hand out */
  readonly advertisedGpus: number;
  /** every label the node carries (spec labels plus drover.dev/* topology labels) */
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly TaintSpec[];
  readonly patches: readonly Record<string, unknown>[];
  /** the node's own public address, as written (nodes[].publicAddress) */
  readonly publicAddress: string | undefined;
}

export interface Seat {
  readonly name: string;
  readonly owner: string | undefined;
  readonly device: string;
  readonly overlayAddress: string;
}

export interface Overlay {
  readonly subnet: string;
  readonly prefix: number;
  readonly port: number;
  readonly topology: "full-mesh" | "site-leaders";
  readonly mtu: number;
  readonly keepalive: number;
  /** site → leader node name (site-leaders topology; with full-mesh every node is its own leader) */
  readonly leaders: Readonly<Record<string, string>>;
}

export interface Exposure {
  readonly kind: "public" | "private" | "none";
  readonly hostname: string | undefined;
  readonly url: string | undefined;
}

export interface App {
  readonly name: string;
  readonly catalog: CatalogApp;
  /** the image it runs (the versions table's entry for the app) */
  readonly image: ImagePin;
  readonly namespace: string;
  readonly exposure: Exposure;
  readonly replicas: number;
  /**
   * More than one replica, each with its own copy of the volumes (catalog replicas.independent): a
   * StatefulSet whose claim templates give every replica its claims, spread across hosts.
   */
  readonly independentReplicas: boolean;
  readonly storageClass: string | undefined;
  /** volume name → size in bytes */
  readonly volumes: readonly { name: string; path: string; sizeBytes: number }[];
  readonly backup: boolean;
  /** who may use it: these groups; empty means any signed-in user; undefined means no SSO gate */
  readonly groups: readonly string[] | undefined;
  readonly twoFactor: boolean;
  readonly placement: {
    readonly archs: readonly Arch[];
    readonly nodeSelector: Readonly<Record<string, string>>;
    readonly hosts: readonly string[];
    readonly gpu: number;
    readonly tolerations: readonly TaintSpec[];
  };
  readonly resources: { readonly cpuMillis: number; readonly memoryBytes: number };
  readonly env: Readonly<Record<string, string>>;
  readonly patches: readonly { target: { kind: string; name?: string }; patch: Record<string, unknown> }[];
  /** load-balancer address for raw TCP/UDP ports, if the app has any */
  readonly loadBalancerAddress: string | undefined;
}

export interface StorageClass {
  readonly name: string;
  readonly type: StorageType;
  readonly default: boolean;
  /** volumes of this class are bound to one node (its driver's answer: local) */
  readonly nodeLocal: boolean;
  readonly spec: LabSpec["storage"]["classes"][number];
}

export interface FunctionDef {
  readonly name: string;
  readonly file: string;
  readonly runtime: "python" | "node" | "bash";
  readonly schedule: string | undefined;
  readonly webhook: { path: string; exposure: "public" | "private" | "none"; hostname: string | undefined } | undefined;
  readonly env: Readonly<Record<string, string>>;
  /** the script's text, read by the loader (resolveLab's functionSources); undefined when not loaded */
  readonly source: string | undefined;
}

/** Who answers at an address: a host (its own address, a node's, or a guest VM's on it), or an app's load-balancer address. */
export interface AddressOwner {
  readonly host: string | undefined;
  /** a non-Kubernetes guest VM on the host (hosts[].guests[]) */
  readonly guest: string | undefined;
  /** a Kubernetes node on the host */
  readonly node: string | undefined;
  /** an app's load-balancer address (the app serves it wherever its pods run) */
  readonly app: string | undefined;
}

/** A service the lab names by address, and who serves it. */
export interface ServiceAddress {
  readonly kind: "storage" | "storage-api" | "ceph-monitor" | "dns" | "gateway" | "dns-update" | "object-store" | "git" | "backup";
  /** the storage class, site, backup target or object store it belongs to */
  readonly name: string;
  /** what it is, in words: "NFS server of storage class truenas-nfs" */
  readonly what: string;
  /** as written in lab.yaml (an address, host:port or URL) */
  readonly address: string;
  /** undefined: outside the lab, or named by a DNS name (not resolved) */
  readonly servedBy: AddressOwner | undefined;
}

export interface Lab {
  readonly spec: LabSpec;
  readonly name: string;
  readonly distribution: DistributionName;
  /** what the distribution is and does (distributions/): ask it, never compare the name */
  readonly capabilities: Capabilities;
  readonly kubernetesVersion: string;
  /** every version and image the lab renders: defaults, lab.yaml's cluster versions, versions.yaml */
  readonly versions: Versions;
  readonly talosVersion: string;
  readonly k3sVersion: string;
  /** the k3s install script's URL (cluster.k3sInstallerUrl, default https://get.k3s.io) */
  readonly k3sInstallerUrl: string;
  readonly cni: "cilium" | "flannel";
  readonly endpoint: { readonly address: string; readonly port: number; readonly vip: boolean; readonly url: string };
  readonly podCIDR: string;
  readonly serviceCIDR: string;
  readonly domains: { readonly public: string | undefined; readonly private: string };
  readonly sites: readonly Site[];
  readonly hosts: readonly Host[];
  readonly nodes: readonly Node[];
  readonly seats: readonly Seat[];
  readonly overlay: Overlay;
  readonly loadBalancer: {
    readonly implementation: "cilium" | "metallb";
    readonly pool: string | undefined;
    /** service → address, allocated deterministically from the pool */
    readonly addresses: Readonly<Record<string, string>>;
  };
  readonly ingress: { readonly controller: "ingress-nginx" | "gateway-api"; readonly publicAddress: string | undefined; readonly privateAddress: string | undefined };
  readonly storageClasses: readonly StorageClass[];
  readonly defaultStorageClass: string | undefined;
  readonly apps: readonly App[];
  readonly functions: readonly FunctionDef[];
  /** the secrets store: its file relative to lab.yaml (default secrets.sops.yaml) and lab.yaml's age recipients (undefined: the local key) */
  readonly secretsStore: { readonly file: string; readonly recipients: readonly string[] | undefined };
  readonly identity: LabSpec["identity"];
  readonly network: LabSpec["network"];
  readonly storage: LabSpec["storage"];
  readonly backups: LabSpec["backups"];
  readonly monitoring: LabSpec["monitoring"];
  readonly gitops: LabSpec["gitops"];
  /** every service the lab names by address, mapped to the host (or guest VM on a host, or app) serving it */
  readonly services: readonly ServiceAddress[];
  /** the UPSes and what each host they power does on battery (lab/power.ts) */
  readonly ups: readonly Ups[];
  site(name: string): Site;
  host(name: string): Host;
  node(name: string): Node;
  app(name: string): App;
  controlPlanes(): readonly Node[];
  /** who answers at an address (a.b.c.d, host:port or URL); undefined when nothing in the lab does */
  ownerOf(address: string): AddressOwner | undefined;
}

// ---- power (lab/power.ts resolves them) ----

/** When a host shuts down on battery. */
export type PowerStep = "early" | "low-battery" | "last";

export interface UpsHost {
  readonly host: string;
  /** primary: the NUT server on the UPS's own host; secondary: a NUT client */
  readonly role: "primary" | "secondary";
  /**
   * what runs NUT there: the cluster's distribution on a bare-metal node ("node": Talos's nut-client
   * extension, or Debian's packages under k3s) or the host's own Debian ("debian": Proxmox, libvirt, a NAS)
   */
  readonly os: "node" | "debian";
  /** NUT's files are rendered as files for the host (nut/<host>/), not into a node's config */
  readonly files: boolean;
  readonly step: PowerStep;
  /** why it shuts down at that step, in words */
  readonly why: string;
}

export interface Ups {
  readonly name: string;
  readonly host: string;
  readonly driver: string;
  readonly port: string;
  readonly runtimeSeconds: number;
  /** where the clients reach the NUT server (the UPS host's address); undefined when no client needs it */
  readonly serverAddress: string | undefined;
  /** every host it powers, the primary last */
  readonly hosts: readonly UpsHost[];
  /** seconds on battery before the early step shuts its hosts down */
  readonly earlyAfterSeconds: number;
}
