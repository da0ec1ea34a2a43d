// Talos Image Factory schematics: which system extensions and overlay a node's image needs, the
// schematic in its canonical form, and its ID — the SHA-256 of that canonical text, as
// factory.talos.dev computes it (gopkg.in/yaml.v3 marshalling of the Schematic struct: fields in
// struct order, 4-space indent, empty fields left out, `customization: {}` when there is none).
import { NUT_CLIENT_EXTENSION, talosUpsHost } from "../nut/talos.js";
import { createHash } from "node:crypto";
import type { Lab, Node } from "../../lab/types.js";
import { labHostNeeds } from "../../storage/index.js";

export const FACTORY = "factory.talos.dev";

export interface Schematic {
  readonly overlay?: { readonly image: string; readonly name: string };
  readonly customization: {
    readonly extraKernelArgs?: readonly string[];
    readonly systemExtensions?: { readonly officialExtensions: readonly string[] };
  };
}

const INTEL_CPU = /\b(intel|xeon|core|celeron|pentium|atom|n100|n97|n150|n200|n305|nuc)\b/i;
const AMD_CPU = /\b(amd|ryzen|epyc|athlon|threadripper)\b/i;
const RASPBERRY_PI = /raspberry\s*pi|\brpi\s*[345]\b/i;

/** The schematic for a node's Talos image: microcode, GPU drivers, storage tools, guest agent, board overlay. */
export function nodeSchematic(lab: Lab, node: Node): Schematic {
  const host = lab.host(node.host);
  const model = host.model ?? "";
  const ext = new Set<string>();
  if (node.arch === "amd64" && node.kind !== "vm") {
    if (INTEL_CPU.test(model)) ext.add("siderolabs/intel-ucode");
    else if (AMD_CPU.test(model)) ext.add("siderolabs/amd-ucode");
  }
  if (node.kind === "vm") ext.add("siderolabs/qemu-guest-agent");
  if (node.gpus > 0) {
    switch (host.gpuVendor) {
      case "nvidia":
        ext.add("siderolabs/nonfree-kmod-nvidia-production");
        ext.add("siderolabs/nvidia-container-toolkit-production");
        break;
      case "intel":
        ext.add("siderolabs/i915");
        break;
      case "amd":
        ext.add("siderolabs/amdgpu");
        break;
    }
  }
  for (const e of labHostNeeds(lab.storageClasses).talosExtensions) ext.add(e);
  if (talosUpsHost(lab, node)) ext.add(NUT_CLIENT_EXTENSION);
  const overlay = node.arch === "arm64" && node.kind === "baremetal" && RASPBERRY_PI.test(model) ? { image: "siderolabs/sbc-raspberrypi", name: "rpi_generic" } : undefined;
  const officialExtensions = [...ext].sort();
  return { ...(overlay ? { overlay } : {}), customization: officialExtensions.length ? { systemExtensions: { officialExtensions } } : {} };
}

/** The canonical text (what the factory hashes). */
export function schematicYaml(s: Schematic): string {
  const lines: string[] = [];
  if (s.overlay) lines.push("overlay:", `    image: ${s.overlay.image}`, `    name: ${s.overlay.name}`);
  const c = s.customization;
  const args = c.extraKernelArgs ?? [];
  const exts = c.systemExtensions?.officialExtensions ?? [];
  if (!args.length && !exts.length) lines.push("customization: {}");
  else {
    lines.push("customization:");
    if (args.length) lines.push("    extraKernelArgs:", ...args.map((a) => `        - ${a}`));
    if (exts.length) lines.push("    systemExtensions:", "        officialExtensions:", ...exts.map((e) => `            - ${e}`));
  }
  return lines.join("\n") + "\n";
}

export function schematicId(s: Schematic): string {
  return createHash("sha256").update(schematicYaml(s)).digest("hex");
}

const ids = new WeakMap<Schematic, string>();
const cachedId = (s: Schematic): string => {
  let id = ids.get(s);
  if (!id) ids.set(s, (id = schematicId(s)));
  return id;
};

/** Talos platform names and image formats of the Image Factory, per cloud provider. */
const CLOUD: Readonly<Record<string, { platform: string; ext: string }>> = {
  hetzner: { platform: "hcloud", ext: "raw.xz" },
  aws: { platform: "aws", ext: "raw.xz" },
  gcp: { platform: "gcp", ext: "raw.tar.gz" },
  azure: { platform: "azure", ext: "vhd.xz" },
  oracle: { platform: "oracle", ext: "qcow2" },
  digitalocean: { platform: "digital-ocean", ext: "raw.gz" },
  linode: { platform: "akamai", ext: "raw.gz" },
  vultr: { platform: "vultr", ext: "raw.xz" },
};

/** The Talos platform a node runs on: its cloud's, or metal (bare metal and VMs). */
export function platformOf(node: Node, provider: string | undefined): { platform: string; ext: string } | undefined {
  return node.kind === "cloud" && provider ? CLOUD[provider] : undefined;
}

/** The installer image Talos installs and upgrades from, for this schematic and Talos version (cloud nodes: the generic installer). */
export function installerImage(s: Schematic, talosVersion: string, cloud = false): string {
  return `${FACTORY}/${cloud ? "installer" : "metal-installer"}/${cachedId(s)}:v${talosVersion}`;
}

/** The boot medium to start the node from: an ISO, a disk image for boards, or the cloud's image format. */
export function bootMedia(s: Schematic, node: Node, talosVersion: string, provider?: string): { kind: "iso" | "disk-image" | "cloud-image"; url: string } {
  const id = cachedId(s);
  const cloud = platformOf(node, provider);
  if (cloud) return { kind: "cloud-image", url: `https://${FACTORY}/image/${id}/v${talosVersion}/${cloud.platform}-${node.arch}.${cloud.ext}` };
  if (s.overlay) return { kind: "disk-image", url: `https://${FACTORY}/image/${id}/v${talosVersion}/metal-${node.arch}.raw.xz` };
  return { kind: "iso", url: `https://${FACTORY}/image/${id}/v${talosVersion}/metal-${node.arch}.iso` };
}
