// The VMs a Proxmox host runs for the lab: one definition per VM node (id, CPU, memory, disk, NIC
// with a stable MAC on the bridge, and how it boots: the node's Talos ISO from the Image Factory, or
// the Debian cloud image with the node's cloud-init user data for k3s), and create-vms.sh, which
// creates the missing ones with `qm` (idempotent: existing VM ids are left alone).
import type { Host, Lab, Node } from "../../lab/types.js";
import { createHash } from "node:crypto";
import { nodeMac } from "../node-mac.js";
import { distributionOf, type VmBoot } from "../distributions.js";
import { GUEST_SHUTDOWN_TIMEOUT_SECONDS } from "../../lab/shutdown.js";

export interface VmDefinition {
  readonly vmid: number;
  readonly name: string;
  readonly role: Node["role"];
  readonly arch: Node["arch"];
  readonly cores: number;
  readonly memoryMiB: number;
  readonly diskGiB: number;
  readonly mac: string;
  readonly bridge: string;
  readonly address: string;
  readonly gateway: string | undefined;
  /** how it boots, as its distribution says */
  readonly boot: VmBoot;
  readonly gpuPassthrough: boolean;
}

const vmids = new WeakMap<Lab, Map<string, number>>();

/**
 * VM ids, unique in the lab and stable when other nodes come and go: 100000 + a hash of the node's name
 * (mod 900,000), moved to the next free id on a collision (nodes taken in name order).
 */
export function vmid(lab: Lab, node: Node): number {
  let m = vmids.get(lab);
  if (!m) {
    m = new Map();
    const used = new Set<number>();
    for (const name of lab.nodes.map((n) => n.name).sort()) {
      let id = 100000 + (createHash("sha256").update(name).digest().readUInt32BE(0) % 900000);
      while (used.has(id)) id = id === 999999 ? 100000 : id + 1;
      used.add(id);
      m.set(name, id);
    }
    vmids.set(lab, m);
  }
  return m.get(node.name)!;
}

export function vmDefinitions(lab: Lab, host: Host): VmDefinition[] {
  return host.nodes
    .map((n) => lab.node(n))
    .filter((n) => n.kind === "vm")
    .map((node) => {
      const boot = distributionOf(lab).vmBoot(lab, node);
      return {
        vmid: vmid(lab, node),
        name: node.name,
        role: node.role,
        arch: node.arch,
        cores: node.cpu,
        memoryMiB: Math.floor(node.memoryBytes / 2 ** 20),
        diskGiB: Math.ceil(node.diskBytes / 2 ** 30),
        mac: nodeMac(lab, node)!,
        bridge: "vmbr0",
        address: `${node.address}/${node.prefix}`,
        gateway: node.gateway,
        boot,
        gpuPassthrough: node.gpus > 0,
      };
    });
}

const sh = (s: string): string => (/^[A-Za-z0-9_./:=,@+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export function createVmsScript(lab: Lab, host: Host, vms: readonly VmDefinition[]): string {
  const out: string[] = [
    "#!/usr/bin/env bash",
    `# Creates the VMs of lab ${lab.name} on Proxmox host ${host.name} (run it on the host as root).`,
    "# Idempotent: a VM whose id exists is left alone. Override storage and bridge with the variables below.",
    "set -euo pipefail",
    'STORAGE=${STORAGE:-local-lvm}',
    'ISO_DIR=${ISO_DIR:-/var/lib/vz/template/iso}',
    'ISO_STORAGE=${ISO_STORAGE:-local}',
    'IMAGE_DIR=${IMAGE_DIR:-/var/lib/vz/template/cache}',
    'SNIPPETS_STORAGE=${SNIPPETS_STORAGE:-local}',
    'SNIPPETS_DIR=${SNIPPETS_DIR:-/var/lib/vz/snippets}',
    '# the rendered k3s folder (cloud-init user-data and network-config per node, copied into the snippets storage)',
    'K3S_DIR=${K3S_DIR:-$(cd "$(dirname "$0")" && pwd)/../../k3s}',
    "",
    "fetch() { # url file",
    '  [ -s "$2" ] || { echo "downloading $1"; curl -fL --retry 3 -o "$2.part" "$1" && mv "$2.part" "$2"; }',
    "}",
    "exists() { qm status \"$1\" >/dev/null 2>&1; }",
    "",
  ];
  if (!vms.length) out.push(`echo "no VM nodes on ${host.name}"`);
  for (const vm of vms) {
    out.push(`# ${vm.name}: ${vm.role}, ${vm.cores} cores, ${vm.memoryMiB} MiB, ${vm.diskGiB} GiB, ${vm.address}`);
    out.push(`if exists ${vm.vmid}; then echo "${vm.name} (${vm.vmid}) exists"; else`);
    // host shutdown stops the VMs in reverse start order (workers before control planes), each given
    // time for its kubelet's graceful node shutdown; Proxmox asks through the guest agent where one
    // runs (Talos VMs carry the qemu-guest-agent extension), else by ACPI, which Debian's logind turns
    // into a clean shutdown (with the agent enabled but absent, Proxmox would wait out the timeout and kill it)
    const agent = vm.boot.kind === "talos-iso" ? 1 : 0;
    const common = `qm create ${vm.vmid} --name ${sh(vm.name)} --ostype l26 --machine q35 --cpu host --cores ${vm.cores} --memory ${vm.memoryMiB} --balloon 0 --net0 ${sh(`virtio=${vm.mac},bridge=${vm.bridge}`)} --agent enabled=${agent} --onboot 1 --startup ${sh(`order=${vm.role === "controlplane" ? 1 : 2},down=${GUEST_SHUTDOWN_TIMEOUT_SECONDS}`)}${vm.arch === "arm64" ? " --arch aarch64 --bios ovmf" : ""}`;
    if (vm.boot.kind === "talos-iso") {
      out.push(`  fetch ${sh(vm.boot.url)} "$ISO_DIR/${vm.boot.file}"`);
      out.push(`  ${common} --scsihw virtio-scsi-single --virtio0 "$STORAGE:${vm.diskGiB},discard=on,iothread=1" --ide2 "$ISO_STORAGE:iso/${vm.boot.file},media=cdrom" --boot "order=virtio0;ide2"`);
    } else {
      out.push(`  fetch ${sh(vm.boot.url)} "$IMAGE_DIR/${vm.boot.file}"`);
      out.push(`  install -D -m 0600 "$K3S_DIR/${vm.name}/user-data" "$SNIPPETS_DIR/${vm.boot.userData}"`);
      out.push(`  install -D -m 0644 "$K3S_DIR/${vm.name}/network-config" "$SNIPPETS_DIR/${vm.boot.networkConfig}"`);
      out.push(`  ${common} --scsihw virtio-scsi-single --virtio0 "$STORAGE:0,import-from=$IMAGE_DIR/${vm.boot.file},discard=on,iothread=1" --boot order=virtio0 --ide2 "$STORAGE:cloudinit" --serial0 socket --vga serial0 --cicustom "user=$SNIPPETS_STORAGE:snippets/${vm.boot.userData},network=$SNIPPETS_STORAGE:snippets/${vm.boot.networkConfig}"`);
      out.push(`  qm disk resize ${vm.vmid} virtio0 ${vm.diskGiB}G`);
    }
    if (vm.gpuPassthrough) out.push(`  echo "${vm.name}: pass the GPU through with: qm set ${vm.vmid} --hostpci0 <PCI address>,pcie=1"`);
    out.push(`  qm start ${vm.vmid}`, "fi", "");
  }
  return out.join("\n") + "\n";
}
