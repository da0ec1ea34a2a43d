import { parseHostPort } from "../../net/host.js";
import type { Rule } from "./rule.js";
import { error, warning } from "./rule.js";
import { didYouMean } from "../diagnostic.js";
import { parseIp } from "../../net/ip.js";
import { PatchError, strategicMerge } from "../talos/merge.js";
import { CLUSTER_FIELDS, CONFIG_FIELDS, DOCUMENT_KINDS, NAMED_KINDS, DOCUMENT_SHAPES, MACHINE_FIELDS, TALOS_MIN_MINOR, V1ALPHA1_SHAPE } from "../talos/fields.js";

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Talos labs: a Talos version Drover renders for, patches that fit a Talos 1.12 machine config, IP endpoints. */
export const talosRules: Rule = function* (spec) {
  if (spec.cluster.distribution !== "talos") return;
  const v = spec.cluster.talosVersion;
  if (v) {
    const [major, minor] = v.split(".").map(Number);
    if (major! < 1 || (major === 1 && minor! < TALOS_MIN_MINOR)) {
      yield error(["cluster", "talosVersion"], `Talos ${v} is not supported: Drover renders machine configs for Talos 1.${TALOS_MIN_MINOR} and later (multi-document network configuration)`, `set talosVersion: 1.12.6, and upgrade the nodes with talosctl upgrade before rendering`);
    }
  }
  for (const group of ["all", "controlplane", "worker"] as const) {
    for (const [j, patch] of (spec.cluster.patches?.[group] ?? []).entries()) yield* checkPatch(patch, ["cluster", "patches", group, j]);
  }
  // Talos's WireguardConfig takes address:port endpoints only: a site reached by a DNS name is not
  // dialled by Talos nodes elsewhere (they answer once the site's nodes have contacted them)
  for (const [i, site] of spec.sites.entries()) {
    const hp = site.endpoint ? parseHostPort(site.endpoint) : undefined;
    const host = hp && !("error" in hp) && hp.kind === "dns" ? hp.host : undefined;
    if (host && spec.sites.length > 1) {
      yield warning(["sites", i, "endpoint"], `Talos nodes cannot dial ${host}: a Talos WireGuard peer endpoint is an IP address and port, not a DNS name`, "use the site's public IPv4 address here, so nodes on other sites can reach it; otherwise they wait until this site's nodes contact them");
    }
  }
  for (const [i, n] of spec.nodes.entries()) {
    if (n.publicAddress && parseIp(n.publicAddress) === undefined) {
      yield error(["nodes", i, "publicAddress"], `${n.publicAddress} is not an IPv4 address; Talos's WireGuard peers take an address, not a DNS name`, "use the node's public IPv4 address");
    }
    for (const [j, patch] of n.patches.entries()) yield* checkPatch(patch, ["nodes", i, "patches", j]);
  }
};

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
