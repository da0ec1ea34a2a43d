import { DNS01_NAMES, dnsProvider } from "../../dns/index.js";
import { orList } from "../../net/words.js";
import type { Rule } from "./rule.js";
import { error, warning } from "./rule.js";
import { humanBytes, parseBytes } from "../../net/quantity.js";
import { DEFAULT_CPU_OVERCOMMIT } from "../schema.js";

/** VMs never promise more CPU or memory than their host has; bare-metal nodes take the whole host. */
export const hostCapacity: Rule = function* (spec) {
  const byHost = new Map<string, number[]>();
  for (const [i, n] of spec.nodes.entries()) {
    const list = byHost.get(n.host) ?? [];
    list.push(i);
    byHost.set(n.host, list);
  }
  for (const [hi, h] of spec.hosts.entries()) {
    const hostName = h.name;
    const idx = byHost.get(hostName) ?? [];
    if (idx.length === 0 && h.guests.length === 0) continue;
    const nodes = idx.map((i) => ({ n: spec.nodes[i]!, i }));
    const metal = nodes.filter((x) => x.n.kind !== "vm");
    const vms = nodes.filter((x) => x.n.kind === "vm");
    if (metal.length > 1) {
      for (const x of metal.slice(1)) yield error(["nodes", x.i, "host"], `host ${hostName} already runs bare-metal node ${metal[0]!.n.name}`, "a host runs one bare-metal or cloud node, or any number of VMs");
    }
    if (metal.length && vms.length) {
      for (const x of vms) yield error(["nodes", x.i, "kind"], `host ${hostName} runs bare-metal node ${metal[0]!.n.name}, so it cannot also run VMs`, "run the host as a hypervisor with VM nodes only");
    }
    if (metal.length && h.guests.length) {
      yield error(["hosts", hi, "guests"], `host ${hostName} runs bare-metal node ${metal[0]!.n.name}, so it cannot also run guest VMs`, "make the Kubernetes node a VM (kind: vm) beside the guests, or move the guests to a hypervisor host");
    }
    if (h.guests.length && h.hypervisor === "none") {
      yield error(["hosts", hi, "guests"], `host ${hostName} has guest VMs but no hypervisor`, "set hypervisor: proxmox or libvirt on the host");
    }
    for (const x of vms) {
      if (x.n.cpu === undefined) yield error(["nodes", x.i], `VM node ${x.n.name} needs cpu`, "add cpu: <cores> to the node");
      if (x.n.memory === undefined) yield error(["nodes", x.i], `VM node ${x.n.name} needs memory`, "add memory: e.g. 8Gi");
      if (h.hypervisor === "none") yield error(["nodes", x.i, "kind"], `VM node ${x.n.name} is on host ${hostName}, which has no hypervisor`, `set hosts[${hi}].hypervisor to proxmox or libvirt`);
    }
    for (const x of metal) {
      if (x.n.cpu !== undefined && x.n.cpu > h.cpu) yield error(["nodes", x.i, "cpu"], `${x.n.cpu} CPUs is more than host ${hostName} has (${h.cpu})`);
      if (x.n.kind === "cloud" && !h.provider) yield warning(["hosts", hi, "provider"], `host ${hostName} runs cloud node ${x.n.name} but names no provider`, "set provider: hetzner, aws, … so provisioning aids can be rendered");
    }
    // VMs and guests together must fit the host; the problem is reported at the last one that does not fit
    const parts = [
      ...vms.map((x) => ({ path: ["nodes", x.i] as (string | number)[], name: x.n.name, cpu: x.n.cpu ?? 0, mem: x.n.memory ? parseBytes(x.n.memory) ?? 0 : 0 })),
      ...h.guests.map((g, gi) => ({ path: ["hosts", hi, "guests", gi] as (string | number)[], name: `guest ${g.name}`, cpu: g.cpu, mem: parseBytes(g.memory) ?? 0 })),
    ];
    if (parts.length === 0) continue;
    const last = parts[parts.length - 1]!;
    // vCPUs: KVM over-commits them (the VMs share the cores), so together they may ask for more than
    // the host has, with a warning above cpuOvercommit per core; one VM cannot have more vCPUs than
    // the host has cores (Proxmox refuses to start it). Memory is never over-committed.
    for (const x of parts) {
      if (x.cpu > h.cpu) yield error([...x.path, "cpu"], `${x.name} asks for ${x.cpu} CPUs but host ${hostName} has ${h.cpu} cores; one VM cannot have more vCPUs than its host has cores`, `give ${x.name} at most ${h.cpu} CPUs`);
    }
    const cpu = parts.reduce((s, x) => s + x.cpu, 0);
    const ratio = h.cpuOvercommit ?? DEFAULT_CPU_OVERCOMMIT;
    if (cpu > h.cpu * ratio) yield warning([...last.path, "cpu"], `the VMs on host ${hostName} ask for ${cpu} CPUs on ${h.cpu} cores, more than ${ratio} vCPUs per core (${parts.map((x) => `${x.name} ${x.cpu}`).join(", ")}): they will wait for each other under load`, `lower the VMs' cpu, move a VM to another host, or set hosts[${hi}].cpuOvercommit if this is intended`);
    const mem = parts.reduce((s, x) => s + x.mem, 0);
    const hostMem = parseBytes(h.memory) ?? 0;
    if (mem > hostMem) yield error([...last.path, "memory"], `the VMs on host ${hostName} ask for ${humanBytes(mem)} but the host has ${humanBytes(hostMem)}`, "lower the VMs' memory or move a VM to another host");
    // passthrough of host disks: the disk exists and is not the host's system disk
    for (const [gi, g] of h.guests.entries()) {
      for (const [pi, dev] of g.passthrough.entries()) {
        if (!dev.startsWith("/dev/")) continue; // a PCI device such as an HBA
        const disk = h.disks.find((d) => d.device === dev);
        if (!disk) yield error(["hosts", hi, "guests", gi, "passthrough", pi], `host ${hostName} has no disk ${dev}`, h.disks.length ? `pass through one of ${h.disks.map((d) => d.device).join(", ")}, or add the disk to the host's disks` : "list the disk under the host's disks first");
        else if (disk.use === "system") yield error(["hosts", hi, "guests", gi, "passthrough", pi], `${dev} is the system disk of host ${hostName}; a guest cannot own it`, "pass through a data disk (use: passthrough)");
      }
    }
  }
};

/** Control planes: an odd number, not all on hosts that come and go. */
export const controlPlanes: Rule = function* (spec) {
  const cps = spec.nodes.map((n, i) => ({ n, i })).filter((x) => x.n.role === "controlplane");
  if (cps.length === 0) {
    yield error(["nodes"], "the lab has no control-plane node", "set role: controlplane on one node (three for high availability)");
    return;
  }
  if (cps.length % 2 === 0) {
    yield warning(["nodes", cps[cps.length - 1]!.i, "role"], `${cps.length} control planes: an even number tolerates no more failures than ${cps.length - 1}`, `use ${cps.length - 1} or ${cps.length + 1} control planes`);
  }
  const power = new Map(spec.hosts.map((h) => [h.name, h.power]));
  if (cps.every((x) => power.get(x.n.host) === "volatile")) {
    yield warning(["nodes", cps[0]!.i, "host"], "every control plane sits on a volatile host: the cluster goes away when they are switched off", "put at least one control plane on an always-on host");
  }
  // etcd quorum with the volatile hosts off: src/lab/rules/control-planes.ts
  const chassis = new Map(spec.hosts.map((h) => [h.name, h.chassis]));
  const cpChassis = new Set(cps.map((x) => chassis.get(x.n.host)));
  const onlyChassis = [...cpChassis][0];
  if (cps.length > 1 && cpChassis.size === 1 && onlyChassis !== undefined && new Set(cps.map((x) => x.n.host)).size > 1) {
    yield warning(["nodes", cps[0]!.i, "host"], `every control plane sits in chassis ${onlyChassis}: one power supply or board failure stops the cluster`, "that is often the point of a carrier board; back up etcd off the chassis, or add a control plane elsewhere");
  }
  const hostCount = new Map<string, number>();
  for (const x of cps) hostCount.set(x.n.host, (hostCount.get(x.n.host) ?? 0) + 1);
  for (const [host, count] of hostCount) {
    if (count > 1 && cps.length > 1) yield warning(["nodes", cps.find((x) => x.n.host === host)!.i, "host"], `${count} control planes share host ${host}: losing that host loses them all`, "spread control planes across hosts");
  }
};

/** What a render needs is there before a render starts. */
export const renderable: Rule = function* (spec) {
  const hosts = new Map(spec.hosts.map((h) => [h.name, h]));
  for (const [i, n] of spec.nodes.entries()) {
    if (n.kind === "baremetal" && !n.installDisk && hosts.has(n.host)) {
      const h = hosts.get(n.host);
      const system = h?.disks.find((d) => d.use === "system") ?? (h?.disks.length === 1 ? h.disks[0] : undefined);
      if (!system) yield error(["nodes", i], `bare-metal node ${n.name} needs an installDisk`, h?.disks.length ? `set installDisk: to one of ${h.disks.map((d) => d.device).join(", ")}, or mark one host disk use: system` : "add installDisk: /dev/sda (or the right device) to the node");
    }
    if (n.kind === "vm" && n.diskSize === undefined) {
      // default applied at resolution; nothing to report
    }
    // a cloud node behind NAT without a publicAddress is fine: it dials out to reachable peers and keeps
    // its tunnels open (booted for real in src/render/wireguard/machines.test.ts); tunnels that can
    // never connect are reported by the mesh analysis (src/analyze/mesh.ts), sites nobody can reach by
    // the network rules
    if (n.role === "controlplane" && n.taints.some((t) => t.key === "node-role.kubernetes.io/control-plane")) {
      // explicit control-plane taint is the default; allowed
    }
  }
  const cls = spec.storage.classes;
  const defaults = cls.map((c, i) => ({ c, i })).filter((x) => x.c.default);
  if (defaults.length > 1) for (const x of defaults.slice(1)) yield error(["storage", "classes", x.i, "default"], `storage class ${x.c.name} is marked default, but so is ${defaults[0]!.c.name}`, "mark exactly one class default: true");
  if (spec.backups.targets.length === 0 && spec.apps.some((a) => a.backup)) {
    const i = spec.apps.findIndex((a) => a.backup);
    yield error(["apps", i, "backup"], `app ${spec.apps[i]!.name} asks for backups but no backup target is defined`, "add backups.targets (an S3 bucket or NFS share)");
  }
  if (spec.backups.engine === "velero" && spec.apps.some((a) => a.backup)) {
    // Velero keeps backups in object storage only
    const nfs = spec.backups.targets.map((t, i) => ({ t, i })).filter((x) => x.t.type === "nfs");
    if (nfs.length && nfs.length === spec.backups.targets.length) {
      yield error(["backups", "engine"], "Velero stores backups in S3 object storage, and every backup target here is an NFS share", "use engine: volsync (the default: it reaches NFS shares through restic's REST server), or add an S3 target (storage.objectStore can keep its data on the NAS)");
    } else {
      for (const x of nfs) yield warning(["backups", "targets", x.i], `Velero cannot write to the NFS share ${x.t.name}; it backs up to the S3 targets only`, "use engine: volsync to back up to every target, or drop this one");
    }
  }
  if (spec.network.tls.challenge === "dns01" && !dnsProvider(spec.network.dns.public)?.dns01) {
    yield error(["network", "tls", "challenge"], "the DNS-01 challenge needs a public DNS provider", `set network.dns.public to ${orList(DNS01_NAMES)}, or use http01`);
  }
  // a provider configured by a section of its own (network.dns.rfc2136) is off without it
  for (const p of new Set([spec.network.dns.public, spec.network.dns.private].map(dnsProvider))) {
    if (p?.settings && !spec.network.dns[p.settings.field]) yield error(["network", "dns"], `${p.name} needs network.dns.${p.settings.field} (${p.settings.holds})`);
  }
  // a public service without cluster.domains.public: src/lab/rules/exposure.ts (it needs the effective exposure)
};
