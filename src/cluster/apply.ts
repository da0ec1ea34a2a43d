// drover apply: server-side apply (field manager "drover") of the desired objects, level by level
// (order.ts; parallel within a level), CRDs waited for until Established; objects whose live state
// already holds what was last applied are skipped without a request; objects Drover created before
// and the spec no longer has are pruned, through the filters of prune.ts; workloads are waited for
// (readiness.ts). One apply at a time (lock.ts), and not one write once the lock may be lost.
//
// Ownership: an object the spec has that already exists and that Drover did not create is never
// taken over unless `adopt` is set (then it is applied, reported as "adopted" and recorded as such:
// prune never deletes it, only stops tracking it). The inventory (inventory.ts) records per object
// whether Drover created or adopted it, and which lab it serves: a cluster whose inventory belongs to
// another lab is refused before anything is written. It is written before anything is applied (new
// objects as "pending", so an interrupted apply leaves nothing untracked) and after (with origins and
// the digests of what was applied).
import { Conflict, Forbidden, NotFound, UserError } from "../errors.js";
import { ApiError, UnreachableError, type Client } from "./client.js";
import { asStored, liveCovers, objectHash } from "./compare.js";
import { Inventory, checkLab, readInventory, writeInventory, INVENTORY_NAME, type InventoryEntry, type LabIdentity } from "./inventory.js";
import { acquireLock, type HeldLock } from "./lock.js";
import { groupOf, refKey, refOf, refText, versionOf, type KubeObject, type ObjectRef } from "./objects.js";
import { levels, levelOf } from "./order.js";
import { madeByDrover, upgradeOwnership, writersText } from "./ownership.js";
import { decidePrune, defaultPruneFilters, type PruneContext, type PruneFilter } from "./prune.js";
import { readiness, waitedKind, type Readiness } from "./readiness.js";

/**
 * adopted: existed, not Drover's, taken over with --adopt; released: dropped from the spec but not
 * deleted (adopted, a system namespace, no longer Drover's), no longer tracked; kept: dropped from the
 * spec, not deleted for the reason given, still tracked
 */
export type Action = "created" | "configured" | "unchanged" | "adopted" | "pruned" | "released" | "kept" | "failed" | "not-applied" | "skipped";

export interface ObjectResult {
  readonly ref: ObjectRef;
  readonly action: Action;
  readonly error?: string;
  /** released and kept: why the object was not deleted */
  readonly reason?: string;
}

export type ApplyProgress =
  | { phase: "lock"; holder: string; since?: string }
  | { phase: "apply"; level: number; done: number; total: number; ref?: ObjectRef; action?: Action }
  | { phase: "crds"; pending: number }
  | { phase: "prune"; done: number; total: number; ref?: ObjectRef }
  | { phase: "wait"; ready: number; total: number; pending: { ref: ObjectRef; message: string }[] };

export interface ApplyOptions {
  dryRun?: boolean;
  /** delete what Drover applied before and the spec no longer has (default true) */
  prune?: boolean;
  /** wait for workloads to become ready (default true) */
  wait?: boolean;
  timeoutMs?: number;
  /** requests in flight at once (default 32) */
  concurrency?: number;
  /** timestamped phase notes (DROVER_TRACE=1 on the command line prints them to stderr) */
  trace?: (line: string) => void;
  /** how long to queue behind another apply (ms; default 0: refuse) */
  lockWaitMs?: number;
  signal?: AbortSignal;
  onProgress?: (p: ApplyProgress) => void;
  inventoryName?: string;
  /** the lock holder's identity (default: lock.ts holderIdentity(), unique per process and machine) */
  lockHolder?: string;
  /**
   * objects whose kinds the cluster does not serve (and no CRD in this apply provides) are skipped
   * and reported instead of refusing the apply: the bootstrap case, where Flux, cert-manager and
   * the like bring those CRDs later (default false: refuse)
   */
  skipUnserved?: boolean;
  /** take over objects that exist and that Drover did not create (default false: refuse, naming them) */
  adopt?: boolean;
  /** the lab this apply serves (cluster name + lab UID); undefined for manifests that name no lab */
  lab?: LabIdentity;
  /** what may be pruned (default: prune.ts's defaultPruneFilters) */
  pruneFilters?: readonly PruneFilter[];
  /** test seam: called (and awaited) after each object is applied */
  afterObject?: (ref: ObjectRef) => unknown;
}

export interface ApplyResult {
  readonly dryRun: boolean;
  readonly results: ObjectResult[];
  readonly counts: Record<Action, number>;
  /** workloads not ready when the wait ended (timeout or failure) */
  readonly notReady: { ref: ObjectRef; message: string; failed: boolean }[];
  readonly interrupted: boolean;
  /** the writes this apply made to applied objects (PATCH/DELETE requests) */
  readonly writes: number;
  /** what the API server warned about while applying (unknown fields, deprecated APIs, Pod Security), each once */
  readonly warnings: readonly string[];
  /** the lab the cluster's inventory belongs to after this apply */
  readonly lab: LabIdentity | undefined;
}

/** The apply lock was lost (taken over, or not renewed in time): the apply stopped writing. */
export class LockLostError extends Conflict {
  constructor(why: string) {
    super(`stopped writing: the apply lock is lost (${why})`, "another drover apply took over, or the API server did not answer for longer than the lock lasts; run drover apply again: it converges");
    this.name = "LockLostError";
  }
}

/** Who owns an object the spec has: Drover (created or adopted), nobody yet (new), or someone else (foreign). */
export type Owner = "created" | "adopted" | "new" | "foreign";

/**
 * Decides, for each desired object, whether Drover owns it. Objects the inventory lists as created or
 * adopted are Drover's; for the others the live object is looked at (one metadata-only LIST per kind):
 * absent is new; present is Drover's only when the inventory has an unresolved entry for it (pending,
 * or a format-1 line) and the live object shows that Drover made it (ownership.ts), else foreign.
 */
export async function owners(client: Client, desired: readonly KubeObject[], inv: Inventory, inventorySince: string | undefined): Promise<{ owner: Map<string, Owner>; foreign: Map<string, KubeObject> }> {
  const owner = new Map<string, Owner>();
  const unknown: KubeObject[] = [];
  for (const d of desired) {
    const origin = inv.get(refOf(d))?.origin;
    if (origin === "created" || origin === "adopted") owner.set(refKey(refOf(d)), origin);
    else unknown.push(d);
  }
  const foreign = new Map<string, KubeObject>();
  if (!unknown.length) return { owner, foreign };
  const live = await liveObjects(client, unknown, { metadataOnly: true });
  for (const d of unknown) {
    const key = refKey(refOf(d));
    const cur = live.get(key);
    const entry = inv.get(refOf(d));
    if (!cur) owner.set(key, "new");
    else if (entry && madeByDrover(cur, client.fieldManager, entry.since ?? inventorySince)) owner.set(key, "created");
    else {
      owner.set(key, "foreign");
      foreign.set(key, cur);
    }
  }
  return { owner, foreign };
}

/** The refusal when objects exist that Drover did not create and --adopt was not given. */
export function foreignError(server: string, foreign: readonly KubeObject[], manager: string): Forbidden {
  const n = foreign.length;
  const shown = foreign.slice(0, 10).map((o) => `${refText(refOf(o))} (${writersText(o, manager)})`).join(", ");
  return new Forbidden(
    `${n} object${n === 1 ? "" : "s"} of the spec already exist${n === 1 ? "s" : ""} at ${server} and ${n === 1 ? "was" : "were"} not created by Drover: ${shown}${n > 10 ? ` and ${n - 10} more` : ""}; nothing was written`,
    "Drover takes over nothing it did not create unless told to: pass --adopt to manage them from now on (adopted objects are never deleted: when the spec drops them Drover stops tracking them), or rename or remove them in lab.yaml",
  );
}

const isoTime = (client: Client): string => new Date(client.serverNow() ?? Date.now()).toISOString();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs fn over items with at most n in flight; stops taking new items once `stop()` says so. */
export async function pool<T>(items: readonly T[], n: number, fn: (t: T) => Promise<void>, stop: () => boolean = () => false): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !stop()) {
      const i = next++;
      await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

/** Checks the objects' shape and fills in namespaces; throws a UserError before anything is written. */
export async function prepare(client: Client, objects: readonly KubeObject[], opts: { skipUnserved?: boolean } = {}): Promise<KubeObject[] & { unserved?: KubeObject[] }> {
  const unserved: KubeObject[] = [];
  const map = await client.discover();
  // kinds that CRDs in this same apply will provide: group/version/kind → namespaced
  const fromCrds = new Map<string, boolean>();
  for (const o of objects) {
    if (o.kind !== "CustomResourceDefinition" || groupOf(o.apiVersion) !== "apiextensions.k8s.io") continue;
    const spec = (o as { spec?: { group?: string; scope?: string; names?: { kind?: string }; versions?: { name: string }[] } }).spec;
    for (const v of spec?.versions ?? []) fromCrds.set(`${spec?.group}/${v.name}|${spec?.names?.kind}`, spec?.scope === "Namespaced");
  }
  const seen = new Map<string, number>();
  const out: KubeObject[] = [];
  for (const [i, o] of objects.entries()) {
    const what = `object ${i + 1} (${o?.kind ?? "?"} ${o?.metadata?.name ?? "?"})`;
    if (!o || typeof o !== "object" || typeof o.apiVersion !== "string" || typeof o.kind !== "string") throw new UserError(`${what} has no apiVersion or kind`, "every manifest needs apiVersion, kind and metadata.name");
    if (!o.metadata || typeof o.metadata.name !== "string" || !o.metadata.name) throw new UserError(`${what} has no metadata.name`, "every manifest needs metadata.name");
    const info = map.get(o.apiVersion, o.kind);
    const namespaced = info ? info.namespaced : fromCrds.get(`${o.apiVersion}|${o.kind}`);
    if (namespaced === undefined && opts.skipUnserved) {
      unserved.push(o);
      continue;
    }
    if (namespaced === undefined) {
      throw new NotFound(`${refText(refOf(o))}: the cluster at ${client.server} does not serve ${o.kind} in ${o.apiVersion}, and no CustomResourceDefinition being applied provides it`,
        "install the CRD (or the controller that brings it) first, or check apiVersion and kind");
    }
    const meta = { ...o.metadata };
    if (namespaced && !meta.namespace) meta.namespace = client.access.namespace;
    if (!namespaced) delete meta.namespace;
    const obj = { ...o, metadata: meta } as KubeObject;
    const k = refKey(refOf(obj));
    if (seen.has(k)) throw new UserError(`${refText(refOf(obj))} is listed twice (objects ${seen.get(k)! + 1} and ${i + 1})`, "each object may appear once in what is applied");
    seen.set(k, i);
    out.push(obj);
  }
  return Object.assign(out, { unserved });
}

/** Strips what the server sets, for comparing a dry-run result with the live object. */
export function comparable(o: KubeObject): KubeObject {
  const { metadata, status: _s, ...rest } = o;
  const m = { ...metadata };
  for (const k of ["managedFields", "resourceVersion", "generation", "uid", "creationTimestamp", "selfLink"]) delete m[k];
  return { ...rest, metadata: m } as KubeObject;
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

/** The live objects of the given kinds, by refKey (one LIST per kind; `metadataOnly`: their metadata only). */
export async function liveObjects(client: Client, objs: readonly KubeObject[], opts: { metadataOnly?: boolean } = {}): Promise<Map<string, KubeObject>> {
  const kinds = new Map<string, { apiVersion: string; kind: string; namespaces: Set<string> }>();
  for (const o of objs) {
    const k = `${o.apiVersion}|${o.kind}`;
    const e = kinds.get(k) ?? { apiVersion: o.apiVersion, kind: o.kind, namespaces: new Set<string>() };
    e.namespaces.add(o.metadata.namespace ?? "");
    kinds.set(k, e);
  }
  const out = new Map<string, KubeObject>();
  await Promise.all([...kinds.values()].map(async ({ apiVersion, kind, namespaces }) => {
    // one namespace: list just that; several: list across all namespaces once
    const only = namespaces.size === 1 ? [...namespaces][0] : undefined;
    try {
      const list = await client.list(apiVersion, kind, { ...(only ? { namespace: only } : {}), ...(opts.metadataOnly ? { metadataOnly: true } : {}) });
      for (const it of list.items) out.set(refKey(refOf(it)), it);
    } catch (e) {
      if (e instanceof ApiError && (e.code === 404 || e.code === 403 || e.code === 405)) return; // not listable: each object is applied
      if (e instanceof NotFound) return;
      throw e;
    }
  }));
  return out;
}

export async function apply(client: Client, desiredIn: readonly KubeObject[], o: ApplyOptions = {}): Promise<ApplyResult> {
  const dryRun = !!o.dryRun;
  const invName = o.inventoryName ?? INVENTORY_NAME;
  const results = new Map<string, ObjectResult>();
  const notReady: { ref: ObjectRef; message: string; failed: boolean }[] = [];
  client.takeWarnings(); // only this apply's
  const interrupted = () => !!o.signal?.aborted;
  const t0 = performance.now();
  const trace = o.trace ? (what: string) => o.trace!(`${(performance.now() - t0).toFixed(0).padStart(6)} ms  ${what}`) : () => {};

  trace(`apply starts ${t0.toFixed(0)} ms after the process (loading, reading and parsing the manifests)`);
  const desired = await prepare(client, desiredIn, { skipUnserved: !!o.skipUnserved }); // reaches the server: unreachable/401 fail here, nothing changed
  trace(`discovery done, ${desired.length} objects`);
  for (const u of desired.unserved ?? []) {
    results.set(refKey(refOf(u)), { ref: refOf(u), action: "skipped", error: `the cluster does not serve ${u.kind} (${u.apiVersion}) yet` });
  }
  // another lab's cluster, or an inventory that does not read: refused before even the lock is written
  checkLab(client.server, (await readInventory(client, invName)).lab, o.lab);
  const progress = o.onProgress ?? (() => {});
  let lock: HeldLock | undefined;
  if (!dryRun) lock = await acquireLock(client, { waitMs: o.lockWaitMs ?? 0, ...(o.lockHolder ? { holder: o.lockHolder } : {}), onWait: (holder, since) => progress({ phase: "lock", holder, ...(since ? { since } : {}) }) });
  let lab: LabIdentity | undefined;
  const run: Run = {
    client,
    o,
    dryRun,
    concurrency: o.concurrency ?? 32,
    progress,
    results,
    writes: 0,
    trace,
    interrupted,
    // before every write: is the lease still ours? (stop() makes the pools take no more objects)
    held: () => {
      const why = lock?.lost();
      if (why) throw new LockLostError(why);
    },
    stop: () => interrupted() || !!lock?.lost(),
  };
  try {
    trace("lock held");
    const read = await readInventory(client, invName); // a malformed inventory stops here: nothing written, nothing pruned
    checkLab(client.server, read.lab, o.lab);
    lab = o.lab ?? read.lab;
    const before = read.inventory;
    const { owner, foreign } = await owners(client, desired, before, read.since);
    if (foreign.size && !o.adopt) throw foreignError(client.server, [...foreign.values()], client.fieldManager);
    trace(`ownership decided: ${foreign.size} to adopt`);
    const since = isoTime(client);
    const inv = plannedInventory(desired, before, owner, since);
    let state = read.state;
    if (!dryRun) {
      run.held();
      state = await writeInventory(client, inv, state, lab, invName);
    }
    trace("inventory written");

    const failed = await applyLevels(run, desired, inv, owner, since);
    for (const d of desired) if (!results.has(refKey(refOf(d)))) results.set(refKey(refOf(d)), { ref: refOf(d), action: "not-applied" });

    // prune: what the inventory lists and the spec no longer has, through the prune filters
    const wanted = new Set(desired.map((d) => refKey(refOf(d))));
    const gone = before.list().filter((e) => !wanted.has(refKey(e)));
    if (o.prune !== false && !failed && !run.stop()) {
      const pruned = new Set<string>();
      await pruneGone(run, gone, inv, pruned, { client, inventory: before, inventorySince: read.since, pruned });
    }
    if (!dryRun) {
      run.held();
      state = await writeInventory(client, inv, state, lab, invName);
    }
    trace("inventory written");

    if (!dryRun && o.wait !== false && !failed && !interrupted()) {
      const waited = desired.filter((d) => waitedKind(d.apiVersion, d.kind) && d.kind !== "CustomResourceDefinition");
      notReady.push(...(await waitReady(client, waited, o.timeoutMs ?? 300_000, progress, interrupted)));
    }
  } finally {
    await lock?.release().catch(() => {});
  }
  const counts: Record<Action, number> = { created: 0, configured: 0, unchanged: 0, adopted: 0, pruned: 0, released: 0, kept: 0, failed: 0, "not-applied": 0, skipped: 0 };
  const list = [...results.values()].sort((a, b) => levelOf(a.ref) - levelOf(b.ref) || (refKey(a.ref) < refKey(b.ref) ? -1 : 1));
  for (const r of list) counts[r.action]++;
  return { dryRun, results: list, counts, notReady, interrupted: interrupted(), writes: run.writes, warnings: client.takeWarnings().sort(), lab };
}

/** One apply as it runs: its options, the results so far, the writes it made, and the lock checks. */
interface Run {
  readonly client: Client;
  readonly o: ApplyOptions;
  readonly dryRun: boolean;
  readonly concurrency: number;
  readonly progress: (p: ApplyProgress) => void;
  readonly results: Map<string, ObjectResult>;
  writes: number;
  trace(what: string): void;
  interrupted(): boolean;
  /** throws when the lock was lost: call before every write */
  held(): void;
  /** interrupted, or the lock lost: take no more objects */
  stop(): boolean;
}

/** The inventory as it will be once this apply is done: new objects pending, created and adopted ones as they are. */
function plannedInventory(desired: readonly KubeObject[], before: Inventory, owner: ReadonlyMap<string, Owner>, since: string): Inventory {
  const inv = new Inventory(before.list());
  for (const d of desired) {
    const ref = refOf(d);
    const entry = inv.get(ref);
    switch (owner.get(refKey(ref))) {
      case "new": inv.set({ ...ref, origin: "pending", since }); break;
      case "created": inv.set({ ...ref, ...(entry?.hash ? { hash: entry.hash } : {}), origin: "created" }); break;
      case "foreign": inv.set({ ...ref, origin: "adopted" }); break;
      default: break; // adopted: as recorded
    }
  }
  return inv;
}

/** Every object, level by level (CRDs first, and waited for), in parallel within a level; whether any failed. */
async function applyLevels(run: Run, desired: readonly KubeObject[], inv: Inventory, owner: ReadonlyMap<string, Owner>, since: string): Promise<boolean> {
  const { client, o, dryRun, results, progress } = run;
  let failed = false;
  for (const { level, objects } of levels(desired)) {
    if (run.stop()) break;
    // what the cluster has now, to skip unchanged objects (not needed on a first apply: nothing to skip)
    const needLive = dryRun || objects.some((d) => inv.get(refOf(d))?.hash !== undefined);
    const live = needLive ? await liveObjects(client, objects) : undefined;
    run.trace(`level ${level}: ${objects.length} objects${live ? `, ${live.size} live listed` : ""}`);
    let done = 0;
    await pool(objects, run.concurrency, async (d) => {
      const ref = refOf(d);
      const key = refKey(ref);
      const cur = live?.get(key);
      let action: Action;
      try {
        action = await applyObject(run, d, cur, owner.get(key), inv, since);
        results.set(key, { ref, action });
      } catch (e) {
        if (e instanceof LockLostError) throw e; // the whole apply stops
        if (dryRun && !cur && e instanceof NotFound) {
          // a custom resource whose CRD this apply creates: the server can't dry-run it yet
          results.set(key, { ref, action: "created" });
          progress({ phase: "apply", level, done: ++done, total: objects.length, ref, action: "created" });
          return;
        }
        failed = true;
        action = "failed";
        results.set(key, { ref, action, error: (e as Error).message });
        if (e instanceof UnreachableError || (e instanceof ApiError && e.code === 401)) throw e; // the whole apply is off
      }
      done++;
      progress({ phase: "apply", level, done, total: objects.length, ref, action });
      await o.afterObject?.(ref);
    }, run.stop);
    run.held();
    run.trace(`level ${level} applied`);
    if (level === 0 && !dryRun) {
      await waitCrds(client, objects.filter((c) => results.get(refKey(refOf(c)))?.action !== "failed"), (n) => progress({ phase: "crds", pending: n }), o.timeoutMs ?? 120_000, run.stop);
    }
  }
  return failed;
}

/** One object: skipped when unchanged, else created, adopted or server-side applied; its inventory entry updated. */
async function applyObject(run: Run, d: KubeObject, cur: KubeObject | undefined, who: Owner | undefined, inv: Inventory, since: string): Promise<Action> {
  const { client, dryRun } = run;
  const ref = refOf(d);
  const hash = objectHash(d);
  let action: Action;
  if (!dryRun && cur && (who === "created" || who === "adopted") && inv.get(ref)?.hash === hash && liveCovers(cur, d)) {
    action = "unchanged";
  } else if (dryRun) {
    const r = await client.applyDetailed(d, { dryRun });
    action = who === "foreign" ? "adopted" : !cur ? "created" : sameJson(comparable(cur), comparable(r.object)) ? "unchanged" : "configured";
  } else if (who === "foreign") {
    // --adopt: taken over as it is, with the spec's fields forced
    run.held();
    await client.applyDetailed(d);
    run.writes++;
    action = "adopted";
  } else if (!cur && (run.held(), await client.createIfAbsent(d))) {
    // absent (or not looked up on a first apply): a plain create is far cheaper for the server
    run.writes++;
    action = "created";
  } else {
    // it exists: server-side apply, after moving ownership recorded by an earlier create to drover's Apply entry
    let before = cur ?? (await client.get(ref));
    if (before && who === "new" && !madeByDrover(before, client.fieldManager, since)) {
      // it appeared while this apply ran, made by someone else: not taken over
      inv.delete(ref);
      throw new UserError(`${refText(ref)} was created by someone else while drover applied (${writersText(before, client.fieldManager)}); not taken over`, "pass --adopt to take it over");
    }
    run.held();
    const upgraded = before ? await upgradeOwnership(client, before) : undefined;
    if (upgraded) {
      run.writes++;
      before = upgraded;
    }
    run.held();
    const r = await client.applyDetailed(d);
    run.writes++;
    action = !before ? (r.created ? "created" : "configured") : before.metadata.resourceVersion === r.object.metadata.resourceVersion ? "unchanged" : "configured";
  }
  if (!dryRun) inv.set({ ...ref, hash, origin: who === "adopted" || who === "foreign" ? "adopted" : "created" });
  return action;
}

/** What the inventory lists and the spec no longer has, through the prune filters: dependents first, namespaces and CRDs last (so their contents are judged after what this prune deleted). */
async function pruneGone(run: Run, gone: readonly InventoryEntry[], inv: Inventory, pruned: Set<string>, ctx: PruneContext): Promise<void> {
  const { client, o, dryRun, results } = run;
  let done = 0;
  for (const { objects } of levels(gone).reverse()) {
    run.held();
    await pool(objects, run.concurrency, async (e: InventoryEntry) => {
      const ref: ObjectRef = { apiVersion: e.apiVersion, kind: e.kind, name: e.name, ...(e.namespace ? { namespace: e.namespace } : {}) };
      try {
        const cur = await client.get(ref).catch((err) => {
          if (err instanceof NotFound) return undefined; // its CRD is gone, so is it
          throw err;
        });
        if (!cur) {
          if (!dryRun) inv.delete(ref); // already gone: forget it
        } else {
          const v = await decidePrune({ entry: e, ref, live: cur }, ctx, o.pruneFilters ?? defaultPruneFilters);
          if (v.action === "prune") {
            if (!dryRun) {
              run.held();
              await client.delete(ref, { propagationPolicy: "Background", ...(cur.metadata.uid ? { uid: cur.metadata.uid } : {}) });
              run.writes++;
              inv.delete(ref);
            }
            pruned.add(refKey(ref));
            results.set(refKey(ref), { ref, action: "pruned" });
          } else {
            if (v.action === "release" && !dryRun) inv.delete(ref);
            results.set(refKey(ref), { ref, action: v.action === "release" ? "released" : "kept", reason: v.reason });
          }
        }
      } catch (err) {
        if (err instanceof LockLostError) throw err;
        results.set(refKey(ref), { ref, action: "failed", error: (err as Error).message });
      }
      run.progress({ phase: "prune", done: ++done, total: gone.length, ref });
    }, run.stop);
  }
}

export async function waitCrds(client: Client, crds: readonly KubeObject[], onPending: (n: number) => void, timeoutMs: number, stop: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let pending = [...crds];
  while (pending.length && !stop()) {
    const states = await Promise.all(pending.map(async (c) => ({ c, r: readiness((await client.get(refOf(c))) ?? c) })));
    const failedOne = states.find((s) => s.r.failed);
    if (failedOne) throw new UserError(`${refText(refOf(failedOne.c))}: ${failedOne.r.message}`, "fix the CustomResourceDefinition");
    pending = states.filter((s) => !s.r.ready).map((s) => s.c);
    onPending(pending.length);
    if (!pending.length) break;
    if (Date.now() > deadline) throw new UserError(`CustomResourceDefinitions not Established after ${timeoutMs / 1000} s: ${pending.map((c) => c.metadata.name).join(", ")}`, "check the API server's log");
    await sleep(200);
  }
  // Established comes a moment before discovery serves the new kinds: wait for those too
  const kinds = crds.flatMap((c) => {
    const spec = (c as { spec?: { group?: string; names?: { kind?: string }; versions?: { name: string; served?: boolean }[] } }).spec;
    return (spec?.versions ?? []).filter((v) => v.served !== false).map((v) => ({ apiVersion: `${spec?.group}/${v.name}`, kind: spec?.names?.kind ?? "" }));
  });
  for (;;) {
    const map = await client.discover(true);
    const missing = kinds.filter((k) => !map.get(k.apiVersion, k.kind));
    if (!missing.length || stop()) return;
    if (Date.now() > deadline) throw new NotFound(`the API server does not serve ${missing.map((k) => `${k.kind} (${k.apiVersion})`).join(", ")} ${timeoutMs / 1000} s after their CRDs were established`, "check the API server's log");
    await sleep(200);
  }
}

/** Polls the workloads (one LIST per kind) until all are ready, one failed for good, or the time is up. */
export async function waitReady(client: Client, objs: readonly KubeObject[], timeoutMs: number, progress: (p: ApplyProgress) => void, stop: () => boolean = () => false): Promise<{ ref: ObjectRef; message: string; failed: boolean }[]> {
  if (!objs.length) return [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const live = await liveObjects(client, objs);
    const states: { ref: ObjectRef; r: Readiness }[] = objs.map((d) => {
      const cur = live.get(refKey(refOf(d)));
      return { ref: refOf(d), r: cur ? readiness(cur) : { ready: false, message: "not found" } };
    });
    const pending = states.filter((s) => !s.r.ready);
    progress({ phase: "wait", ready: states.length - pending.length, total: states.length, pending: pending.slice(0, 5).map((s) => ({ ref: s.ref, message: s.r.message })) });
    const failed = pending.filter((s) => s.r.failed);
    if (!pending.length) return [];
    if (failed.length || Date.now() > deadline || stop()) return pending.map((s) => ({ ref: s.ref, message: s.r.message, failed: !!s.r.failed }));
    await sleep(500);
  }
}

export { versionOf, asStored };
