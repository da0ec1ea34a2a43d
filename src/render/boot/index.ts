// Lab → boot/: what a user needs to start each Talos node. One Image Factory schematic per distinct
// image (schematics/<id>.yaml, to upload with `curl -X POST --data-binary @<id>.yaml
// https://factory.talos.dev/schematics`; the factory answers with the same ID), and media.json listing
// per node its schematic, the boot medium URL and the installer image its machine config names.
import type { Lab } from "../../lab/types.js";
import type { LabSecrets } from "../../secrets/types.js";
import { addFile, tree, type FileTree } from "../tree.js";
import { bootMedia, installerImage, nodeSchematic, platformOf, schematicId, schematicYaml } from "./schematic.js";

export function renderBoot(lab: Lab, _secrets: LabSecrets): FileTree {
  const t = tree();
  if (lab.distribution !== "talos") return t;
  const texts = new Map<string, string>();
  const nodes = lab.nodes.map((node) => {
    const s = nodeSchematic(lab, node);
    const text = schematicYaml(s);
    const id = schematicId(s);
    texts.set(id, text);
    const provider = lab.host(node.host).provider;
    const media = bootMedia(s, node, lab.talosVersion, provider);
    return {
      node: node.name,
      host: node.host,
      kind: node.kind,
      arch: node.arch,
      schematic: id,
      extensions: s.customization.systemExtensions?.officialExtensions ?? [],
      ...(s.overlay ? { overlay: s.overlay.name } : {}),
      media: media.kind,
      url: media.url,
      ...(platformOf(node, provider) ? { platform: platformOf(node, provider)!.platform } : {}),
      installer: installerImage(s, lab.talosVersion, platformOf(node, provider) !== undefined),
    };
  });
  for (const id of [...texts.keys()].sort()) addFile(t, `schematics/${id}.yaml`, texts.get(id)!);
  addFile(t, "media.json", JSON.stringify({ talosVersion: lab.talosVersion, factory: "https://factory.talos.dev", nodes }, null, 2) + "\n");
  const rows = nodes.map((n) => `| ${n.node} | ${n.host} (${n.kind}, ${n.arch}) | ${n.extensions.map((e) => e.replace("siderolabs/", "")).join(", ") || "—"}${n.overlay ? ` + ${n.overlay}` : ""} | [${n.media === "iso" ? "ISO" : n.media === "cloud-image" ? `${n.platform} image` : "disk image"}](${n.url}) | \`${n.installer}\` |`);
  addFile(t, "README.md", [
    `# Boot media for lab ${lab.name} (Talos ${lab.talosVersion})`,
    "",
    "Boot each node from its medium (write a disk image to the SD card or disk; boot an ISO), then apply its",
    "machine config from talos/ with `talosctl apply-config --insecure -n <address> -f talos/<node>.yaml`.",
    "The images come from the Talos Image Factory; register a schematic there (the ID in the URL is the",
    "SHA-256 of the file in schematics/) with `curl -X POST --data-binary @schematics/<id>.yaml https://factory.talos.dev/schematics`.",
    "",
    "| node | host | extensions | boot medium | installer |",
    "|---|---|---|---|---|",
    ...rows,
    "",
  ].join("\n"));
  return t;
}
