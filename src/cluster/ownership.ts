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
