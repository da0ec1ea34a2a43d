// VolSync on the live cluster: what the ReplicationSources say of the last backups, a restore into an
// app's claim through a ReplicationDestination of Drover's own (copyMethod Direct, restoreAsOf, a new
// manual trigger), and the app's workloads scaled down and up around it (with the Flux Kustomization
// that applied them suspended meanwhile, so it does not scale them back up half-way).
import type { Client } from "./client.js";
import type { KubeObject, ObjectRef } from "./objects.js";
import { NotFound, UserError } from "../errors.js";

export const VOLSYNC = "volsync.backube/v1alpha1";
const INSTANCE = "app.kubernetes.io/instance";
const FLUX_KUSTOMIZATION = "kustomize.toolkit.fluxcd.io/v1";

interface MoverStatus { result?: string; logs?: string }
interface VolSyncStatus {
  lastSyncTime?: string;
  lastSyncDuration?: string;
  nextSyncTime?: string;
  lastManualSync?: string;
  latestMoverStatus?: MoverStatus;
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
}
type VolSyncObject = KubeObject & { spec?: Record<string, unknown>; status?: VolSyncStatus };

/** One ReplicationSource's last backup, as VolSync reports it. */
export interface BackupRecord {
  readonly namespace: string;
  readonly name: string;
  /** the app instance (its label), or undefined for a source Drover did not render */
  readonly app: string | undefined;
  readonly claim: string;
  readonly repository: string;
  readonly schedule: string | undefined;
  /** RFC 3339; undefined before the first backup */
  readonly lastBackup: string | undefined;
  readonly duration: string | undefined;
  /** VolSync's mover result of the last run: Successful, Failed (undefined before the first) */
  readonly result: string | undefined;
  readonly nextBackup: string | undefined;
  /** the Synchronizing condition's message, when it has one */
  readonly message: string | undefined;
}

async function served(client: Client, kind: string): Promise<void> {
  try {
    await client.resource(VOLSYNC, kind);
  } catch (e) {
    if (e instanceof NotFound) {
      throw new UserError(`the cluster does not serve VolSync's ${kind} (${VOLSYNC})`, "backups run through VolSync: render the lab with backups and let Flux (or drover apply) install the backups component first");
    }
    throw e;
  }
}

/** Every ReplicationSource of the cluster (or of one namespace), sorted by namespace and name. */
export async function backupRecords(client: Client, o: { namespace?: string } = {}): Promise<BackupRecord[]> {
  await served(client, "ReplicationSource");
  const list = await client.list<VolSyncObject>(VOLSYNC, "ReplicationSource", o.namespace ? { namespace: o.namespace } : {});
  return list.items
    .map((rs): BackupRecord => {
      const spec = rs.spec ?? {};
      const st = rs.status ?? {};
      const restic = (spec.restic ?? {}) as { repository?: string };
      const sync = st.conditions?.find((c) => c.type === "Synchronizing");
      return {
        namespace: rs.metadata.namespace ?? "",
        name: rs.metadata.name ?? "",
        app: rs.metadata.labels?.[INSTANCE],
        claim: String(spec.sourcePVC ?? ""),
        repository: restic.repository ?? "",
        schedule: (spec.trigger as { schedule?: string } | undefined)?.schedule,
        lastBackup: st.lastSyncTime,
        duration: st.lastSyncDuration,
        result: st.latestMoverStatus?.result,
        nextBackup: st.nextSyncTime,
        message: sync?.message || undefined,
      };
    })
    .sort((a, b) => (a.namespace === b.namespace ? (a.name < b.name ? -1 : 1) : a.namespace < b.namespace ? -1 : 1));
}

/** A restore of one claim from its restic repository, straight into the claim. */
export interface RestoreRequest {
  readonly namespace: string;
  /** the ReplicationDestination's name (Drover's own, not the one Flux applies) */
  readonly name: string;
  readonly claim: string;
  /** the restic Secret */
  readonly repository: string;
  /** RFC 3339 with a T: only backups taken at or before it count; undefined = the latest */
  readonly restoreAsOf: string | undefined;
  /** a new value of spec.trigger.manual: VolSync restores once when it differs from status.lastManualSync */
  readonly trigger: string;
  readonly moverSecurityContext?: Record<string, unknown>;
  readonly labels: Readonly<Record<string, string>>;
}

export function restoreDestination(r: RestoreRequest): KubeObject {
  return {
    apiVersion: VOLSYNC,
    kind: "ReplicationDestination",
    metadata: { name: r.name, namespace: r.namespace, labels: { ...r.labels } },
    spec: {
      trigger: { manual: r.trigger },
      restic: {
        repository: r.repository,
        copyMethod: "Direct",
        destinationPVC: r.claim,
        // the claim ends up as the backup was: files made since are deleted (restic restore --delete)
        enableFileDeletion: true,
        cleanupCachePVC: true,
        ...(r.restoreAsOf ? { restoreAsOf: r.restoreAsOf } : {}),
        ...(r.moverSecurityContext ? { moverSecurityContext: r.moverSecurityContext } : {}),
      },
    },
  };
}

/** Creates or updates the ReplicationDestination (server-side apply: restoreAsOf is dropped when not asked for). */
export async function startRestore(client: Client, r: RestoreRequest): Promise<void> {
  await served(client, "ReplicationDestination");
  await client.apply(restoreDestination(r));
}

export interface RestoreOutcome {
  readonly result: string;
  readonly finished: string | undefined;
  readonly logs: string | undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until VolSync has run the restore of this trigger (status.lastManualSync), and says how it ended. */
export async function waitRestore(client: Client, ref: { namespace: string; name: string }, trigger: string, o: { timeoutMs: number; pollMs?: number; signal?: AbortSignal }): Promise<RestoreOutcome> {
  const deadline = Date.now() + o.timeoutMs;
  const full: ObjectRef = { apiVersion: VOLSYNC, kind: "ReplicationDestination", namespace: ref.namespace, name: ref.name };
  for (;;) {
    const rd = await client.get<VolSyncObject>(full);
    const st = rd?.status;
    if (st?.lastManualSync === trigger) return { result: st.latestMoverStatus?.result ?? "Unknown", finished: st.lastSyncTime, logs: st.latestMoverStatus?.logs };
    if (o.signal?.aborted) throw new UserError(`stopped while waiting for the restore ${ref.namespace}/${ref.name}`, "run drover restore again: it starts a new restore");
    if (Date.now() > deadline) throw new UserError(`the restore ${ref.namespace}/${ref.name} did not finish in time`, `see kubectl -n ${ref.namespace} describe replicationdestination ${ref.name} and the volsync-dst-${ref.name} Job's logs; raise --timeout`);
    await sleep(o.pollMs ?? 1000);
  }
}

/** A Deployment or StatefulSet of an app, with its replicas before scaling down. */
export interface AppWorkload {
  readonly ref: ObjectRef;
  readonly replicas: number;
  /** the Flux Kustomization that applied it (its labels), if any */
  readonly kustomization: { readonly namespace: string; readonly name: string } | undefined;
}

type Workload = KubeObject & { spec?: { replicas?: number } };

/** The app's own Deployments and StatefulSets (its instance label). */
export async function appWorkloads(client: Client, namespace: string, app: string): Promise<AppWorkload[]> {
  const out: AppWorkload[] = [];
  for (const kind of ["Deployment", "StatefulSet"]) {
    const list = await client.list<Workload>("apps/v1", kind, { namespace, labelSelector: `${INSTANCE}=${app}` });
    for (const w of list.items) {
      const l = w.metadata.labels ?? {};
      const kName = l["kustomize.toolkit.fluxcd.io/name"], kNs = l["kustomize.toolkit.fluxcd.io/namespace"];
      out.push({
        ref: { apiVersion: "apps/v1", kind, namespace, name: w.metadata.name ?? "" },
        replicas: w.spec?.replicas ?? 1,
        kustomization: kName && kNs ? { namespace: kNs, name: kName } : undefined,
      });
    }
  }
  return out;
}

export async function scaleWorkload(client: Client, ref: ObjectRef, replicas: number): Promise<void> {
  await client.patch(ref, { spec: { replicas } }, "merge");
}

/** Suspends (or resumes) a Flux Kustomization; says whether it was suspended before (undefined: the cluster has none such). */
export async function suspendKustomization(client: Client, k: { namespace: string; name: string }, suspend: boolean): Promise<boolean | undefined> {
  const ref: ObjectRef = { apiVersion: FLUX_KUSTOMIZATION, kind: "Kustomization", namespace: k.namespace, name: k.name };
  let current: (KubeObject & { spec?: { suspend?: boolean } }) | undefined;
  try {
    current = await client.get(ref);
  } catch (e) {
    if (e instanceof NotFound) return undefined; // Flux is not installed
    throw e;
  }
  if (!current) return undefined;
  const was = current.spec?.suspend === true;
  if (was !== suspend) await client.patch(ref, { spec: { suspend } }, "merge");
  return was;
}

/** Waits until no pod of the app is left (their volumes are released). */
export async function waitAppStopped(client: Client, namespace: string, app: string, o: { timeoutMs: number; pollMs?: number }): Promise<void> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    const pods = await client.list("v1", "Pod", { namespace, labelSelector: `${INSTANCE}=${app}` });
    if (!pods.items.length) return;
    if (Date.now() > deadline) throw new UserError(`${pods.items.length} pod(s) of ${app} in ${namespace} are still there`, `see kubectl -n ${namespace} get pods -l ${INSTANCE}=${app}; raise --timeout`);
    await sleep(o.pollMs ?? 500);
  }
}
