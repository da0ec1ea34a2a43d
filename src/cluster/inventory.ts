// What Drover has applied to a cluster, and for which lab: the ConfigMap drover-system/drover-inventory.
//
//   data.objects   one entry a line, sorted: ["apiVersion","kind","namespace","name","hash","origin"(,"since")]
//                  origin: "created" (Drover created the object: prune may delete it), "adopted" (it
//                  existed and `apply --adopt` took it over: prune only stops tracking it), "pending"
//                  (written before the object was created; `since` is the API server's time then)
//   data.lab-name  the lab's cluster.name;  data.lab-uid  the lab UID from the lab's secrets store
//   data.format    "2"
//
// The digest is that of the desired object last applied successfully; it lets a re-apply of an
// unchanged spec skip objects whose live state still holds what Drover wants.
//
// Inventories written before origins and lab identities existed (format 1: five fields, no lab) are
// read as they are: their entries carry no origin ("legacy") and are resolved against the live object
// on the next apply (ownership.ts: created only with evidence that Drover made it, else adopted), and
// the first apply of a lab records its identity. A line that does not read as an entry is an error
// naming the line: Drover then writes and prunes nothing until it is fixed.
import { Forbidden, UserError } from "../errors.js";
import type { Client } from "./client.js";
import { refKey, type KubeObject, type ObjectRef } from "./objects.js";
import { SYSTEM_NAMESPACE } from "./lock.js";

export const INVENTORY_NAME = "drover-inventory";
export const INVENTORY_FORMAT = "2";

export type Origin = "created" | "adopted" | "pending";

export interface InventoryEntry extends ObjectRef {
  /** digest of the desired object last applied successfully; absent = applied (or about to be) but not confirmed */
  readonly hash?: string;
  /** undefined: an entry of a format-1 inventory, not resolved yet */
  readonly origin?: Origin;
  /** pending entries: the API server's time (RFC 3339) when the entry was written, before the object was created */
  readonly since?: string;
}

/** Which lab an inventory belongs to: the lab's cluster name (for messages) and its UID (the identity). */
export interface LabIdentity {
  readonly cluster: string;
  readonly uid: string;
}

export const labText = (l: LabIdentity): string => `"${l.cluster}" (lab UID ${l.uid})`;

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

  /** The ConfigMap's data.objects text (deterministic: sorted, one entry a line). */
  text(): string {
    return this.list().map((e) => {
      const fields = [e.apiVersion, e.kind, e.namespace ?? "", e.name, e.hash ?? ""];
      if (e.origin) fields.push(e.origin); // a legacy entry not resolved yet stays as it was
      if (e.origin === "pending") fields.push(e.since ?? "");
      return JSON.stringify(fields);
    }).join("\n") + "\n";
  }

  /** Reads data.objects; a line that is not an entry is an InventoryError naming it. */
  static parse(text: string, where = `${SYSTEM_NAMESPACE}/${INVENTORY_NAME}`): Inventory {
    const inv = new Inventory();
    text.split("\n").forEach((line, i) => {
      if (!line.trim()) return;
      const e = parseEntry(line, (what) => new InventoryError(where, i + 1, line, what));
      if (inv.has(e)) throw new InventoryError(where, i + 1, line, "lists an object listed on an earlier line");
      inv.set(e);
    });
    return inv;
  }
}

/** The inventory cannot be read: Drover writes and prunes nothing until it is fixed. */
export class InventoryError extends UserError {
  constructor(where: string, line: number, text: string, what: string) {
    const shown = text.length > 120 ? `${text.slice(0, 120)}…` : text;
    super(`the inventory ConfigMap ${where} is not valid: line ${line} of data.objects ${what}: ${shown}`,
      `it is Drover's record of what it created; restore the line, or delete it (kubectl -n ${SYSTEM_NAMESPACE} edit configmap ${where.split("/")[1] ?? INVENTORY_NAME}) to make Drover forget that object. Nothing was written or pruned`);
    this.name = "InventoryError";
  }
}

const API_VERSION = /^(?:[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?\/)?v[0-9]+(?:(?:alpha|beta)[0-9]+)?$/;
const KIND = /^[A-Z][A-Za-z0-9]{0,62}$/;
const NAMESPACE = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const NAME = /^[A-Za-z0-9][-A-Za-z0-9_.:@]{0,252}$/;
const HASH = /^[A-Za-z0-9_-]{1,128}$/;
const ORIGINS: readonly string[] = ["created", "adopted", "pending"];

function parseEntry(line: string, bad: (what: string) => InventoryError): InventoryEntry {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw bad("is not JSON");
  }
  if (!Array.isArray(v) || v.length < 5 || v.length > 7 || !v.every((x) => typeof x === "string")) {
    throw bad("is not a list of 5 to 7 strings [apiVersion, kind, namespace, name, hash, origin, since]");
  }
  const [apiVersion, kind, namespace, name, hash, origin, since] = v as string[];
  if (!API_VERSION.test(apiVersion!)) throw bad(`has apiVersion ${JSON.stringify(apiVersion)}, which is not group/version`);
  if (!KIND.test(kind!)) throw bad(`has kind ${JSON.stringify(kind)}, which is not a Kubernetes kind`);
  if (namespace && !NAMESPACE.test(namespace)) throw bad(`has namespace ${JSON.stringify(namespace)}, which is not a namespace name`);
  if (!NAME.test(name!) || name === "." || name === "..") throw bad(`has name ${JSON.stringify(name)}, which is not an object name`);
  if (hash && !HASH.test(hash)) throw bad(`has digest ${JSON.stringify(hash)}, which is not one Drover writes`);
  if (origin !== undefined && !ORIGINS.includes(origin)) throw bad(`has origin ${JSON.stringify(origin)}; it must be created, adopted or pending`);
  if (since && Number.isNaN(Date.parse(since))) throw bad(`has time ${JSON.stringify(since)}, which is not an RFC 3339 time`);
  return {
    apiVersion: apiVersion!, kind: kind!, name: name!,
    ...(namespace ? { namespace } : {}), ...(hash ? { hash } : {}),
    ...(origin ? { origin: origin as Origin } : {}), ...(since ? { since } : {}),
  };
}

export interface ReadInventory {
  readonly inventory: Inventory;
  /** the lab the inventory belongs to; undefined: a format-1 inventory, one written by `apply -f`, or none */
  readonly lab: LabIdentity | undefined;
  /** when the inventory ConfigMap was made (Drover's first apply here); undefined when there is none */
  readonly since: string | undefined;
  /** what was read, to skip writing an unchanged inventory */
  readonly state: string;
}

const ref = (name: string): ObjectRef => ({ apiVersion: "v1", kind: "ConfigMap", name, namespace: SYSTEM_NAMESPACE });

const stateOf = (objects: string, lab: LabIdentity | undefined): string => JSON.stringify([objects, lab?.cluster ?? "", lab?.uid ?? ""]);

/** The cluster's inventory (empty when Drover never applied here). */
export async function readInventory(client: Client, name = INVENTORY_NAME): Promise<ReadInventory> {
  const cm = await client.get<KubeObject & { data?: Record<string, string> }>(ref(name));
  const data = cm?.data ?? {};
  const where = `${SYSTEM_NAMESPACE}/${name}`;
  const text = data.objects ?? "";
  const inventory = Inventory.parse(text, where);
  const [cluster, uid] = [data["lab-name"], data["lab-uid"]];
  if ((cluster === undefined) !== (uid === undefined) || (uid !== undefined && !/^[0-9a-f-]{8,64}$/.test(uid))) {
    throw new InventoryError(where, 0, JSON.stringify({ "lab-name": cluster, "lab-uid": uid }), "(the lab identity, data.lab-name and data.lab-uid) is incomplete or malformed");
  }
  const lab = uid !== undefined ? { cluster: cluster!, uid } : undefined;
  return { inventory, lab, since: cm?.metadata.creationTimestamp, state: stateOf(text, lab) };
}

/**
 * Refuses a cluster whose inventory belongs to another lab (or to a lab when this apply has no lab
 * identity: manifests from -f), naming both. Nothing has been written when it throws.
 */
export function checkLab(server: string, theirs: LabIdentity | undefined, ours: LabIdentity | undefined): void {
  if (!theirs) return; // an empty or format-1 inventory: the first apply of a lab records its identity
  if (!ours) {
    throw new Forbidden(`the cluster at ${server} is managed by lab ${labText(theirs)}, and manifests given with -f carry no lab identity; nothing was written`,
      "name the lab the manifests belong to (drover apply path/to/lab.yaml -f …), or check --kubeconfig/--context if this is not that lab's cluster");
  }
  if (theirs.uid !== ours.uid) {
    throw new Forbidden(`the cluster at ${server} belongs to lab ${labText(theirs)}, not to this lab ${labText(ours)}; nothing was written`,
      "check --kubeconfig/--context: they point at another lab's cluster. (The lab UID lives in the lab's secrets store: a store made anew has a new UID)");
  }
}

/** Writes the inventory (server-side apply); skipped when it is what the cluster already has. Returns the new state. */
export async function writeInventory(client: Client, inv: Inventory, previous: string, lab: LabIdentity | undefined, name = INVENTORY_NAME): Promise<string> {
  const text = inv.text();
  const state = stateOf(text, lab);
  if (state === previous) return state;
  await client.apply({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: SYSTEM_NAMESPACE, labels: { "app.kubernetes.io/managed-by": "drover" } },
    data: { format: INVENTORY_FORMAT, objects: text, ...(lab ? { "lab-name": lab.cluster, "lab-uid": lab.uid } : {}) },
  });
  return state;
}
