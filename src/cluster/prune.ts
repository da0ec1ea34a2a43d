// What prune may delete: each object the inventory lists and the spec no longer has goes through the
// filters below, in order; the first that does not say "prune" decides (as kubectl drain's pod
// filters do, src/cluster/drain/filters). A filter either lets the object be deleted, releases it
// (Drover stops tracking it and leaves it in place), or keeps it (left in place and still tracked, so
// a later apply tries again once what blocked it is gone). Other rules compose by adding a filter.
import type { Client } from "./client.js";
import { ApiError } from "./client.js";
import type { Inventory, InventoryEntry } from "./inventory.js";
import { groupOf, refKey, refOf, refText, type KubeObject, type ObjectRef } from "./objects.js";
import { madeByDrover, writersText } from "./ownership.js";
import { keepDataFilter } from "./prune-policy.js";

export type PruneVerdict =
  | { readonly action: "prune" }
  | { readonly action: "release"; readonly reason: string }
  | { readonly action: "keep"; readonly reason: string };

export interface PruneCandidate {
  readonly entry: InventoryEntry;
  readonly ref: ObjectRef;
  /** the live object (candidates whose object is gone never reach the filters: they are forgotten) */
  readonly live: KubeObject;
}

export interface PruneContext {
  readonly client: Client;
  /** the inventory as this apply read it */
  readonly inventory: Inventory;
  /** when the inventory was made (Drover's first apply here), for entries of a format-1 inventory */
  readonly inventorySince: string | undefined;
  /** refKeys of what this prune deleted so far (namespaces and CRDs are pruned after what they hold) */
  readonly pruned: ReadonlySet<string>;
}

export type PruneFilter = (c: PruneCandidate, ctx: PruneContext) => PruneVerdict | Promise<PruneVerdict>;

const prune: PruneVerdict = { action: "prune" };

/** Namespaces Drover never deletes, whatever the inventory says. */
export const PROTECTED_NAMESPACES: ReadonlySet<string> = new Set(["drover-system", "kube-system", "kube-public", "kube-node-lease", "default", "flux-system"]);

export const isNamespace = (r: ObjectRef): boolean => r.kind === "Namespace" && groupOf(r.apiVersion) === "";

/** drover-system, kube-system, kube-public, kube-node-lease, default and flux-system are never deleted. */
export const protectedNamespaceFilter: PruneFilter = (c) =>
  isNamespace(c.ref) && PROTECTED_NAMESPACES.has(c.ref.name) ? { action: "release", reason: `${c.ref.name} is a system namespace; Drover never deletes it` } : prune;

/** Only what Drover created: adopted objects are released; unresolved entries need evidence that Drover made the object. */
export const createdByDroverFilter: PruneFilter = (c, ctx) => {
  const manager = ctx.client.fieldManager;
  switch (c.entry.origin) {
    case "adopted":
      return { action: "release", reason: "adopted with --adopt, not created by Drover: no longer tracked, left in place" };
    case "created":
      return (c.live.metadata.managedFields ?? []).some((m) => m.manager === manager) ? prune : { action: "release", reason: "no longer managed by Drover (someone took it over): no longer tracked, left in place" };
    default: // pending (an interrupted apply) or a format-1 entry
      return madeByDrover(c.live, manager, c.entry.since ?? ctx.inventorySince) ? prune : { action: "release", reason: `not shown to be created by Drover (${writersText(c.live, manager)}): no longer tracked, left in place` };
  }
};

/** Objects in a namespace (or instances of a CRD) that go with it without being anyone's own: events, dependents, what the cluster makes itself. */
function goesAlong(o: KubeObject, ctx: PruneContext): boolean {
  if (ctx.pruned.has(refKey(refOf(o)))) return true;
  if (o.metadata.deletionTimestamp) return true;
  if (o.metadata.ownerReferences?.length) return true; // garbage-collected with its owner, which is judged itself
  if (o.kind === "Event") return true;
  if (o.kind === "PersistentVolumeClaim") return false; // data: never deleted along with its namespace
  // what Kubernetes puts in every namespace (the ServiceAccount carries no managedFields at all)
  if ((o.kind === "ServiceAccount" && o.metadata.name === "default") || (o.kind === "ConfigMap" && o.metadata.name === "kube-root-ca.crt")) return true;
  const managers = (o.metadata.managedFields ?? []).filter((m) => !m.subresource).map((m) => m.manager ?? "");
  // made by the cluster itself (kube-root-ca.crt, the default ServiceAccount, Endpoints): writersText is empty
  return managers.length > 0 && managers.every((m) => CLUSTER_MADE.has(m));
}

const CLUSTER_MADE = new Set(["kube-controller-manager", "kube-apiserver", "k3s", "cloud-controller-manager"]);

function blockedBy(others: readonly KubeObject[], ctx: PruneContext): string {
  const shown = others.slice(0, 5).map((o) => `${refText(refOf(o))} (${writersText(o, ctx.client.fieldManager)})`);
  return `${shown.join(", ")}${others.length > 5 ? ` and ${others.length - 5} more` : ""}`;
}

/** A namespace holding objects Drover did not create (or is not deleting) is left in place, with the reason. */
export const namespaceContentsFilter: PruneFilter = async (c, ctx) => {
  if (!isNamespace(c.ref)) return prune;
  const map = await ctx.client.discover();
  const kinds = new Map<string, { apiVersion: string; kind: string }>();
  for (const r of map.all()) {
    if (!r.namespaced || !r.verbs.includes("list") || r.kind === "Event") continue;
    const key = `${r.group}|${r.kind}`;
    const pref = map.preferred(r.group, r.kind) ?? r;
    if (!kinds.has(key)) kinds.set(key, { apiVersion: pref.group ? `${pref.group}/${pref.version}` : pref.version, kind: pref.kind });
  }
  const held: KubeObject[] = [];
  await Promise.all([...kinds.values()].map(async ({ apiVersion, kind }) => {
    try {
      const list = await ctx.client.list(apiVersion, kind, { namespace: c.ref.name, metadataOnly: true });
      for (const it of list.items) if (!goesAlong(it, ctx)) held.push(it);
    } catch (e) {
      if (e instanceof ApiError && (e.code === 404 || e.code === 405 || e.code === 403 || e.code === 503)) return; // not listable here
      throw e;
    }
  }));
  if (!held.length) return prune;
  held.sort((a, b) => (refKey(refOf(a)) < refKey(refOf(b)) ? -1 : 1));
  return { action: "keep", reason: `it holds objects Drover did not create: ${blockedBy(held, ctx)}; left in place (deleting it would delete them). Move or delete them, then apply again` };
};

/** A CustomResourceDefinition whose custom resources Drover did not create is left in place (deleting it deletes them). */
export const crdInstancesFilter: PruneFilter = async (c, ctx) => {
  if (c.ref.kind !== "CustomResourceDefinition" || groupOf(c.ref.apiVersion) !== "apiextensions.k8s.io") return prune;
  const full = (await ctx.client.get(c.ref)) as (KubeObject & { spec?: { group?: string; names?: { kind?: string }; versions?: { name: string; served?: boolean }[] } }) | undefined;
  const spec = full?.spec;
  const version = spec?.versions?.find((v) => v.served !== false)?.name;
  if (!spec?.group || !version || !spec.names?.kind) return prune;
  let items: KubeObject[];
  try {
    items = (await ctx.client.list(`${spec.group}/${version}`, spec.names.kind, { metadataOnly: true })).items;
  } catch {
    return prune; // not served any more: nothing left to lose
  }
  const held = items.filter((o) => !goesAlong(o, ctx));
  if (!held.length) return prune;
  return { action: "keep", reason: `custom resources Drover did not create still use it: ${blockedBy(held, ctx)}; left in place (deleting it would delete them)` };
};

/** Drover's filters, in order. */
export const defaultPruneFilters: readonly PruneFilter[] = [protectedNamespaceFilter, createdByDroverFilter, keepDataFilter, namespaceContentsFilter, crdInstancesFilter];

/** drover apply --prune-data: the same, app data included (keepDataFilter left out). */
export const pruneDataFilters: readonly PruneFilter[] = defaultPruneFilters.filter((f) => f !== keepDataFilter);

/** The first verdict that is not "prune", or "prune". */
export async function decidePrune(c: PruneCandidate, ctx: PruneContext, filters: readonly PruneFilter[] = defaultPruneFilters): Promise<PruneVerdict> {
  for (const f of filters) {
    const v = await f(c, ctx);
    if (v.action !== "prune") return v;
  }
  return prune;
}
