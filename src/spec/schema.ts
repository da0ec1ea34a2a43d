// The typed shape of lab.yaml. Structural rules live here (types, enums, formats, unknown fields);
// rules that relate fields to each other live in rules/ (see validate.ts).
import { z } from "zod";
import { BYTES_PATTERN, CPU_PATTERN } from "../net/quantity.js";
import { parseCidr, parseIp, parseRange } from "../net/ip.js";
import { hostKind, parseHostPort, scpGitUrl, urlError, type HostKind } from "../net/host.js";
import { cronError } from "./cron.js";
import { DISTRIBUTION_NAMES } from "../distributions/index.js";
import { PRIVATE_DNS_NAMES, PUBLIC_DNS_NAMES } from "../dns/index.js";

export const API_VERSION = "drover.dev/v1alpha1";
export const KIND = "Lab";

// ---------- scalar formats ----------

/** DNS-1123 label: lower-case letters, digits and '-', starting and ending alphanumeric, at most 63. */
export const Name = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, {
    error: "must be a lower-case DNS label (letters, digits and '-', at most 63, e.g. nuc-1)",
  });

export const DnsName = z
  .string()
  .max(253)
  .regex(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, {
    error: "must be a lower-case DNS name such as lab.example.com",
  });

export const Ipv4 = z.string().refine((s) => parseIp(s) !== undefined, {
  error: (iss) => `${String(iss.input)} is not an IPv4 address; write four numbers from 0 to 255, such as 192.168.1.10`,
});

export const CidrText = z.string().superRefine((s, ctx) => {
  const r = parseCidr(s);
  if ("error" in r) ctx.addIssue({ code: "custom", message: r.error + (r.hint ? `; ${r.hint}` : "") });
});

export const RangeText = z.string().superRefine((s, ctx) => {
  const r = parseRange(s);
  if ("error" in r) ctx.addIssue({ code: "custom", message: r.error + (r.hint ? `; ${r.hint}` : "") });
});

/** An absolute path on a file server: printable, no spaces. */
export const ExportPath = z.string().regex(/^\/[A-Za-z0-9._~\/+@:-]*$/, { error: "must be an absolute export path such as /mnt/tank/k8s (letters, digits and - . _ ~ + @ : /)" });

export const Bytes = z
  .union([z.string(), z.number()])
  .transform((v) => String(v))
  .pipe(z.string().regex(BYTES_PATTERN, { error: "must be a size such as 16Gi, 512Mi or 2T" }));

export const Cpu = z
  .union([z.number().positive(), z.string().regex(CPU_PATTERN, { error: "must be a CPU amount such as 4, 0.5 or 500m" })]);

export const Mac = z
  .string()
  .regex(/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/, { error: "must be a MAC address such as 52:54:00:12:34:56" });

/** A host with an optional port: an IPv4 address, [IPv6] or a DNS name, then :port. */
export const Endpoint = z.string().superRefine((s, ctx) => {
  const r = parseHostPort(s);
  if ("error" in r) ctx.addIssue({ code: "custom", message: `must be host or host:port: ${r.error}; for example home.example.net:51820, 198.51.100.7:51820 or [2001:db8::7]:51820` });
});

/**
 * gitops.serve: the <address>:<port> drover listens on and the cluster's nodes pull from, read by the
 * one host:port parser (an IPv4 address, [IPv6] or a DNS name, and a port): not a wildcard address,
 * which the nodes could not reach.
 */
export const ServeAddress = z.string().superRefine((s, ctx) => {
  const example = "for example 192.168.1.10:8418, [2001:db8::10]:8418 or build.home.example:8418";
  const wrong = (what: string, fix: string) => ctx.addIssue({ code: "custom", message: `must be <address>:<port> of this machine, as the cluster's nodes reach it: ${what}; ${fix}` });
  const r = parseHostPort(s);
  if ("error" in r) wrong(r.error, example);
  else if (r.port === undefined && r.kind === "ipv6") wrong(`${JSON.stringify(s)} is an IPv6 address without a port (or with one, but not in brackets)`, "write the address in brackets and the port after it, e.g. [2001:db8::10]:8418");
  else if (r.port === undefined) wrong(`${JSON.stringify(s)} has no port`, `add one, ${example}`);
  else if (r.host === "0.0.0.0" || (r.kind === "ipv6" && /^[0:]+$/.test(r.host))) wrong(`${r.host} listens on every address but is none the nodes can pull from`, `write the address they reach this machine at (ip -br addr), ${example}`);
});

/** A host without a port, of the given kinds. */
const hostOf = (kinds: readonly HostKind[], example: string) =>
  z.string().superRefine((s, ctx) => {
    const k = hostKind(s);
    if (k && kinds.includes(k)) return;
    const what = kinds.map((x) => (x === "dns" ? "a DNS name" : x === "ipv4" ? "an IPv4 address" : "an IPv6 address")).join(" or ");
    const withPort = parseHostPort(s);
    const hint = !("error" in withPort) && withPort.port !== undefined ? "; write it without a port" : `; for example ${example}`;
    ctx.addIssue({ code: "custom", message: `must be ${what}, not ${JSON.stringify(s.length > 60 ? s.slice(0, 60) + "…" : s)}${hint}` });
  });

/** A server named by address or DNS name, no port. */
export const ServerHost = hostOf(["ipv4", "ipv6", "dns"], "192.168.1.10 or nas.lab.example");

/** An http(s) URL such as an S3 endpoint or an API. */
export const HttpUrl = z.string().superRefine((s, ctx) => {
  const e = urlError(s, ["http", "https"]);
  if (e) ctx.addIssue({ code: "custom", message: `${e}; for example https://s3.example.com or http://192.168.1.10:9000` });
});

/** A Git repository URL Flux can pull: https://, http:// or ssh://, or Git's scp form user@host:path (rendered as ssh://). */
export const GitUrl = z.string().superRefine((s, ctx) => {
  const e = scpGitUrl(s) ? undefined : urlError(s, ["https", "http", "ssh"]);
  if (e) ctx.addIssue({ code: "custom", message: `${e}; for example https://github.com/you/homelab.git or ssh://git@github.com/you/homelab.git` });
});

export const LabelKey = z.string().regex(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\/)?[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/, { error: "is not a valid label key (an optional DNS prefix and '/', then up to 63 letters, digits, '-', '_' or '.', e.g. drover.dev/gpu)" });
export const LabelValue = z.string().max(63).regex(/^([A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?)?$/, { error: "is not a valid label value (up to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)" });

export const Labels = z.record(LabelKey, LabelValue);

export const Taint = z.strictObject({
  key: LabelKey,
  value: LabelValue.optional(),
  effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]),
});

export const Arch = z.enum(["amd64", "arm64"]);
export const Exposure = z.enum(["public", "private", "none"]);
/** A schedule as a Kubernetes CronJob reads it (see cron.ts). */
export const Cron = z.string().superRefine((s, ctx) => {
  const e = cronError(s);
  if (e) ctx.addIssue({ code: "custom", message: `is not a cron schedule: ${e}; write five fields (minute hour day-of-month month day-of-week) such as "0 3 * * *", or @daily` });
});

/** A strategic-merge patch for a generated object or machine config: free-form YAML. */
export const Patch = z.record(z.string(), z.unknown());

// ---------- sections ----------

export const Secrets = z.strictObject({
  /** age public keys that may decrypt the secrets store (age1…). */
  // X25519 (age1…, 62 characters) or post-quantum hybrid ML-KEM-768 + X25519 (age1pq1…, 1959 characters, age 1.3)
  recipients: z
    .array(z.string().regex(/^(age1[02-9ac-hj-np-z]{58}|age1pq1[02-9ac-hj-np-z]{1952})$/, { error: "must be an age public key (age1…, 62 characters, or a post-quantum age1pq1…)" }))
    .min(1)
    .refine((rs) => rs.some((r) => !r.startsWith("age1pq1")), { error: "needs at least one X25519 recipient (age1…, 62 characters) beside post-quantum ones: Drover's local key and sops 3.11 (age 1.2) open the store and the Secrets with X25519 keys" }),
  /** the SOPS-encrypted secrets store, relative to lab.yaml. */
  file: z.string().default("secrets.sops.yaml"),
});

export const Cluster = z.strictObject({
  name: Name,
  distribution: z.enum(DISTRIBUTION_NAMES).default(DISTRIBUTION_NAMES[0]),
  kubernetesVersion: z.string().regex(/^\d+\.\d+\.\d+$/, { error: "must be a version such as 1.35.4" }).optional(),
  talosVersion: z.string().regex(/^\d+\.\d+\.\d+$/, { error: "must be a version such as 1.12.6" }).optional(),
  k3sVersion: z.string().regex(/^v?\d+\.\d+\.\d+\+k3s\d+$/, { error: "must be a k3s release such as v1.35.4+k3s1" }).optional(),
  /** Where k3s nodes download the k3s install script (default https://get.k3s.io): a mirror for air-gapped labs. */
  k3sInstallerUrl: z
    .string()
    .regex(/^https?:\/\/[A-Za-z0-9._~:/?#[\]@!&()*+,;=%-]+$/, { error: "must be an http:// or https:// URL (plain URL characters, no spaces or quotes), such as https://mirror.lab.example/k3s/install.sh" })
    .refine((u) => URL.canParse(u), { error: "must be a valid URL, such as https://mirror.lab.example/k3s/install.sh" })
    .optional(),
  /** The Kubernetes API endpoint: a virtual IP shared by the control planes, or a DNS name. */
  endpoint: z.strictObject({
    address: hostOf(["ipv4", "dns"], "192.168.1.5 or k8s.lab.example"),
    vip: z.boolean().optional(),
    port: z.number().int().min(1).max(65535).default(6443),
  }),
  podCIDR: CidrText.default("10.244.0.0/16"),
  serviceCIDR: CidrText.default("10.96.0.0/12"),
  cni: z.enum(["cilium", "flannel"]).optional(),
  /** Strategic-merge patches for every node's Talos machine config or k3s config, and per role; node patches apply after these. */
  patches: z.strictObject({ all: z.array(Patch).default([]), controlplane: z.array(Patch).default([]), worker: z.array(Patch).default([]) }).optional(),
  domains: z.strictObject({
    public: DnsName.optional(),
    private: DnsName,
  }),
});

export const Site = z.strictObject({
  name: Name,
  kind: z.enum(["home", "cloud", "remote"]).default("home"),
  lan: CidrText,
  gateway: Ipv4.optional(),
  dns: z.array(Ipv4).default([]),
  nat: z.boolean().default(true),
  /** How the site is reached from outside (a public DNS name or address, optionally :port). */
  endpoint: Endpoint.optional(),
  region: z.string().optional(),
  /**
   * The address public DNS records point at for the services this site serves: the router's fixed public
   * IPv4, or a DNS name kept current elsewhere (the router's dynamic-DNS name: records become CNAMEs to it).
   * Defaults to the host of `endpoint`.
   */
  publicAddress: DnsName.refine((s) => !/^\d+(\.\d+)*$/.test(s) || parseIp(s) !== undefined, { error: "must be a public IPv4 address such as 203.0.113.7 or a DNS name such as home.example.net" }).optional(),
  /** Whether the router forwards the ports `drover check` lists (false behind CGNAT or a router you cannot configure). */
  portForwarding: z.boolean().default(true),
  /**
   * The site's public IPv4 changes (a home connection without a fixed address): Drover renders a DDNS
   * updater that keeps ddns-<site>.<domains.public> pointing at it in the public DNS provider, and the
   * public records become CNAMEs to that name. Needs network.dns.public: cloudflare; excludes publicAddress.
   */
  dynamicAddress: z.boolean().default(false),
});

export const Disk = z.strictObject({
  device: z.string().regex(/^\/dev\/[A-Za-z0-9/_.-]+$/, { error: "must be a device path such as /dev/nvme0n1" }),
  size: Bytes,
  type: z.enum(["nvme", "ssd", "hdd"]).default("ssd"),
  use: z.enum(["system", "data", "passthrough"]).optional(),
});

export const Gpu = z.strictObject({
  vendor: z.enum(["nvidia", "amd", "intel"]),
  model: z.string().optional(),
  count: z.number().int().min(1).default(1),
});

/** A virtual machine on a hypervisor host that is not a Kubernetes node (a virtualised TrueNAS, a backup server). */
export const Guest = z.strictObject({
  name: Name,
  purpose: z.enum(["nas", "backup", "router", "desktop", "other"]).default("other"),
  cpu: z.number().int().min(1),
  memory: Bytes,
  address: Ipv4.optional(),
  /** host disks (e.g. /dev/sdb) or PCI devices (e.g. an HBA, "0000:03:00.0") handed to the guest */
  passthrough: z.array(z.string().regex(/^(\/dev\/[A-Za-z0-9/_.:+-]+|([0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7])$/, { error: "must be a host disk such as /dev/sdb or a PCI address such as 0000:03:00.0" })).default([]),
  os: z.string().optional(),
});

export const Host = z.strictObject({
  name: Name,
  site: Name,
  arch: Arch,
  cpu: z.number().int().min(1),
  memory: Bytes,
  disks: z.array(Disk).default([]),
  gpus: z.array(Gpu).default([]),
  power: z.enum(["always-on", "volatile"]).default("always-on"),
  hypervisor: z.enum(["none", "proxmox", "libvirt"]).default("none"),
  provider: z.enum(["hetzner", "aws", "gcp", "azure", "oracle", "digitalocean", "linode", "vultr", "other"]).optional(),
  /** Management address of the host itself (hypervisor UI, SSH); not a Kubernetes node address. */
  address: Ipv4.optional(),
  mac: Mac.optional(),
  model: z.string().optional(),
  devices: z.array(z.string().regex(/^\/dev\/[A-Za-z0-9/_.:+-]+$/, { error: "must be a device path such as /dev/ttyUSB0" })).default([]),
  /** Hosts sharing a chassis (a carrier board such as a DeskPi Super6C, one enclosure or power supply) fail together. */
  chassis: Name.optional(),
  /** Virtual machines on this hypervisor that are not Kubernetes nodes; they take the host's CPU and memory. */
  guests: z.array(Guest).default([]),
  /**
   * vCPUs per core the VMs and guests on this host may ask for together before `drover check` warns
   * (KVM shares cores between vCPUs; memory is never over-committed). Default 4.
   */
  cpuOvercommit: z.number().min(1).max(64).optional(),
});

/** vCPUs per host core the VMs on a host may ask for together before `drover check` warns (hosts[].cpuOvercommit). */
export const DEFAULT_CPU_OVERCOMMIT = 4;

export const Node = z.strictObject({
  name: Name,
  host: Name,
  kind: z.enum(["baremetal", "vm", "cloud"]).default("baremetal"),
  role: z.enum(["controlplane", "worker"]).default("worker"),
  /** CPUs and memory for VMs; bare-metal and cloud nodes take the host's. */
  cpu: z.number().int().min(1).optional(),
  memory: Bytes.optional(),
  /** VM disk size. */
  diskSize: Bytes.optional(),
  address: Ipv4,
  mac: Mac.optional(),
  /** The disk Talos or Debian installs to, e.g. /dev/sda or /dev/nvme0n1. */
  installDisk: z.string().regex(/^\/dev\/[A-Za-z0-9/_.-]+$/, { error: "must be a device path such as /dev/sda" }).optional(),
  /** A public address for cloud nodes, used as the WireGuard endpoint. */
  publicAddress: ServerHost.optional(),
  /** A VM node that gets its host's GPUs by PCI passthrough (one VM per host). */
  gpuPassthrough: z.boolean().default(false),
  labels: Labels.default({}),
  taints: z.array(Taint).default([]),
  /** Strategic-merge patches applied to this node's Talos machine config or k3s config. */
  patches: z.array(Patch).default([]),
});

export const Seat = z.strictObject({
  name: Name,
  owner: Name.optional(),
  device: z.enum(["laptop", "phone", "desktop", "tablet"]).default("laptop"),
  address: Ipv4.optional(),
});

export const Network = z.strictObject({
  overlay: z
    .strictObject({
      subnet: CidrText.default("10.200.0.0/24"),
      port: z.number().int().min(1).max(65535).default(51820),
      topology: z.enum(["full-mesh", "site-leaders"]).default("full-mesh"),
      mtu: z.number().int().min(1280).max(9000).default(1420),
      keepalive: z.number().int().min(0).max(3600).default(25),
    })
    .prefault({}),
  loadBalancer: z
    .strictObject({
      implementation: z.enum(["cilium", "metallb"]).optional(),
      pool: RangeText,
    })
    .optional(),
  ingress: z
    .strictObject({
      controller: z.enum(["ingress-nginx", "gateway-api"]).optional(),
      public: z.strictObject({ address: Ipv4.optional() }).prefault({}),
      private: z.strictObject({ address: Ipv4.optional() }).prefault({}),
    })
    .prefault({}),
  tls: z
    .strictObject({
      email: z.email({ error: "must be an e-mail address (Let's Encrypt sends expiry notices there)" }).optional(),
      challenge: z.enum(["http01", "dns01"]).default("http01"),
      staging: z.boolean().default(false),
    })
    .prefault({}),
  /**
   * Public services reached through a Cloudflare Tunnel (cloudflared in the cluster dials out): for a lab
   * behind CGNAT or a router without port forwards. `id` is the tunnel's UUID (cloudflared tunnel create);
   * its credentials file is a stored secret (drover secrets set cloudflare-tunnel-credentials).
   */
  tunnel: z
    .strictObject({
      provider: z.literal("cloudflare"),
      id: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, { error: "must be the tunnel's UUID (cloudflared tunnel list), e.g. 6ff42ae2-765d-4adf-8112-31c55c1551ef" }),
    })
    .optional(),
  dns: z
    .strictObject({
      public: z.enum(PUBLIC_DNS_NAMES).default("none"),
      private: z.enum(PRIVATE_DNS_NAMES).default("none"),
      rfc2136: z.strictObject({ server: Endpoint, zone: DnsName, keyName: z.string().regex(/^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/, { error: "must be a TSIG key name such as externaldns-key" }) }).optional(),
    })
    .prefault({}),
  seats: z.array(Seat).default([]),
  registryMirror: z.boolean().default(false),
});

const StorageBase = { name: Name, default: z.boolean().optional() };
export const StorageClass = z.discriminatedUnion("type", [
  z.strictObject({ ...StorageBase, type: z.literal("nfs"), server: ServerHost, path: ExportPath, truenas: z.boolean().default(false) }),
  z.strictObject({ ...StorageBase, type: z.literal("iscsi"), portal: Endpoint, targetPrefix: z.string().regex(/^(iqn\.[0-9]{4}-[0-9]{2}\.[a-z0-9.-]+(:[A-Za-z0-9.:_-]+)?|eui\.[0-9A-Fa-f]{16})$/, { error: "must be an iSCSI name prefix such as iqn.2005-10.org.freenas.ctl" }).default("iqn.2005-10.org.freenas.ctl"), truenas: z.boolean().default(true), apiUrl: HttpUrl.optional() }),
  z.strictObject({ ...StorageBase, type: z.literal("ceph-rbd"), monitors: z.array(Endpoint).min(1), pool: z.string().min(1), clusterID: z.string().min(1) }),
  z.strictObject({ ...StorageBase, type: z.literal("cephfs"), monitors: z.array(Endpoint).min(1), fsName: z.string().min(1), clusterID: z.string().min(1) }),
  z.strictObject({ ...StorageBase, type: z.literal("longhorn"), replicas: z.number().int().min(1).max(5).default(2) }),
  z.strictObject({ ...StorageBase, type: z.literal("local"), path: ExportPath.default("/var/mnt/local-path") }),
]);

/** The storage class types, in the schema's order (each is a driver of src/storage/). */
export const STORAGE_TYPES: readonly string[] = StorageClass.options.map((o) => o.shape.type.value);

export const Storage = z.strictObject({
  classes: z.array(StorageClass).default([]),
  objectStore: z
    .strictObject({
      name: Name.default("s3"),
      /** in-cluster S3 server on a storage class, or an external endpoint. */
      storageClass: Name.optional(),
      size: Bytes.default("100Gi"),
      endpoint: HttpUrl.optional(),
      buckets: z.array(Name).default([]),
    })
    .optional(),
});

export const Group = z.strictObject({ name: Name, description: z.string().optional() });
export const User = z.strictObject({
  name: Name,
  email: z.email({ error: "must be an e-mail address" }),
  displayName: z.string().optional(),
  groups: z.array(Name).default([]),
});

export const Identity = z.strictObject({
  provider: z.enum(["authelia", "keycloak", "none"]).default("authelia"),
  groups: z.array(Group).default([]),
  users: z.array(User).default([]),
  signup: z.enum(["closed", "invite", "open"]).default("closed"),
  /** groups that new users join */
  defaultGroups: z.array(Name).default([]),
  /** who may use a service that names no groups: members of these groups (empty: any signed-in user) */
  defaultPolicy: z
    .strictObject({ groups: z.array(Name).default([]), twoFactor: z.boolean().default(false) })
    .prefault({}),
});

export const AppPlacement = z.strictObject({
  arch: z.array(Arch).optional(),
  nodeSelector: Labels.optional(),
  hosts: z.array(Name).optional(),
  gpu: z.number().int().min(0).optional(),
  tolerations: z.array(Taint).optional(),
});

export const ObjectPatch = z.strictObject({
  target: z.strictObject({ kind: z.string().min(1), name: z.string().optional() }),
  patch: Patch,
});

export const App = z.strictObject({
  /** Instance name; also the default hostname label. */
  name: Name,
  /** The catalog app; defaults to the instance name. */
  app: Name.optional(),
  namespace: Name.optional(),
  exposure: Exposure.optional(),
  hostname: DnsName.optional(),
  replicas: z.number().int().min(0).max(100).optional(),
  storage: z.strictObject({ class: Name.optional(), size: Bytes.optional() }).optional(),
  backup: z.boolean().default(false),
  groups: z.array(Name).optional(),
  placement: AppPlacement.optional(),
  resources: z.strictObject({ cpu: Cpu.optional(), memory: Bytes.optional() }).optional(),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "must be an environment variable name" }), z.string()).default({}),
  patches: z.array(ObjectPatch).default([]),
  enabled: z.boolean().default(true),
});

export const BackupTarget = z.discriminatedUnion("type", [
  z.strictObject({ name: Name, type: z.literal("s3"), endpoint: HttpUrl.optional(), bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: "must be an S3 bucket name (3-63 lower-case letters, digits, '.' and '-')" }), region: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { error: "must be a region such as us-east-1" }).optional(), offsite: z.boolean().default(false) }),
  z.strictObject({ name: Name, type: z.literal("nfs"), server: ServerHost, path: ExportPath, offsite: z.boolean().default(false) }),
]);

export const Backups = z.strictObject({
  engine: z.enum(["volsync", "velero"]).default("volsync"),
  targets: z.array(BackupTarget).default([]),
  schedule: Cron.default("0 3 * * *"),
  retention: z
    .strictObject({
      daily: z.number().int().min(0).default(7),
      weekly: z.number().int().min(0).default(4),
      monthly: z.number().int().min(0).default(6),
    })
    .prefault({}),
});

export const Monitoring = z.strictObject({
  enabled: z.boolean().default(true),
  /** Apprise notification URLs for alerts; secret parts belong in the secrets store (use ${secret:name}). */
  alerts: z.array(z.string().regex(/^[a-z][a-z0-9+.-]*:\/\/[\x21-\x7e]*$/, { error: "must be an Apprise URL such as ntfys://ntfy.sh/lab-alerts (printable characters, no spaces)" })).default([]),
  retention: z.string().regex(/^\d+[dhw]$/, { error: "must be a duration such as 15d" }).default("15d"),
  logs: z.boolean().default(true),
});

export const FunctionSpec = z.strictObject({
  name: Name,
  /** single-file script, relative to lab.yaml */
  file: z.string().min(1),
  runtime: z.enum(["python", "node", "bash"]).optional(),
  schedule: Cron.optional(),
  webhook: z.strictObject({ path: z.string().regex(/^\/[A-Za-z0-9._~\/-]*$/, { error: "must be a URL path such as /hook (letters, digits and - . _ ~ /)" }).default("/"), exposure: Exposure.default("private") }).optional(),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "must be an environment variable name" }), z.string()).default({}),
});

export const GitOps = z.strictObject({
  /** an external Git URL, or the name of an in-lab forge app (forgejo, soft-serve) */
  url: GitUrl.optional(),
  forge: Name.optional(),
  /**
   * no Git host yet: `drover up` (and `drover serve-git`) serve the lab's repository from this machine
   * over HTTP at <address>:<port>, an address of this machine the cluster's nodes reach, e.g. 192.168.1.10:8418
   */
  serve: ServeAddress.optional(),
  branch: z.string().regex(/^(?!.*\.\.)(?!\/)(?!.*\/$)[A-Za-z0-9._\/-]+$/, { error: "must be a branch name such as main" }).default("main"),
  path: z.string().regex(/^(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, { error: "must be a relative folder such as kubernetes or clusters/home" }).default("kubernetes"),
  interval: z.string().regex(/^\d+[smh]$/, { error: "must be a duration such as 10m" }).default("10m"),
});

/** An uninterruptible power supply, watched by NUT (Network UPS Tools): on low battery the hosts it powers shut down in order. */
export const Ups = z.strictObject({
  name: Name,
  /** the host its data cable (USB or serial) is plugged into: it runs the NUT server and shuts down last */
  host: Name,
  /** the hosts on its battery outlets, its own host included */
  powers: z.array(Name).min(1, { error: "name the hosts on the UPS's battery outlets" }),
  /** how long it carries those hosts on battery, e.g. 20m (the UPS's display or `upsc <ups> battery.runtime`) */
  runtime: z.string().regex(/^[1-9][0-9]{0,3}[mh]$/, { error: "must be minutes or hours such as 20m or 1h" }),
  /** the NUT driver (`man nutupsdrv`): usbhid-ups for most USB UPSes */
  driver: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, { error: "must be a NUT driver name such as usbhid-ups, nutdrv_qx or snmp-ups" }).default("usbhid-ups"),
  /** where the driver finds it: auto (USB), a serial device, or an SNMP card's address */
  port: z.string().regex(/^(auto|\/dev\/[A-Za-z0-9/_.:+-]+|[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)$/, { error: "must be auto, a device such as /dev/ttyS0, or an address" }).default("auto"),
});

export const LabSpecSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION, { error: `must be ${API_VERSION}` }),
  kind: z.literal(KIND, { error: `must be ${KIND}` }),
  cluster: Cluster,
  secrets: Secrets.optional(),
  gitops: GitOps.prefault({}),
  sites: z.array(Site).min(1, { error: "a lab needs at least one site" }),
  hosts: z.array(Host).min(1, { error: "a lab needs at least one host" }),
  nodes: z.array(Node).min(1, { error: "a lab needs at least one node" }),
  network: Network.prefault({}),
  storage: Storage.prefault({}),
  identity: Identity.prefault({}),
  apps: z.array(App).default([]),
  backups: Backups.prefault({}),
  monitoring: Monitoring.prefault({}),
  functions: z.array(FunctionSpec).default([]),
  ups: z.array(Ups).default([]),
});

/** lab.yaml after structural validation, with schema defaults applied. */
export type LabSpec = z.output<typeof LabSpecSchema>;
export type LabSpecInput = z.input<typeof LabSpecSchema>;
export type SiteSpec = z.output<typeof Site>;
export type HostSpec = z.output<typeof Host>;
export type NodeSpec = z.output<typeof Node>;
export type AppSpec = z.output<typeof App>;
export type StorageClassSpec = z.output<typeof StorageClass>;
export type SeatSpec = z.output<typeof Seat>;
export type FunctionSpecT = z.output<typeof FunctionSpec>;
export type TaintSpec = z.output<typeof Taint>;
export type GuestSpec = z.output<typeof Guest>;
export type UpsSpec = z.output<typeof Ups>;
