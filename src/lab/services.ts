// Who serves each address the lab depends on: storage servers, Ceph monitors, DNS servers and
// gateways, the DNS-update server, the external S3 endpoint, the Git host and backup targets, each
// mapped to the host that answers there — the host itself, a node on it, or a guest VM on it
// (hosts[].guests[].address: a virtualised TrueNAS goes down with its hypervisor) — or to the app
// whose load-balancer address it is. Derived once here so that what-if, check and the dashboard agree.
// Only IPv4 literals are mapped: a DNS name is not resolved (it may point anywhere), so a service
// named by a DNS name counts as outside the lab. The registry mirror (network.registryMirror) has no
// address of its own: it runs in the cluster and nodes reach it on their loopback.
import type { LabSpec } from "../spec/schema.js";
import type { AddressOwner, ServiceAddress } from "./types.js";
import { isIp } from "../net/ip.js";
import { driverOf } from "../storage/index.js";

/** The address part of "a.b.c.d", "a.b.c.d:port", a URL, or a scp-like Git address (git@host:path). */
export function addressHost(text: string): string {
  const t = text.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(t)) {
    try {
      return new URL(t).hostname.replace(/^\[|\]$/g, "");
    } catch {
      return t;
    }
  }
  const scp = /^[^@/\s]+@([^:/\s]+):/.exec(t); // git@host:owner/repo.git
  if (scp) return scp[1]!;
  const m = /^(\[[^\]]+\]|[^:/]+)(?::\d+)?(\/.*)?$/.exec(t);
  return m ? m[1]!.replace(/^\[|\]$/g, "") : t;
}

/** Every address a host, node, guest or app answers at → who that is. */
export function addressOwners(spec: LabSpec, lbAddresses: Readonly<Record<string, string>>, nodeOverlay: ReadonlyMap<string, string>): Map<string, AddressOwner> {
  const out = new Map<string, AddressOwner>();
  const set = (address: string | undefined, owner: AddressOwner) => {
    if (address && !out.has(address)) out.set(address, Object.freeze(owner));
  };
  for (const h of spec.hosts) {
    set(h.address, { host: h.name, guest: undefined, node: undefined, app: undefined });
    for (const g of h.guests) set(g.address, { host: h.name, guest: g.name, node: undefined, app: undefined });
  }
  for (const n of spec.nodes) {
    set(n.address, { host: n.host, guest: undefined, node: n.name, app: undefined });
    set(nodeOverlay.get(n.name), { host: n.host, guest: undefined, node: n.name, app: undefined });
  }
  for (const [key, address] of Object.entries(lbAddresses)) {
    if (key.startsWith("app/")) set(address, { host: undefined, guest: undefined, node: undefined, app: key.slice(4) });
  }
  return out;
}

/** The services the lab names by address, each with who serves it (undefined: outside the lab). */
export function serviceAddresses(spec: LabSpec, owners: ReadonlyMap<string, AddressOwner>): ServiceAddress[] {
  const out: ServiceAddress[] = [];
  const add = (kind: ServiceAddress["kind"], name: string, what: string, address: string) => {
    const host = addressHost(address);
    out.push({ kind, name, what, address, servedBy: isIp(host) ? owners.get(host) : undefined });
  };
  for (const c of spec.storage.classes) {
    const of = { name: c.name, default: false, spec: c };
    for (const n of driverOf(of).services(of)) add(n.kind, c.name, n.what, n.address);
  }
  for (const s of spec.sites) {
    for (const d of s.dns) add("dns", s.name, `DNS server of site ${s.name}`, d);
    if (s.gateway) {
      add("gateway", s.name, `gateway of site ${s.name}`, s.gateway);
      if (!s.dns.length) add("dns", s.name, `DNS server of site ${s.name} (its gateway)`, s.gateway);
    }
  }
  if (spec.network.dns.rfc2136) add("dns-update", "rfc2136", "RFC 2136 DNS server (external-dns updates)", spec.network.dns.rfc2136.server);
  const os = spec.storage.objectStore;
  if (os?.endpoint && !os.storageClass) add("object-store", os.name, `S3 endpoint ${os.name}`, os.endpoint);
  if (spec.gitops.url && !spec.gitops.forge) add("git", "gitops", "Git host Flux pulls from", spec.gitops.url);
  for (const t of spec.backups.targets) {
    if (t.type === "nfs") add("backup", t.name, `NFS share of backup target ${t.name}`, t.server);
    else if (t.endpoint) add("backup", t.name, `S3 endpoint of backup target ${t.name}`, t.endpoint);
  }
  return out;
}
