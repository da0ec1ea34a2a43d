// Objects Drover created with a plain create (POST, much cheaper for the API server than a
// server-side apply that creates) record their fields as owned by "drover" with operation Update.
// Before the first server-side apply that changes such an object, that ownership is moved to
// drover's Apply entry — as kubectl does when it upgrades client-side-applied objects — so that
// fields later dropped from the spec are removed from the object rather than left behind.
import type { Client } from "./client.js";
import { refOf, type KubeObject, type ManagedFieldsEntry } from "./objects.js";

/** Deep union of two fieldsV1 tries. */
export function unionFields(a: Record<string, unknown> = {}, b: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] = cur && typeof cur === "object" && v && typeof v === "object" ? unionFields(cur as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

/** The managedFields with the manager's Update entries folded into its Apply entry; undefined when there is nothing to move. */
export function upgradedManagedFields(entries: readonly ManagedFieldsEntry[], manager: string): ManagedFieldsEntry[] | undefined {
  const updates = entries.filter((e) => e.manager === manager && e.operation === "Update" && !e.subresource);
  if (!updates.length) return undefined;
  const apply = entries.find((e) => e.manager === manager && e.operation === "Apply");
  let fields = apply?.fieldsV1 ?? {};
  for (const u of updates) fields = unionFields(fields, u.fieldsV1);
  const merged: ManagedFieldsEntry = { ...(apply ?? updates[0]!), manager, operation: "Apply", fieldsType: "FieldsV1", fieldsV1: fields };
  const rest = entries.filter((e) => !updates.includes(e) && e !== apply);
  return [merged, ...rest];
}

/** Moves the field manager's Update ownership of `live` to its Apply entry (a JSON patch guarded by resourceVersion). */
export async function upgradeOwnership(client: Client, live: KubeObject): Promise<KubeObject | undefined> {
  const next = upgradedManagedFields(live.metadata.managedFields ?? [], client.fieldManager);
  if (!next) return undefined;
  return client.patch(refOf(live), [
    { op: "test", path: "/metadata/resourceVersion", value: live.metadata.resourceVersion },
    { op: "replace", path: "/metadata/managedFields", value: next },
  ], "json");
}

// ---- who made an object ------------------------------------------------------------------------
//
// An object Drover did not create is never taken over without `apply --adopt`, and only objects
// Drover created are ever pruned. Where the inventory does not say (entries of a format-1 inventory,
// or "pending" entries an interrupted apply left behind), the live object must show that Drover made
// it: a field manager entry of Drover's, created no earlier than the inventory claims, and no other
// client (other than Kubernetes' own controllers, which set status, revisions and the like) ever
// wrote its main resource. When in doubt, the object counts as adopted: kept, never deleted.

/** Kubernetes' own components: their writes do not make an object someone else's. */
const CLUSTER_MANAGERS = new Set(["kube-controller-manager", "kube-scheduler", "kubelet", "kube-apiserver", "k3s", "kube-proxy", "cloud-controller-manager"]);

/** The managers other than `manager` and the cluster's own components that wrote the object's main resource. */
export function otherWriters(live: KubeObject, manager: string): string[] {
  const out = new Set<string>();
  for (const m of live.metadata.managedFields ?? []) {
    if (m.subresource || !m.manager || m.manager === manager || CLUSTER_MANAGERS.has(m.manager)) continue;
    out.add(m.manager);
  }
  return [...out].sort();
}

/** Whether the live object shows that Drover made it, no earlier than `notBefore` (RFC 3339; whole seconds compared). */
export function madeByDrover(live: KubeObject, manager: string, notBefore: string | undefined): boolean {
  if (!(live.metadata.managedFields ?? []).some((m) => m.manager === manager)) return false;
  if (notBefore) {
    const created = Date.parse(live.metadata.creationTimestamp ?? "");
    const floor = Math.floor(Date.parse(notBefore) / 1000) * 1000;
    if (Number.isNaN(created) || (!Number.isNaN(floor) && created < floor)) return false;
  }
  return otherWriters(live, manager).length === 0;
}

/** For messages: who wrote an object Drover did not create. */
export function writersText(live: KubeObject, manager: string): string {
  const w = otherWriters(live, manager);
  return w.length ? `written by ${w.join(", ")}` : "not created by Drover";
}
