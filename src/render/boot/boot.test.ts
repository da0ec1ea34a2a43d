import { test } from "node:test";
import assert from "node:assert/strict";
import { parse, parseAllDocuments } from "yaml";
import { exampleLab } from "../../testing/apps-lab.js";
import { realSecrets } from "../../testing/talos-labs.js";
import { schematicId, schematicYaml, nodeSchematic, type Schematic } from "./schematic.js";
import { renderBoot } from "./index.js";
import { renderTalos } from "../talos/index.js";

test("schematic IDs are what factory.talos.dev computes (the image-factory's own test vectors)", () => {
  const vectors: [Schematic, string][] = [
    [{ customization: {} }, "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba"],
    [{ customization: { extraKernelArgs: ["noapic", "nolapic"] } }, "9cba8e32753f91a16c1837ab8abf356af021706ef284aef07380780177d9a06c"],
    [{ overlay: { image: "siderolabs/sbc-raspberrypi", name: "rpi_generic" }, customization: {} }, "ee21ef4a5ef808a9b7484cc0dda0f25075021691c8c09a276591eedb638ea1f9"],
  ];
  for (const [s, id] of vectors) assert.equal(schematicId(s), id, schematicYaml(s));
  // extensions are written as yaml.v3 marshals them: 4-space indents, lists indented under their key
  assert.equal(schematicYaml({ customization: { systemExtensions: { officialExtensions: ["siderolabs/i915", "siderolabs/intel-ucode"] } } }),
    "customization:\n    systemExtensions:\n        officialExtensions:\n            - siderolabs/i915\n            - siderolabs/intel-ucode\n");
});

test("boot media for the example lab: Pi overlay and disk image, NVIDIA drivers for the GPU VM, guest agent for VMs; configs install the same image", () => {
  const lab = exampleLab();
  const secrets = realSecrets(lab);
  const t = renderBoot(lab, secrets);
  const media = JSON.parse(t.get("media.json")!.content) as { nodes: { node: string; schematic: string; extensions: string[]; overlay?: string; media: string; url: string; installer: string }[] };
  const by = new Map(media.nodes.map((n) => [n.node, n]));
  const pi = by.get("talos09")!;
  assert.equal(pi.overlay, "rpi_generic");
  assert.equal(pi.media, "disk-image");
  assert.match(pi.url, /^https:\/\/factory\.talos\.dev\/image\/[0-9a-f]{64}\/v1\.12\.6\/metal-arm64\.raw\.xz$/);
  assert.deepEqual(by.get("talos08")!.extensions, ["siderolabs/nonfree-kmod-nvidia-production", "siderolabs/nvidia-container-toolkit-production", "siderolabs/qemu-guest-agent"]);
  assert.deepEqual(by.get("talos01")!.extensions, ["siderolabs/qemu-guest-agent"]);
  assert.match(by.get("talos01")!.url, /metal-amd64\.iso$/);
  // every schematic file is the canonical text of its ID, and is valid YAML
  for (const [p, f] of t) {
    if (!p.startsWith("schematics/")) continue;
    const id = p.slice("schematics/".length, -".yaml".length);
    assert.ok(media.nodes.some((n) => n.schematic === id));
    assert.ok(parse(f.content).customization !== undefined);
  }
  const configs = renderTalos(lab, secrets);
  for (const n of lab.nodes) {
    const v1 = parseAllDocuments(configs.get(`${n.name}.yaml`)!.content)[0]!.toJS();
    assert.equal(v1.machine.install.image, by.get(n.name)!.installer, n.name);
    assert.equal(schematicId(nodeSchematic(lab, n)), by.get(n.name)!.schematic);
  }
});

test("a cloud node boots its cloud's Talos image (Hetzner: hcloud raw.xz) and installs from the generic installer", async () => {
  const lab = exampleLab("multi-site");
  const t = renderBoot(lab, realSecrets(lab));
  const media = JSON.parse(t.get("media.json")!.content) as { nodes: { node: string; media: string; url: string; installer: string; platform?: string }[] };
  const cloud = media.nodes.find((n) => n.node === "cloud-cp")!;
  assert.equal(cloud.media, "cloud-image");
  assert.equal(cloud.platform, "hcloud");
  assert.match(cloud.url, /\/v1\.12\.6\/hcloud-arm64\.raw\.xz$/);
  assert.match(cloud.installer, /^factory\.talos\.dev\/installer\/[0-9a-f]{64}:v1\.12\.6$/);
  assert.match(media.nodes.find((n) => n.node !== "cloud-cp")!.installer, /^factory\.talos\.dev\/metal-installer\//);
});
