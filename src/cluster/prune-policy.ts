// What a prune must leave alone: objects that hold data. A PersistentVolumeClaim (or anything else)
// marked with Flux's `kustomize.toolkit.fluxcd.io/prune: disabled` — Drover renders it on every app
// volume's claim and on the namespaces that hold them — is kept when the spec drops it, by Flux and by
// `drover apply` alike (a namespace holding a claim is kept by prune.ts's namespaceContentsFilter).
// `drover apply --prune-data` is the explicit way to delete them: it prunes without this filter.
import type { Client } from "./client.js";
import type { KubeObject } from "./objects.js";

/** The annotation Flux's kustomize-controller honours: "disabled" = never garbage-collect this object. */
export const PRUNE_ANNOTATION = "kustomize.toolkit.fluxcd.io/prune";

const marked = (o: KubeObject): boolean => o.metadata.annotations?.[PRUNE_ANNOTATION] === "disabled";

/** Keeps what is marked kustomize.toolkit.fluxcd.io/prune: disabled (app data); left out by --prune-data. */
export const keepDataFilter = (c: { readonly live: KubeObject }): { action: "prune" } | { action: "keep"; reason: string } =>
  marked(c.live) ? { action: "keep", reason: `holds data (${PRUNE_ANNOTATION}: disabled); drover apply --prune-data deletes it` } : { action: "prune" };

/**
 * Why the live object `cur`, which the spec no longer has, holds data (undefined: it does not): it is
 * marked, or it is a namespace holding a marked claim. For status, which reports these apart from drift.
 */
export async function keptFromPrune(client: Client, cur: KubeObject): Promise<string | undefined> {
  if (marked(cur)) return `holds data (${PRUNE_ANNOTATION}: disabled); drover apply --prune-data deletes it`;
  if (cur.kind === "Namespace" && cur.apiVersion === "v1") {
    const claims = await client.list("v1", "PersistentVolumeClaim", { namespace: cur.metadata.name });
    const held = claims.items.filter(marked).map((c) => c.metadata.name).sort();
    if (held.length) return `holds the claims ${held.join(", ")}; drover apply --prune-data deletes it`;
  }
  return undefined;
}
