import { parseHostPort } from "../../net/host.js";
import type { Rule } from "./rule.js";
import { error, warning } from "./rule.js";
import { didYouMean } from "../diagnostic.js";
import { capabilitiesOf } from "../../distributions/index.js";
import { PatchError, strategicMerge } from "../talos/merge.js";
import { CLUSTER_FIELDS, CONFIG_FIELDS, DOCUMENT_KINDS, NAMED_KINDS, DOCUMENT_SHAPES, MACHINE_FIELDS, V1ALPHA1_SHAPE } from "../talos/fields.js";

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * What the lab's distribution accepts, asked of its capabilities: a release Drover renders for, patches
 * that fit its node config (Talos machine config documents), WireGuard endpoints its nodes can dial.
 */
export const distributionRules: Rule = function* (spec) {
  const d = capabilitiesOf(spec.cluster.distribution);
  const field = d.version.field;
  const v = spec.cluster[field];
  if (v && d.version.oldest) {
    const [major, minor] = v.replace(/^v/, "").split(".").map(Number);
    const [oldMajor, oldMinor] = d.version.oldest.release;
    if (major! < oldMajor || (major === oldMajor && minor! < oldMinor)) {
      yield error(["cluster", field], `${d.title} ${v} is not supported: Drover renders node configs for ${d.title} ${oldMajor}.${oldMinor} and later (${d.version.oldest.why})`, `set ${field}: ${d.version.starter}, and upgrade the nodes with ${d.version.oldest.upgrade} before rendering`);
    }
  }
  if (d.patches === "talos-machine-config") {
    for (const group of ["all", "controlplane", "worker"] as const) {
      for (const [j, patch] of (spec.cluster.patches?.[group] ?? []).entries()) yield* checkPatch(patch, ["cluster", "patches", group, j]);
    }
    for (const [i, n] of spec.nodes.entries()) for (const [j, patch] of n.patches.entries()) yield* checkPatch(patch, ["nodes", i, "patches", j]);
  }
  // e.g. Talos's WireguardConfig takes address:port endpoints only: a site reached by a DNS name is not
  // dialled by nodes elsewhere (they answer once the site's nodes have contacted them)
  if (d.wireguardEndpointIpOnly) {
    for (const [i, site] of spec.sites.entries()) {
      const hp = site.endpoint ? parseHostPort(site.endpoint) : undefined;
      const host = hp && !("error" in hp) && hp.kind === "dns" ? hp.host : undefined;
      if (host && spec.sites.length > 1) {
        yield warning(["sites", i, "endpoint"], `${d.title} nodes cannot dial ${host}: a ${d.title} WireGuard peer endpoint is an IP address and port, not a DNS name`, "use the site's public IPv4 address here, so nodes on other sites can reach it; otherwise they wait until this site's nodes contact them");
      }
    }
  }
};

/** A patch of a Talos lab: a machine config fragment, or a whole configuration document. */
function* checkPatch(patch: Record<string, unknown>, at: (string | number)[]) {
  const kind = patch.kind;
  if (kind !== undefined || patch.apiVersion !== undefined) {
    if (typeof kind !== "string" || !DOCUMENT_KINDS.has(kind)) {
      yield error([...at, "kind"], `${String(kind)} is not a Talos 1.12 configuration document kind`, didYouMean(String(kind), [...DOCUMENT_KINDS]) ?? "see https://www.talos.dev/v1.12/reference/configuration/ for the document kinds");
      return;
    }
    if (patch.apiVersion !== "v1alpha1") yield error([...at, "apiVersion"], `apiVersion of a ${kind} document is v1alpha1`, "set apiVersion: v1alpha1");
    if (NAMED_KINDS.has(kind) && (typeof patch.name !== "string" || patch.name === "")) {
      yield error([...at, "kind"], `a ${kind} document needs a name (which ${kind === "LinkConfig" || kind === "WireguardConfig" ? "link" : "one"} it configures)`, kind === "LinkConfig" ? "name: net0 patches the node's LAN link; wg0 is the overlay" : "add name: …");
    }
    const shape = DOCUMENT_SHAPES[kind];
    if (shape) yield* mergeable(shape, patch, at);
    return;
  }
  for (const k of Object.keys(patch)) {
    if (!CONFIG_FIELDS.includes(k)) yield { ...error([...at, k], `${k} is not a field of a Talos machine config`, didYouMean(k, CONFIG_FIELDS) ?? "a patch holds machine: and cluster: sections, or is a whole document with apiVersion and kind"), atKey: true };
  }
  for (const [section, fields] of [["machine", MACHINE_FIELDS], ["cluster", CLUSTER_FIELDS]] as const) {
    const value = patch[section];
    if (value === undefined) continue;
    if (!isObj(value)) continue; // reported by the merge below
    for (const k of Object.keys(value)) {
      if (!fields.includes(k)) yield { ...error([...at, section, k], `${section}.${k} is not a field of a Talos 1.12 machine config`, didYouMean(k, fields) ?? `see https://www.talos.dev/v1.12/reference/configuration/v1alpha1/config/`), atKey: true };
    }
  }
  yield* mergeable(V1ALPHA1_SHAPE, patch, at);
}

function* mergeable(shape: Record<string, unknown>, patch: Record<string, unknown>, at: (string | number)[]) {
  try {
    strategicMerge(shape, patch);
  } catch (e) {
    if (!(e instanceof PatchError)) throw e;
    yield error([...at, ...e.path], e.message.replace(/ in the Talos machine config/, " in a Talos machine config"), "give the field the type Talos expects (see https://www.talos.dev/v1.12/reference/configuration/)");
  }
}
