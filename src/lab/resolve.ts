// Spec → Lab: a pure function. Defaults, deterministic address allocation, links by name.
import { withPort } from "../net/host.js";
import type { LabSpec } from "../spec/schema.js";
import type { App, FunctionDef, Host, Lab, Node, Seat, Site, StorageClass } from "./types.js";
import { catalogApp } from "../catalog/index.js";
import { storageDriver } from "../storage/index.js";
import { parseBytes, parseMillicores } from "../net/quantity.js";
import { formatIp, parseCidr, parseIp, parseRange, type Cidr } from "../net/ip.js";
import { allocate } from "./allocate.js";
import { ddnsName } from "../exposure/index.js";
import { effectiveVersions } from "./versions.js";
import type { VersionOverrides } from "../spec/versions.js";
import { DEFAULT_TALOS, type ImageName, type Versions } from "../versions/defaults.js";
import { capabilitiesOf } from "../distributions/index.js";
import { exposureOf } from "./exposure.js";
import { addressHost, addressOwners, serviceAddresses } from "./services.js";
import { GPU_LABEL, GPU_SUPPORT } from "./gpu.js";
import { resolveUps } from "./power.js";

export const DEFAULT_TALOS_VERSION = DEFAULT_TALOS;
/** The ingress controller of a lab that names none: ingress-nginx, as before (retired upstream: check warns; drover init writes gateway-api). */
export const DEFAULT_INGRESS_CONTROLLER = "ingress-nginx";
/** k3s's own install script, where a k3s node fetches it unless cluster.k3sInstallerUrl names a mirror. */
export const K3S_INSTALLER_URL = "https://get.k3s.io";
/** where the secrets store lives when lab.yaml has no secrets: section (the schema's default for secrets.file) */
export const DEFAULT_SECRETS_FILE = "secrets.sops.yaml";
export const DEFAULT_VM_DISK = 64 * 2 ** 30;

const cidr = (text: string): Cidr => {
  const r = parseCidr(text);
  if (!("cidr" in r)) throw new Error(`internal: unvalidated CIDR ${text}`);
  return r.cidr;
};

function freezeDeep<T>(o: T): T {
  if (o && typeof o === "object" && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) freezeDeep(v);
  }
  return o;
}

function endpointHost(ep: string | undefined): string | undefined {
  if (!ep) return undefined;
  const m = /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(ep);
  return m?.[1];
}

export interface ResolveOptions {
  /** function file (as written in the spec) → its text; read by the loader so that resolution stays pure */
  readonly functionSources?: ReadonlyMap<string, string>;
  /** the lab's versions.yaml, read by the loader */
  readonly versions?: VersionOverrides;
}

/** The resolved lab. The spec must have passed loadSpec without errors. */
export function resolveLab(spec: LabSpec, opts: ResolveOptions = {}): Lab {
  const distribution = spec.cluster.distribution;
  const versions = effectiveVersions(spec, opts.versions);
  const k8s = versions.kubernetes;
  const siteSpecs = new Map(spec.sites.map((s) => [s.name, s]));
  const hostSpecs = new Map(spec.hosts.map((h) => [h.name, h]));

  const { overlay, nodeOverlay, seatOverlay } = overlayAddresses(spec);

  const leaders = siteLeaders(spec, hostSpecs);
  const nodes = resolveNodes(spec, hostSpecs, siteSpecs, nodeOverlay);
  const nodesByHost = groupBy(spec.nodes, (n) => n.host);
  const nodesBySite = groupBy(nodes, (n) => n.site);
  const hostsBySite = groupBy(spec.hosts, (h) => h.site);
  const hosts = resolveHosts(spec, nodesByHost);
  const sites = resolveSites(spec, hostsBySite, nodesBySite);
  const seats: Seat[] = spec.network.seats.map((s) => ({ name: s.name, owner: s.owner, device: s.device, overlayAddress: s.address ?? formatIp(seatOverlay.get(`seat/${s.name}`)!) }));

  const { storageClasses, defaultStorageClass } = resolveStorage(spec);
  const cni = spec.cluster.cni ?? capabilitiesOf(distribution).defaultCni;
  const lbSpec = spec.network.loadBalancer;
  const addresses = loadBalancerAddresses(spec);
  const apps = resolveApps(spec, versions, defaultStorageClass, addresses);
  const functions = resolveFunctions(spec, opts.functionSources);

  const ep = spec.cluster.endpoint;
  const vip = ep.vip ?? (parseIp(ep.address) !== undefined && !spec.nodes.some((n) => n.address === ep.address));
  const talosVersion = versions.talos;
  const k3sVersion = versions.k3s;

  const siteMap = new Map(sites.map((s) => [s.name, s]));
  const hostMap = new Map(hosts.map((h) => [h.name, h]));
  const nodeMap = new Map(nodes.map((n) => [n.name, n]));
  const appMap = new Map(apps.map((a) => [a.name, a]));
  const get = <T>(m: Map<string, T>, what: string) => (name: string): T => {
    const v = m.get(name);
    if (v === undefined) throw new Error(`no ${what} named ${name}`);
    return v;
  };

  const owners = addressOwners(spec, addresses, new Map(nodes.map((n) => [n.name, n.overlayAddress])));
  const services = serviceAddresses(spec, owners);

  const lab: Lab = {
    spec,
    name: spec.cluster.name,
    distribution,
    capabilities: capabilitiesOf(distribution),
    kubernetesVersion: k8s,
    versions,
    talosVersion,
    k3sVersion,
    k3sInstallerUrl: spec.cluster.k3sInstallerUrl ?? K3S_INSTALLER_URL,
    cni,
    endpoint: { address: ep.address, port: ep.port, vip, url: `https://${ep.address}:${ep.port}` },
    podCIDR: spec.cluster.podCIDR,
    serviceCIDR: spec.cluster.serviceCIDR,
    domains: { public: spec.cluster.domains.public, private: spec.cluster.domains.private },
    sites,
    hosts,
    nodes,
    seats,
    overlay: {
      subnet: spec.network.overlay.subnet,
      prefix: overlay.bits,
      port: spec.network.overlay.port,
      topology: spec.network.overlay.topology,
      mtu: spec.network.overlay.mtu,
      keepalive: spec.network.overlay.keepalive,
      leaders: spec.network.overlay.topology === "site-leaders" ? leaders : {},
    },
    loadBalancer: { implementation: lbSpec?.implementation ?? (cni === "cilium" ? "cilium" : "metallb"), pool: lbSpec?.pool, addresses },
    ingress: { controller: spec.network.ingress.controller ?? DEFAULT_INGRESS_CONTROLLER, publicAddress: addresses["ingress-public"], privateAddress: addresses["ingress-private"] },
    storageClasses,
    defaultStorageClass,
    apps,
    functions,
    secretsStore: { file: spec.secrets?.file ?? DEFAULT_SECRETS_FILE, recipients: spec.secrets?.recipients },
    identity: spec.identity,
    network: spec.network,
    storage: spec.storage,
    backups: spec.backups,
    monitoring: spec.monitoring,
    gitops: spec.gitops,
    services,
    ups: resolveUps(spec, hosts, nodes, services),
    site: get(siteMap, "site"),
    host: get(hostMap, "host"),
    node: get(nodeMap, "node"),
    app: get(appMap, "app"),
    controlPlanes: () => nodes.filter((n) => n.role === "controlplane"),
    ownerOf: (address: string) => owners.get(addressHost(address)),
  };
  // methods are not data: keep them out of JSON.stringify and Object.keys
  for (const k of ["site", "host", "node", "app", "controlPlanes", "ownerOf"] as const) Object.defineProperty(lab, k, { enumerable: false });
  return freezeDeep(lab);
}

/** Overlay addresses: nodes first, then seats; hashed by name so adding one moves none. */
function overlayAddresses(spec: LabSpec): { overlay: Cidr; nodeOverlay: ReadonlyMap<string, number>; seatOverlay: ReadonlyMap<string, number> } {
  const overlay = cidr(spec.network.overlay.subnet);
  const taken = new Set<number>();
  for (const s of spec.network.seats) if (s.address) taken.add(parseIp(s.address)!);
  const nodeOverlay = allocate(overlay, spec.nodes.map((n) => `node/${n.name}`), taken);
  const seatOverlay = allocate(overlay, spec.network.seats.filter((s) => !s.address).map((s) => `seat/${s.name}`), new Set([...taken, ...nodeOverlay.values()]));
  return { overlay, nodeOverlay, seatOverlay };
}

/** Site leaders (site-leaders topology): the first always-on, reachable node of each site. */
function siteLeaders(spec: LabSpec, hostSpecs: ReadonlyMap<string, LabSpec["hosts"][number]>): Record<string, string> {
  const leaders: Record<string, string> = {};
  const better = (a: LabSpec["nodes"][number], b: LabSpec["nodes"][number]) => score(b) - score(a) || a.name.localeCompare(b.name);
  const bySite = new Map<string, LabSpec["nodes"][number]>();
  for (const n of spec.nodes) {
    const site = hostSpecs.get(n.host)?.site;
    if (site === undefined) continue;
    const best = bySite.get(site);
    if (!best || better(n, best) < 0) bySite.set(site, n); // the first of the order the ranking sorts by
  }
  for (const s of spec.sites) {
    const leader = bySite.get(s.name);
    if (leader) leaders[s.name] = leader.name;
  }
  function score(n: LabSpec["nodes"][number]): number {
    const h = hostSpecs.get(n.host);
    return (h?.power === "always-on" ? 4 : 0) + (n.publicAddress ? 2 : 0) + (n.role === "controlplane" ? 1 : 0);
  }
  return leaders;
}

/** The Kubernetes nodes: sizes and disks from their hosts, LAN and overlay addresses, WireGuard endpoint, topology labels, GPUs. */
function resolveNodes(spec: LabSpec, hostSpecs: ReadonlyMap<string, LabSpec["hosts"][number]>, siteSpecs: ReadonlyMap<string, LabSpec["sites"][number]>, nodeOverlay: ReadonlyMap<string, number>): Node[] {
  const nodes: Node[] = spec.nodes.map((n) => {
    const h = hostSpecs.get(n.host)!;
    const s = siteSpecs.get(h.site)!;
    const lan = cidr(s.lan);
    const cpu = n.kind === "vm" ? n.cpu! : n.cpu ?? h.cpu;
    const memoryBytes = n.kind === "vm" ? parseBytes(n.memory!)! : n.memory ? parseBytes(n.memory)! : parseBytes(h.memory)!;
    const systemDisk = h.disks.find((d) => d.use === "system") ?? (h.disks.length === 1 ? h.disks[0] : undefined);
    const installDisk = n.installDisk ?? (n.kind === "vm" ? "/dev/vda" : systemDisk?.device ?? "/dev/sda");
    const diskBytes = n.diskSize ? parseBytes(n.diskSize)! : n.kind === "vm" ? DEFAULT_VM_DISK : systemDisk ? parseBytes(systemDisk.size)! : 0;
    const nat = n.publicAddress ? false : s.nat;
    const port = spec.network.overlay.port;
    let wireguardEndpoint: string | undefined;
    if (n.publicAddress) wireguardEndpoint = withPort(n.publicAddress, port);
    else if (!s.nat) wireguardEndpoint = `${n.address}:${port}`;
    const labels: Record<string, string> = {
      ...n.labels,
      "topology.kubernetes.io/region": s.name,
      "topology.kubernetes.io/zone": h.name,
      "drover.dev/site": s.name,
      "drover.dev/host": h.name,
      "drover.dev/power": h.power,
    };
    // a VM node has its host's GPUs only by passthrough (nodes[].gpuPassthrough)
    const gpus = n.kind !== "vm" || n.gpuPassthrough ? h.gpus : [];
    if (gpus.length) labels[GPU_LABEL] = gpus[0]!.vendor;
    return {
      name: n.name,
      host: h.name,
      site: s.name,
      arch: h.arch,
      kind: n.kind,
      role: n.role,
      cpu,
      memoryBytes,
      diskBytes,
      address: n.address,
      prefix: lan.bits,
      gateway: s.gateway,
      dns: s.dns.length ? s.dns : s.gateway ? [s.gateway] : [],
      mac: n.mac?.toLowerCase(),
      installDisk,
      overlayAddress: formatIp(nodeOverlay.get(`node/${n.name}`)!),
      wireguardEndpoint,
      nat,
      volatile: h.power === "volatile",
      gpus: gpus.reduce((a, g) => a + g.count, 0),
      advertisedGpus: gpus.filter((g) => GPU_SUPPORT[g.vendor].advertised).reduce((a, g) => a + g.count, 0),
      labels: sortKeys(labels),
      taints: n.taints,
      patches: n.patches as Record<string, unknown>[],
      publicAddress: n.publicAddress,
    };
  });
  return nodes;
}

/** The machines, with the nodes each runs. */
function resolveHosts(spec: LabSpec, nodesByHost: ReadonlyMap<string, string[]>): Host[] {
  return spec.hosts.map((h) => ({
    name: h.name,
    site: h.site,
    arch: h.arch,
    cpu: h.cpu,
    memoryBytes: parseBytes(h.memory)!,
    disks: h.disks.map((d) => ({ device: d.device, sizeBytes: parseBytes(d.size)!, type: d.type, use: d.use })),
    gpus: h.gpus.reduce((a, g) => a + g.count, 0),
    gpuVendor: h.gpus[0]?.vendor,
    power: h.power,
    hypervisor: h.hypervisor,
    provider: h.provider,
    model: h.model,
    address: h.address,
    mac: h.mac?.toLowerCase(),
    devices: h.devices,
    nodes: nodesByHost.get(h.name) ?? [],
    chassis: h.chassis,
    guests: h.guests.map((g) => ({ name: g.name, purpose: g.purpose, cpu: g.cpu, memoryBytes: parseBytes(g.memory)!, address: g.address, passthrough: g.passthrough })),
  }));
}

/** The sites, with their hosts and nodes. */
function resolveSites(spec: LabSpec, hostsBySite: ReadonlyMap<string, string[]>, nodesBySite: ReadonlyMap<string, string[]>): Site[] {
  return spec.sites.map((s) => ({
    name: s.name,
    kind: s.kind,
    lan: s.lan,
    gateway: s.gateway,
    dns: s.dns,
    nat: s.nat,
    endpoint: s.endpoint,
    endpointHost: endpointHost(s.endpoint),
    publicAddress: s.publicAddress ?? (s.dynamicAddress && spec.cluster.domains.public ? ddnsName(s.name, spec.cluster.domains.public) : endpointHost(s.endpoint)),
    portForwarding: s.portForwarding,
    ddnsName: s.dynamicAddress && spec.cluster.domains.public ? ddnsName(s.name, spec.cluster.domains.public) : undefined,
    hosts: hostsBySite.get(s.name) ?? [],
    nodes: nodesBySite.get(s.name) ?? [],
  }));
}

/** The storage classes, the default one marked. */
function resolveStorage(spec: LabSpec): { storageClasses: StorageClass[]; defaultStorageClass: string | undefined } {
  const storageClasses: StorageClass[] = spec.storage.classes.map((c, i) => ({
    name: c.name,
    type: c.type,
    default: c.default ?? (!spec.storage.classes.some((x) => x.default) && i === 0),
    nodeLocal: storageDriver(c.type).nodeLocal,
    spec: c,
  }));
  const defaultStorageClass = storageClasses.find((c) => c.default)?.name;
  return { storageClasses, defaultStorageClass };
}

/** Load-balancer addresses from the pool: ingress first, then apps with raw ports, in name order (service → address). */
function loadBalancerAddresses(spec: LabSpec): Record<string, string> {
  const lbSpec = spec.network.loadBalancer;
  const addresses: Record<string, string> = {};
  const lbApps = spec.apps
    .filter((a) => a.enabled && exposureOf(a, catalogApp(a.app ?? a.name)!) !== "none")
    .filter((a) => catalogApp(a.app ?? a.name)!.ports.some((p) => p.loadBalancer))
    .map((a) => a.name)
    .sort();
  if (lbSpec) {
    const r = parseRange(lbSpec.pool);
    if ("range" in r) {
      const explicit = new Set([spec.network.ingress.public.address, spec.network.ingress.private.address].filter(Boolean).map((a) => parseIp(a!)!));
      let next = r.range.first;
      const take = (): string | undefined => {
        while (next <= r.range.last && explicit.has(next)) next++;
        if (next > r.range.last) return undefined;
        return formatIp(next++);
      };
      const pub = spec.network.ingress.public.address ?? take();
      const priv = spec.network.ingress.private.address ?? take();
      if (pub) addresses["ingress-public"] = pub;
      if (priv) addresses["ingress-private"] = priv;
      for (const name of lbApps) {
        const a = take();
        if (a) addresses[`app/${name}`] = a;
      }
    }
  }
  return addresses;
}

/** The enabled apps: catalog entry, image, exposure, storage, access, placement, resources. */
function resolveApps(spec: LabSpec, versions: Versions, defaultStorageClass: string | undefined, addresses: Readonly<Record<string, string>>): App[] {
  const policy = spec.identity.defaultPolicy;
  const apps: App[] = spec.apps.filter((a) => a.enabled).map((a) => {
    const c = catalogApp(a.app ?? a.name)!;
    const kind = exposureOf(a, c);
    const domain = kind === "public" ? spec.cluster.domains.public : spec.cluster.domains.private;
    const hostname = kind === "none" ? undefined : a.hostname ?? (domain ? `${a.name}.${domain}` : undefined);
    const storageClass = c.volumes.length ? a.storage?.class ?? defaultStorageClass : undefined;
    const sizeOverride = a.storage?.size ? parseBytes(a.storage.size) : undefined;
    const gated = kind !== "none" && spec.identity.provider !== "none";
    return {
      name: a.name,
      catalog: c,
      image: versions.images[c.name as ImageName],
      namespace: a.namespace ?? c.category,
      exposure: { kind, hostname, url: hostname ? `https://${hostname}` : undefined },
      replicas: a.replicas ?? c.replicas.default,
      independentReplicas: c.replicas.independent === true && (a.replicas ?? c.replicas.default) > 1,
      storageClass,
      volumes: c.volumes.map((v, i) => ({ name: v.name, path: v.path, sizeBytes: i === 0 && sizeOverride ? sizeOverride : parseBytes(v.size)! })),
      backup: a.backup,
      groups: gated ? a.groups ?? policy.groups : undefined,
      twoFactor: policy.twoFactor,
      placement: {
        archs: (a.placement?.arch ?? c.archs).filter((x) => c.archs.includes(x)),
        nodeSelector: a.placement?.nodeSelector ?? {},
        hosts: a.placement?.hosts ?? [],
        gpu: a.placement?.gpu ?? (c.devices?.gpu === "required" ? 1 : 0),
        tolerations: a.placement?.tolerations ?? [],
      },
      resources: {
        cpuMillis: parseMillicores(a.resources?.cpu ?? c.resources.cpu)!,
        memoryBytes: parseBytes(a.resources?.memory ?? c.resources.memory)!,
      },
      env: { ...(c.env ?? {}), ...a.env },
      patches: a.patches as App["patches"],
      loadBalancerAddress: addresses[`app/${a.name}`],
    };
  });
  return apps;
}

/** The functions: runtime, schedule, webhook hostname, and their source text (read by the loader). */
function resolveFunctions(spec: LabSpec, functionSources: ReadonlyMap<string, string> | undefined): FunctionDef[] {
  return spec.functions.map((f) => {
    const runtime = f.runtime ?? (f.file.endsWith(".py") ? "python" : f.file.endsWith(".sh") ? "bash" : "node");
    const exposure = f.webhook?.exposure ?? "none";
    const domain = exposure === "public" ? spec.cluster.domains.public : spec.cluster.domains.private;
    return {
      name: f.name,
      file: f.file,
      runtime,
      schedule: f.schedule,
      webhook: f.webhook ? { path: f.webhook.path, exposure, hostname: exposure === "none" || !domain ? undefined : `${f.name}.fn.${domain}` } : undefined,
      env: f.env,
      source: functionSources?.get(f.file),
    };
  });
}

/** name lists by key, in input order */
function groupBy<T extends { readonly name: string }>(items: readonly T[], key: (x: T) => string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const x of items) (out.get(key(x)) ?? out.set(key(x), []).get(key(x))!).push(x.name);
  return out;
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

