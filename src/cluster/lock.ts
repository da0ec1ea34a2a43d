// One apply at a time: a coordination.k8s.io Lease taken with optimistic concurrency (create, or
// update at a known resourceVersion), renewed while the apply runs, watched for a takeover, released
// at the end.
//
// Time is the API server's, never this machine's: the holder writes acquireTime/renewTime in the
// server's time (Client.serverNow, from the Date headers of its answers plus monotonic time elapsed
// since), and another apply decides that a lease expired by comparing renewTime with the Date of the
// very answer that showed it, with a margin for Date's whole seconds. A lease whose holder wrote
// times some other way (an older drover) is taken over only once this process has seen it unchanged
// for a whole lease duration on its own monotonic clock. A client whose wall clock is off by hours
// can neither steal a live lock nor lose its own.
//
// The holder identity is unique per process and machine: drover@<host>:<pid>/<scope>/<start>/<nonce>,
// where scope is a digest of the machine id, the boot id and the PID namespace, and start is the
// process's start time. A lock held by a dead process is taken over at once only when the scope is
// ours (same machine, same boot, same PID namespace) and that PID is gone or now belongs to a process
// started at another time; a holder on a machine (or in a container) that merely shares the host
// name waits for its lease to expire.
//
// The holder stops writing as soon as it cannot be sure it still holds the lease: `lost()` says why
// when the lease was taken or deleted (the watch or a renewal saw it), when a renewal failed, or when
// the last successful renewal is older than the lease duration minus a margin. The apply checks it
// before every write.
import { createHash, randomBytes } from "node:crypto";
import { readFileSync, readlinkSync } from "node:fs";
import { hostname } from "node:os";
import { Conflict, UserError } from "../errors.js";
import { ApiError, type Client } from "./client.js";
import type { KubeObject, ObjectRef } from "./objects.js";

export const SYSTEM_NAMESPACE = "drover-system";
export const LOCK_NAME = "drover-apply";

interface Lease extends KubeObject {
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string; leaseTransitions?: number };
}

export interface HeldLock {
  readonly holder: string;
  /** why writes must stop (the lease was taken, deleted, or could not be renewed in time); undefined while held */
  readonly lost: () => string | undefined;
  release(): Promise<void>;
}

export interface LockOptions {
  namespace?: string;
  name?: string;
  /** how long to wait for another holder (ms); 0 = refuse at once */
  waitMs?: number;
  leaseSeconds?: number;
  /** called while waiting, with the current holder */
  onWait?: (holder: string, since: string | undefined) => void;
  holder?: string;
}

/** How far a holder's renewTime may be off the server's time (Date has whole seconds; requests take time). */
const SKEW_MARGIN_MS = 2000;

/** Lease times are MicroTime: RFC 3339 with microseconds. */
const microTime = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const readText = (path: string): string | undefined => {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return undefined;
  }
};

/** A process's start time in clock ticks since boot (/proc/<pid>/stat field 22); undefined when there is no such process (or no /proc). */
export function processStart(pid: number | "self"): string | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return fields[19]; // field 22 overall; fields here start at field 3
}

let scope: string | undefined;
/**
 * This machine, boot and PID namespace, as 12 hex digits. Without /proc (not Linux) a random value:
 * then no other process is ever taken for a local one, and dead holders' leases simply expire.
 */
export function localScope(): string {
  if (scope) return scope;
  let pidns: string | undefined;
  try {
    pidns = readlinkSync("/proc/self/ns/pid");
  } catch {
    pidns = undefined;
  }
  const boot = readText("/proc/sys/kernel/random/boot_id");
  const machine = readText("/etc/machine-id") ?? readText("/var/lib/dbus/machine-id") ?? "";
  const seed = pidns && boot ? `${machine}|${boot}|${pidns}` : randomBytes(16).toString("hex");
  scope = createHash("sha256").update(seed).digest("hex").slice(0, 12);
  return scope;
}

let identity: string | undefined;
/** The holder identity of this process: drover@<host>:<pid>/<scope>/<start>/<nonce> (see the top of this file). */
export function holderIdentity(): string {
  identity ??= `drover@${hostname()}:${process.pid}/${localScope()}/${processStart("self") ?? "0"}/${randomBytes(4).toString("hex")}`;
  return identity;
}

const IDENTITY = /^drover@([^:/\s]+):(\d+)\/([0-9a-f]{12})\/(\d+)\/([0-9a-f]+)$/;

/** The holder is a process of this machine, boot and PID namespace that is no longer running. */
export function deadLocalHolder(holder: string): boolean {
  const m = IDENTITY.exec(holder);
  if (!m || m[3] !== localScope() || holder === holderIdentity()) return false;
  const start = processStart(Number(m[2]));
  return start === undefined || start !== m[4];
}

/** Whether the lease expired, by the server's time `serverNow` (ms) read from the answer that showed it. */
export function expiredAt(l: Lease, serverNow: number | undefined): boolean {
  const s = l.spec ?? {};
  if (!s.holderIdentity) return true;
  if (serverNow === undefined || !IDENTITY.test(s.holderIdentity)) return false; // no trusted times: only the observation rule
  const renewed = Date.parse(s.renewTime ?? s.acquireTime ?? "");
  if (Number.isNaN(renewed)) return true;
  return renewed + (s.leaseDurationSeconds ?? 15) * 1000 + SKEW_MARGIN_MS < serverNow;
}

export async function acquireLock(client: Client, o: LockOptions = {}): Promise<HeldLock> {
  const namespace = o.namespace ?? SYSTEM_NAMESPACE;
  const name = o.name ?? LOCK_NAME;
  const holder = o.holder ?? holderIdentity();
  const leaseSeconds = o.leaseSeconds ?? 15;
  const leaseMs = leaseSeconds * 1000;
  const ref: ObjectRef = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", name, namespace };
  const started = performance.now();
  const waitMs = o.waitMs ?? 0;
  if (!(await client.get({ apiVersion: "v1", kind: "Namespace", name: namespace }))) {
    await client.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace, labels: { "app.kubernetes.io/managed-by": "drover" } } });
  }
  const serverTime = (): number => {
    const t = client.serverNow();
    if (t === undefined) throw new UserError(`the API server at ${client.server} sends no Date header; drover cannot tell the time of its apply lock`, "use a Kubernetes API server (or a proxy that passes its Date header on)");
    return t;
  };
  // the observation rule: a lease seen unchanged (same resourceVersion) for a whole duration on this process's monotonic clock
  let seen: { rv: string | undefined; at: number } | undefined;
  let lease: Lease;
  let validFrom: number; // monotonic time at which the request that took or renewed the lease was sent
  for (;;) {
    const cur = await client.get<Lease>(ref);
    const sent = performance.now();
    try {
      if (!cur) {
        const now = microTime(serverTime());
        lease = await client.create<Lease>({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name, namespace }, spec: { holderIdentity: holder, leaseDurationSeconds: leaseSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 } });
        validFrom = sent;
        break;
      }
      if (seen?.rv !== cur.metadata.resourceVersion) seen = { rv: cur.metadata.resourceVersion, at: sent };
      const unchangedFor = sent - (seen?.at ?? sent);
      const other = cur.spec?.holderIdentity ?? "";
      if (other === holder || expiredAt(cur, client.serverNow()) || unchangedFor > (cur.spec?.leaseDurationSeconds ?? 15) * 1000 + SKEW_MARGIN_MS || deadLocalHolder(other)) {
        const now = microTime(serverTime());
        lease = await client.replace<Lease>({
          ...cur,
          spec: { ...cur.spec, holderIdentity: holder, leaseDurationSeconds: leaseSeconds, acquireTime: now, renewTime: now, leaseTransitions: (cur.spec?.leaseTransitions ?? 0) + (other === holder ? 0 : 1) },
        });
        validFrom = sent;
        break;
      }
    } catch (e) {
      if (e instanceof ApiError && (e.code === 409 || e.code === 404)) continue; // raced with another apply: look again
      throw e;
    }
    const other = cur.spec?.holderIdentity ?? "?";
    if (performance.now() - started >= waitMs) {
      throw new Conflict(
        `another drover apply is running against ${client.server} (${other}, since ${cur.spec?.acquireTime ?? "?"}); it holds the Lease ${namespace}/${name}`,
        `wait for it to finish, or pass --wait-lock 5m to queue behind it; a killed apply's lock expires ${cur.spec?.leaseDurationSeconds ?? leaseSeconds} s after its last renewal (by the API server's clock)`,
      );
    }
    o.onWait?.(other, cur.spec?.acquireTime);
    await sleep(Math.min(1000, Math.max(50, waitMs - (performance.now() - started))));
  }

  let lostReason: string | undefined;
  let current: Lease = lease;
  let released = false;
  const lose = (why: string) => {
    lostReason ??= why;
  };
  // held until this monotonic time: the lease duration after the last successful renewal was sent, less
  // a margin for the server-time estimate (the others wait SKEW_MARGIN_MS longer than the duration)
  let validUntil = validFrom + leaseMs - Math.min(1000, leaseMs / 4);
  let renewing: Promise<void> | undefined;
  const renew = async () => {
    const sent = performance.now();
    try {
      current = await client.replace<Lease>({ ...current, spec: { ...current.spec, renewTime: microTime(serverTime()) } });
      validUntil = sent + leaseMs - Math.min(1000, leaseMs / 4);
    } catch (e) {
      if (released) return;
      if (e instanceof ApiError && (e.code === 409 || e.code === 404)) {
        const now = await client.get<Lease>(ref).catch(() => undefined);
        if (now && now.spec?.holderIdentity === holder) {
          current = now; // someone else touched it (not the holder): renew from what is there at the next tick
          return;
        }
        lose(`the Lease ${namespace}/${name} was taken by ${now?.spec?.holderIdentity ?? "nobody (it was deleted)"}`);
        return;
      }
      lose(`renewing the Lease ${namespace}/${name} failed (${(e as Error).message})`);
    }
  };
  const timer = setInterval(() => {
    if (!renewing && !lostReason) renewing = renew().finally(() => (renewing = undefined));
  }, leaseMs / 3);
  timer.unref();

  // the watch: a takeover or deletion is seen the moment it happens, not at the next renewal
  const watching = new AbortController();
  const watch = async () => {
    let rv = current.metadata.resourceVersion;
    while (!released && !lostReason) {
      try {
        for await (const ev of client.watch<Lease>(ref.apiVersion, ref.kind, { namespace, fieldSelector: `metadata.name=${name}`, resourceVersion: rv, signal: watching.signal, timeoutSeconds: 300 })) {
          if (released) return;
          if (ev.type === "ERROR") break; // e.g. 410 Gone: watch again from the lease as it is now
          if (ev.type === "DELETED") lose(`the Lease ${namespace}/${name} was deleted`);
          else if ((ev.type === "MODIFIED" || ev.type === "ADDED") && ev.object.spec?.holderIdentity !== holder) lose(`the Lease ${namespace}/${name} was taken by ${ev.object.spec?.holderIdentity ?? "nobody"}`);
          if (ev.object.metadata?.resourceVersion) rv = ev.object.metadata.resourceVersion;
          if (lostReason) return;
        }
        const now = await client.get<Lease>(ref);
        if (released) return;
        if (!now) lose(`the Lease ${namespace}/${name} was deleted`);
        else if (now.spec?.holderIdentity !== holder) lose(`the Lease ${namespace}/${name} was taken by ${now.spec?.holderIdentity ?? "nobody"}`);
        else rv = now.metadata.resourceVersion;
      } catch {
        if (released || watching.signal.aborted) return;
        await sleep(500); // the renewals still guard the lease meanwhile
      }
    }
  };
  const watched = watch();

  return {
    holder,
    lost: () => {
      if (!lostReason && performance.now() > validUntil) lose(`the Lease ${namespace}/${name} was not renewed within ${leaseSeconds} s (is the API server slow or unreachable?)`);
      return lostReason;
    },
    release: async () => {
      released = true;
      clearInterval(timer);
      watching.abort();
      await renewing;
      await watched;
      if (lostReason) return;
      try {
        await client.delete(ref, { resourceVersion: current.metadata.resourceVersion });
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 409)) throw e;
      }
    },
  };
}
