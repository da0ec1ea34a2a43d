// The one way test labs are written: the document's frame (apiVersion, kind, the cluster section, the
// secrets' recipients, sites, hosts, nodes, then whatever sections the lab adds) and the host and node
// lines, so the labs of node-lab.ts, upgrade-lab.ts, up-labs.ts, k3s-lab.ts, kubelets-lab.ts,
// platform-labs.ts and apps-lab.ts differ only in what they are about. The text is YAML as a user
// writes it (flow mappings, one item a line), so tests that edit lab.yaml edit what a user would have.
export interface LabParts {
  /** a first comment line (without "# ") */
  readonly comment?: string;
  readonly name: string;
  /** the cluster section's lines after `name:`, as written (two spaces deeper for nested keys) */
  readonly cluster?: readonly string[];
  /** age recipients of the secrets store */
  readonly recipients?: readonly string[];
  /** list items of sites, hosts and nodes: flow mappings (host(), node()) or block text */
  readonly sites: readonly string[];
  readonly hosts: readonly string[];
  readonly nodes: readonly string[];
  /** the sections after nodes, as YAML text */
  readonly rest?: string;
}

const items = (xs: readonly string[]): string => xs.map((x) => `  - ${x}\n`).join("");

export function labYaml(p: LabParts): string {
  return `${p.comment ? `# ${p.comment}\n` : ""}apiVersion: drover.dev/v1alpha1
kind: Lab
cluster:
  name: ${p.name}
${(p.cluster ?? []).map((l) => (l ? `  ${l}\n` : "\n")).join("")}${p.recipients ? `secrets:\n  recipients:\n${p.recipients.map((r) => `    - ${r}\n`).join("")}` : ""}sites:
${items(p.sites)}hosts:
${items(p.hosts)}nodes:
${items(p.nodes)}${p.rest ?? ""}`;
}

export interface HostLine {
  readonly name: string;
  readonly site: string;
  readonly chassis?: string;
  readonly arch?: "amd64" | "arm64";
  readonly cpu: number;
  readonly memory: string;
  /** more fields before the disks, as written: `power: volatile`, `gpus: [{ vendor: nvidia }]` */
  readonly extra?: string;
  /** the system disk */
  readonly disk: string;
  readonly size: string;
  readonly type?: string;
}

/** A host as one flow mapping, with its system disk. */
export function host(h: HostLine): string {
  return `{ name: ${h.name}, site: ${h.site}, ${h.chassis ? `chassis: ${h.chassis}, ` : ""}arch: ${h.arch ?? "amd64"}, cpu: ${h.cpu}, memory: ${h.memory}, ${h.extra ? `${h.extra}, ` : ""}disks: [{ device: ${h.disk}, size: ${h.size}, ${h.type ? `type: ${h.type}, ` : ""}use: system }] }`;
}

export interface NodeLine {
  readonly name: string;
  readonly host: string;
  readonly kind?: "vm" | "cloud";
  readonly role?: "controlplane" | "worker";
  /** a VM's size */
  readonly cpu?: number;
  readonly memory?: string;
  readonly address: string;
  readonly mac?: string;
  /** more fields after the address, as written: `taints: [...]` */
  readonly extra?: string;
}

/** A node as one flow mapping. */
export function node(n: NodeLine): string {
  return `{ name: ${n.name}, host: ${n.host}, ${n.kind ? `kind: ${n.kind}, ` : ""}${n.role ? `role: ${n.role}, ` : ""}${n.cpu ? `cpu: ${n.cpu}, ` : ""}${n.memory ? `memory: ${n.memory}, ` : ""}address: ${n.address}${n.mac ? `, mac: "${n.mac}"` : ""}${n.extra ? `, ${n.extra}` : ""} }`;
}

/**
 * `controlPlanes` control planes cp1… on hosts hc1…, then `workers` workers w1… on hosts hw1…: the
 * shape of the node-operation and upgrade labs. `cpHost`/`workerHost` and `cpNode`/`workerNode` give
 * what differs (site, size, address) for the i-th (from 1).
 */
export function controlPlanesAndWorkers(o: {
  controlPlanes: number;
  workers: number;
  cpHost: (i: number) => Omit<HostLine, "name">;
  cpAddress: (i: number) => string;
  workerHost: (i: number) => Omit<HostLine, "name">;
  workerNode: (i: number) => string;
}): { hosts: string[]; nodes: string[] } {
  const hosts: string[] = [];
  const nodes: string[] = [];
  for (let i = 1; i <= o.controlPlanes; i++) {
    hosts.push(host({ name: `hc${i}`, ...o.cpHost(i) }));
    nodes.push(node({ name: `cp${i}`, host: `hc${i}`, role: "controlplane", address: o.cpAddress(i) }));
  }
  for (let i = 1; i <= o.workers; i++) {
    hosts.push(host({ name: `hw${i}`, ...o.workerHost(i) }));
    nodes.push(o.workerNode(i));
  }
  return { hosts, nodes };
}

/** No SSO, one user: what labs about anything but identity write. */
export const OPS_IDENTITY = "identity:\n  provider: none\n  users: [{ name: ops, email: ops@example.net }]\n";
