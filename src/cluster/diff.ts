// drover diff: what an apply would change, as unified diffs of the live object against the server's
// dry-run result (so defaults and other managers' fields are accounted for), plus what it would prune
// (through apply's prune filters) and which existing objects it would have to adopt (--adopt). Like
// apply, it refuses a cluster whose inventory belongs to another lab, and a malformed inventory.
// Secret values are never shown: each is replaced by a short digest, so a change is still visible.
import { createHash } from "node:crypto";
import { stringify } from "yaml";
import { NotFound, UserError } from "../errors.js";
import type { Client } from "./client.js";
import { comparable, liveObjects, owners, pool, prepare } from "./apply.js";
import { asStored } from "./compare.js";
import { checkLab, readInventory, INVENTORY_NAME, type LabIdentity } from "./inventory.js";
import { refKey, refOf, refText, type KubeObject, type ObjectRef } from "./objects.js";
import { levelOf, levels } from "./order.js";
import { decidePrune, defaultPruneFilters, type PruneFilter } from "./prune.js";
import { unifiedDiff } from "./unified-diff.js";

export interface ObjectDiff {
  readonly ref: ObjectRef;
  /** adopt: it exists and Drover did not create it (apply refuses it without --adopt) */
  readonly change: "create" | "update" | "adopt" | "prune";
  /** diff -u text */
  readonly diff: string;
}

export interface DiffResult {
  readonly changes: ObjectDiff[];
  readonly unchanged: number;
  /** objects left out: the cluster does not serve their kinds yet */
  readonly unserved: number;
}

const digest = (v: string): string => `<redacted sha256:${createHash("sha256").update(v).digest("hex").slice(0, 12)}>`;

/** A Secret with every value replaced by its digest (data decoded first, so data and stringData compare). */
export function redact(o: KubeObject): KubeObject {
  if (o.kind !== "Secret") return o;
  const s = asStored(o);
  const data = s.data as Record<string, string> | undefined;
  const out: KubeObject = { ...s };
  if (data) out.data = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, digest(Buffer.from(v, "base64").toString("utf8"))]));
  const ann = o.metadata.annotations;
  if (ann?.["kubectl.kubernetes.io/last-applied-configuration"]) out.metadata = { ...o.metadata, annotations: { ...ann, "kubectl.kubernetes.io/last-applied-configuration": digest(ann["kubectl.kubernetes.io/last-applied-configuration"]) } };
  return out;
}

/** YAML for diffing: server-set fields dropped, keys sorted, secrets redacted. */
export function diffText(o: KubeObject | undefined): string {
  if (!o) return "";
  return stringify(redact(comparable(o)), { sortMapEntries: true, lineWidth: 0, aliasDuplicateObjects: false });
}

export async function diff(client: Client, desiredIn: readonly KubeObject[], o: { concurrency?: number; inventoryName?: string; prune?: boolean; skipUnserved?: boolean; lab?: LabIdentity; pruneFilters?: readonly PruneFilter[] } = {}): Promise<DiffResult> {
  const desired = await prepare(client, desiredIn, { skipUnserved: !!o.skipUnserved });
  const read = await readInventory(client, o.inventoryName ?? INVENTORY_NAME);
  checkLab(client.server, read.lab, o.lab);
  const { owner } = await owners(client, desired, read.inventory, read.since);
  const live = await liveObjects(client, desired);
  const changes: ObjectDiff[] = [];
  let unchanged = 0;
  await pool(desired, o.concurrency ?? 32, async (d) => {
    const ref = refOf(d);
    const cur = live.get(refKey(ref));
    let after: KubeObject;
    try {
      after = (await client.applyDetailed(d, { dryRun: true })).object;
    } catch (e) {
      // a custom resource whose CRD this apply would create: the server can't dry-run it yet
      if (e instanceof NotFound && !cur) after = d;
      else throw e;
    }
    const a = diffText(cur);
    const b = diffText(after);
    const label = refText(ref);
    if (a === b) unchanged++;
    else changes.push({ ref, change: owner.get(refKey(ref)) === "foreign" ? "adopt" : cur ? "update" : "create", diff: unifiedDiff(a, b, cur ? `live/${label}` : "/dev/null", `desired/${label}`) });
  });
  if (o.prune !== false) {
    const wanted = new Set(desired.map((d) => refKey(refOf(d))));
    const gone = read.inventory.list().filter((e) => !wanted.has(refKey(e)));
    const pruned = new Set<string>();
    const ctx = { client, inventory: read.inventory, inventorySince: read.since, pruned };
    for (const { objects } of levels(gone).reverse()) {
      await pool(objects, o.concurrency ?? 32, async (e) => {
        const ref: ObjectRef = { apiVersion: e.apiVersion, kind: e.kind, name: e.name, ...(e.namespace ? { namespace: e.namespace } : {}) };
        const cur = await client.get(ref).catch(() => undefined);
        if (!cur) return;
        if ((await decidePrune({ entry: e, ref, live: cur }, ctx, o.pruneFilters ?? defaultPruneFilters)).action !== "prune") return;
        pruned.add(refKey(ref));
        changes.push({ ref, change: "prune", diff: unifiedDiff(diffText(cur), "", `live/${refText(ref)}`, "/dev/null") });
      });
    }
  }
  changes.sort((x, y) => levelOf(x.ref) - levelOf(y.ref) || (refKey(x.ref) < refKey(y.ref) ? -1 : 1));
  return { changes, unchanged, unserved: desired.unserved?.length ?? 0 };
}
