// One apply at a time: a coordination.k8s.io Lease taken with optimistic concurrency (create, or
// update at a known resourceVersion), renewed while the apply runs, released at the end. A lock whose
// holder stopped renewing (killed) expires; one held by a dead process on this machine is taken over
// at once.
import { hostname } from "node:os";
import { UserError } from "../errors.js";
import { ApiError, type Client } from "./client.js";
import type { KubeObject } from "./objects.js";

export const SYSTEM_NAMESPACE = "drover-system";
export const LOCK_NAME = "drover-apply";

interface Lease extends KubeObject {
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string; leaseTransitions?: number };
}

export interface HeldLock {
  readonly holder: string;
  /** set when the lease was lost (another holder took it after it expired); the apply must stop */
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

/** Lease times are MicroTime: RFC 3339 with microseconds. */
const microTime = (d: Date): string => d.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The holder identity of this process: drover@host:pid. */
export function holderIdentity(): string {
  return `drover@${hostname()}:${process.pid}`;
}

function deadLocalHolder(holder: string): boolean {
  const m = /^drover@(.+):(\d+)$/.exec(holder);
  if (!m || m[1] !== hostname()) return false;
  if (Number(m[2]) === process.pid) return false;
  try {
    process.kill(Number(m[2]), 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
}

function expired(l: Lease, now: number): boolean {
  const s = l.spec ?? {};
  if (!s.holderIdentity) return true;
  const renewed = Date.parse(s.renewTime ?? s.acquireTime ?? "");
  if (Number.isNaN(renewed)) return true;
  return renewed + (s.leaseDurationSeconds ?? 15) * 1000 < now;
}

export async function acquireLock(client: Client, o: LockOptions = {}): Promise<HeldLock> {
  const namespace = o.namespace ?? SYSTEM_NAMESPACE;
  const name = o.name ?? LOCK_NAME;
  const holder = o.holder ?? holderIdentity();
  const leaseSeconds = o.leaseSeconds ?? 15;
  const ref = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", name, namespace };
  const deadline = Date.now() + (o.waitMs ?? 0);
  if (!(await client.get({ apiVersion: "v1", kind: "Namespace", name: namespace }))) {
    await client.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace, labels: { "app.kubernetes.io/managed-by": "drover" } } });
  }
  let lease: Lease | undefined;
  for (;;) {
    const now = new Date();
    const cur = await client.get<Lease>(ref);
    try {
      if (!cur) {
        lease = await client.create<Lease>({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name, namespace }, spec: { holderIdentity: holder, leaseDurationSeconds: leaseSeconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 } });
        break;
      }
      if (cur.spec?.holderIdentity === holder || expired(cur, now.getTime()) || deadLocalHolder(cur.spec?.holderIdentity ?? "")) {
        lease = await client.replace<Lease>({
          ...cur,
          spec: { ...cur.spec, holderIdentity: holder, leaseDurationSeconds: leaseSeconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: (cur.spec?.leaseTransitions ?? 0) + 1 },
        });
        break;
      }
    } catch (e) {
      if (e instanceof ApiError && (e.code === 409 || e.code === 404)) continue; // raced with another apply: look again
      throw e;
    }
    const other = cur.spec?.holderIdentity ?? "?";
    if (Date.now() >= deadline) {
      throw new UserError(
        `another drover apply is running against ${client.server} (${other}, since ${cur.spec?.acquireTime ?? "?"}); it holds the Lease ${namespace}/${name}`,
        `wait for it to finish, or pass --wait-lock 5m to queue behind it; a killed apply's lock expires ${leaseSeconds} s after its last renewal`,
      );
    }
    o.onWait?.(other, cur.spec?.acquireTime);
    await sleep(Math.min(1000, Math.max(50, deadline - Date.now())));
  }

  let lostReason: string | undefined;
  let current: Lease = lease;
  let renewing: Promise<void> | undefined;
  const renew = async () => {
    try {
      current = await client.replace<Lease>({ ...current, spec: { ...current.spec, renewTime: microTime(new Date()) } });
    } catch (e) {
      if (e instanceof ApiError && (e.code === 409 || e.code === 404)) {
        const now = await client.get<Lease>(ref).catch(() => undefined);
        if (now && now.spec?.holderIdentity === holder) current = now;
        else lostReason = `the Lease ${namespace}/${name} was taken by ${now?.spec?.holderIdentity ?? "nobody (deleted)"}`;
      }
      // a network blip: try again at the next tick; the lease outlives two missed renewals
    }
  };
  const timer = setInterval(() => {
    if (!renewing && !lostReason) renewing = renew().finally(() => (renewing = undefined));
  }, (leaseSeconds * 1000) / 3);
  timer.unref();
  return {
    holder,
    lost: () => lostReason,
    release: async () => {
      clearInterval(timer);
      await renewing;
      if (lostReason) return;
      try {
        await client.delete(ref, { resourceVersion: current.metadata.resourceVersion });
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 409)) throw e;
      }
    },
  };
}
