// Lab (+ secrets) → talos/: one machine config per node (a multi-document YAML: the v1alpha1 config,
// its network documents and the wg0 overlay, with the node's patches merged in) and the talosconfig.
// Both hold secrets: written 0600 into the git-ignored output folder.
import { nutClientDocument } from "../nut/talos.js";
import type { Lab, Node } from "../../lab/types.js";
import type { LabSecrets } from "../../secrets/types.js";
import { addFile, tree, type FileTree } from "../tree.js";
import { cidrContains, parseCidr, parseIp } from "../../net/ip.js";
import { nodeMac } from "../node-mac.js";
import { installerImage, nodeSchematic, platformOf, type Schematic } from "../boot/schematic.js";
import { clusterFacts, v1alpha1Document, type ClusterFacts } from "./machine.js";
import { networkDocuments } from "./network.js";
import { overlayIndex, wireguardDocument, type OverlayIndex } from "./overlay.js";
import { PatchError, strategicMerge } from "../../spec/talos/merge.js";
import { talosconfig } from "./talosconfig.js";
import { registryMirrorDocuments } from "./registry.js";
import { emitYaml } from "./yaml.js";

export { PatchError } from "../../spec/talos/merge.js";

type Doc = Record<string, unknown>;

/** Everything computed once per lab, shared by every node's config. */
export interface TalosContext {
  readonly lab: Lab;
  readonly secrets: LabSecrets;
  readonly facts: ClusterFacts;
  readonly overlay: OverlayIndex;
  readonly vipSite: string | undefined;
  readonly schematics: Map<string, Schematic>;
}

export function talosContext(lab: Lab, secrets: LabSecrets): TalosContext {
  let vipSite: string | undefined;
  const vip = parseIp(lab.endpoint.address);
  if (lab.endpoint.vip && vip !== undefined) {
    vipSite = lab.sites.find((s) => {
      const c = parseCidr(s.lan);
      return "cidr" in c && cidrContains(c.cidr, vip);
    })?.name;
  }
  return { lab, secrets, facts: clusterFacts(lab, secrets), overlay: overlayIndex(lab, secrets), vipSite, schematics: new Map() };
}

/** The node's schematic, shared between nodes that need the same image. */
export function schematicOf(ctx: TalosContext, node: Node): Schematic {
  const s = nodeSchematic(ctx.lab, node);
  const k = JSON.stringify(s);
  const have = ctx.schematics.get(k);
  if (have) return have;
  ctx.schematics.set(k, s);
  return s;
}

/** The documents of one node's machine config, patches applied. Throws PatchError for a patch that does not fit. */
export function nodeDocuments(ctx: TalosContext, node: Node): Doc[] {
  const { lab, secrets } = ctx;
  const image = installerImage(schematicOf(ctx, node), lab.talosVersion, platformOf(node, lab.host(node.host).provider) !== undefined);
  const vip = node.role === "controlplane" && ctx.vipSite === node.site ? lab.endpoint.address : undefined;
  let docs: Doc[] = [
    v1alpha1Document(lab, secrets, ctx.facts, node, image),
    ...networkDocuments(node, nodeMac(lab, node), vip),
    wireguardDocument(lab, ctx.overlay, node),
    ...registryMirrorDocuments(lab),
    ...[nutClientDocument(lab, secrets, node)].filter((d) => d !== undefined),
  ];
  // cluster-wide patches, then the node's role's, then the node's own
  const role = lab.spec.cluster.patches;
  for (const [i, patch] of (role?.all ?? []).entries()) docs = applyPatch(docs, patch, ["cluster", "patches", "all", i]);
  for (const [i, patch] of (role?.[node.role] ?? []).entries()) docs = applyPatch(docs, patch, ["cluster", "patches", node.role, i]);
  for (const [i, patch] of node.patches.entries()) docs = applyPatch(docs, patch, ["patches", i]);
  return docs;
}

/** Applies one patch: a partial v1alpha1 config, or a typed document (merged with the one of the same kind and name, else added). */
export function applyPatch(docs: Doc[], patch: Doc, at: (string | number)[] = []): Doc[] {
  const kind = patch.kind;
  if (typeof kind === "string") {
    const idx = docs.findIndex((d) => d.kind === kind && d.name === patch.name);
    if (idx < 0) return [...docs, patch];
    const out = [...docs];
    if (patch.$patch === "delete") out.splice(idx, 1);
    else out[idx] = strategicMerge(docs[idx], patch, at) as Doc;
    return out;
  }
  const idx = docs.findIndex((d) => d.version === "v1alpha1" && d.kind === undefined);
  const out = [...docs];
  out[idx] = strategicMerge(docs[idx], patch, at) as Doc;
  return out;
}

export function nodeConfig(ctx: TalosContext, node: Node): string {
  return nodeDocuments(ctx, node).map(emitYaml).join("---\n");
}

export function renderTalos(lab: Lab, secrets: LabSecrets): FileTree {
  const t = tree();
  if (lab.distribution !== "talos") return t;
  const ctx = talosContext(lab, secrets);
  for (const node of lab.nodes) {
    let text: string;
    try {
      text = nodeConfig(ctx, node);
    } catch (e) {
      if (e instanceof PatchError) throw new Error(`internal: node ${node.name}: ${e.message} (drover check should have reported this)`);
      throw e;
    }
    addFile(t, `${node.name}.yaml`, text, { secret: true });
  }
  addFile(t, "talosconfig", talosconfig(lab, secrets.talos), { secret: true });
  return t;
}
