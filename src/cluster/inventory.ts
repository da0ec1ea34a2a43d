// What Drover has applied to a cluster: a ConfigMap in drover-system listing every object it created
// or took over (apiVersion, kind, namespace, name) with the digest of the desired object last applied
// successfully. Pruning deletes only what is listed here and the spec no longer has; the digest lets a
// re-apply of an unchanged spec skip objects whose live state still holds what Drover wants.
import type { Client } from "./client.js";
import { refKey, type KubeObject, type ObjectRef } from "./objects.js";
import { SYSTEM_NAMESPACE } from "./lock.js";

export const INVENTORY_NAME = "drover-inventory";

export interface InventoryEntry extends ObjectRef {
  /** digest of the desired object last applied successfully; absent = applied (or about to be) but not confirmed */
  readonly hash?: string;
}

export class Inventory {
  private readonly entries = new Map<string, InventoryEntry>();

  constructor(list: readonly InventoryEntry[] = []) {
    for (const e of list) this.entries.set(refKey(e), e);
  }

  get(ref: ObjectRef): InventoryEntry | undefined {
    return this.entries.get(refKey(ref));
  }

  has(ref: ObjectRef): boolean {
    return this.entries.has(refKey(ref));
  }

  set(e: InventoryEntry): void {
    this.entries.set(refKey(e), e);
  }

  delete(ref: ObjectRef): void {
    this.entries.delete(refKey(ref));
  }

  list(): InventoryEntry[] {
    return [...this.entries.values()].sort((a, b) => (refKey(a) < refKey(b) ? -1 : refKey(a) > refKey(b) ? 1 : 0));
  }

  get size(): number {
    return this.entries.size;
  }

  /** The ConfigMap's data text (deterministic: sorted, one entry a line). */
  text(): string {
    return this.list().map((e) => JSON.stringify([e.apiVersion, e.kind, e.namespace ?? "", e.name, e.hash ?? ""])).join("\n") + "\n";
  }

  static parse(text: string): Inventory {
    const inv = new Inventory();
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      const [apiVersion, kind, namespace, name, hash] = JSON.parse(line) as string[];
      inv.set({ apiVersion: apiVersion!, kind: kind!, name: name!, ...(namespace ? { namespace } : {}), ...(hash ? { hash } : {}) });
    }
    return inv;
  }
}

const ref = (name: string): ObjectRef => ({ apiVersion: "v1", kind: "ConfigMap", name, namespace: SYSTEM_NAMESPACE });

/** The cluster's inventory (empty when Drover never applied here); `text` is what was read. */
export async function readInventory(client: Client, name = INVENTORY_NAME): Promise<{ inventory: Inventory; text: string }> {
  const cm = await client.get<KubeObject & { data?: Record<string, string> }>(ref(name));
  const text = cm?.data?.objects ?? "";
  return { inventory: Inventory.parse(text), text };
}

/** Writes the inventory (server-side apply); skipped when the text is what the cluster already has. */
export async function writeInventory(client: Client, inv: Inventory, previousText: string, name = INVENTORY_NAME): Promise<string> {
  const text = inv.text();
  if (text === previousText) return text;
  await client.apply({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: SYSTEM_NAMESPACE, labels: { "app.kubernetes.io/managed-by": "drover" } },
    data: { objects: text },
  });
  return text;
}
