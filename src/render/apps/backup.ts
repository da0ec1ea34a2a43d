// Backups of an app flagged `backup: true`, with the lab's engine:
//  - VolSync (default): per volume and backup target a restic ReplicationSource on the lab's schedule and
//    retention (the first target's keeps the claim's name; the others add the target's), and a
//    ReplicationDestination from the first target the claim restores from when it is created (restore on
//    rebuild): through a VolumeSnapshot and VolSync's volume populator where the class's CSI driver takes
//    snapshots, else straight into the claim (copyMethod Direct, restoreMethod below). The restic repository is <bucket>/<namespace>/<app>/<volume> on S3 (with the target's keys:
//    the in-lab store's, or the ones the user stores), <namespace>/<claim> on an NFS target's restic REST
//    server (src/render/platform/restic-server.ts); its password is generated per app.
//  - Velero: one Schedule in the velero namespace selecting the app's objects and volumes.
import type { App, Lab } from "../../lab/types.js";
import { driverOf, restoreCopyMethod, type CopyMethod } from "../../storage/index.js";
import { appLabels, meta } from "./labels.js";
import { dataClaimName, pvcName } from "./names.js";
import type { LabSecrets } from "../../secrets/types.js";
import { backupTargetCredentials } from "../platform/backups.js";
import { secretSource } from "../platform/secrets.js";
import { RESTIC_SERVER_USER, resticServerPassword, resticServerUrl } from "../platform/restic-server.js";

type Target = Lab["backups"]["targets"][number];

/** What a name made for a target ends with: nothing for the first target (the restore source), "-<target>" for the others. */
const targetSuffix = (lab: Lab, t: Target): string => (t === lab.backups.targets[0] ? "" : `-${t.name}`);
/** The restic Secret of a volume's repository on a target (the first target's by default). */
export const resticSecretName = (lab: Lab, a: App, volume: string, t: Target = lab.backups.targets[0]!): string => `${pvcName(a, volume)}-restic${targetSuffix(lab, t)}`;
/** The ReplicationSource of a volume's backups to a target. */
export const backupSourceName = (lab: Lab, a: App, volume: string, t: Target): string => `${pvcName(a, volume)}${targetSuffix(lab, t)}`;
/** The mover's user and group: the app's own, so restored files keep their owner. */
export const moverSecurityContext = (a: App): Record<string, number> | undefined =>
  a.catalog.runAsUser !== undefined ? { runAsUser: a.catalog.runAsUser, runAsGroup: a.catalog.runAsUser, fsGroup: a.catalog.fsGroup ?? a.catalog.runAsUser } : undefined;
export const restoreSourceName = (a: App, volume: string): string => `${pvcName(a, volume)}-restore`;

/**
 * How the restore keeps what it restored, from the class's driver: Snapshot where the CSI driver takes
 * snapshots (a VolumeSnapshotClass is rendered for it), the only kind VolSync's volume populator fills a
 * new claim from (the claim's dataSourceRef names the ReplicationDestination); else Direct, straight into
 * the app's claim (destinationPVC), which then names no data source.
 */
export function restoreMethod(lab: Lab, a: App): "Snapshot" | "Direct" {
  const c = lab.storageClasses.find((x) => x.name === a.storageClass);
  return c ? restoreCopyMethod(c) : "Snapshot";
}

/** How VolSync takes a point-in-time copy for a backup on this storage class (its driver's answer). */
export function copyMethod(lab: Lab, a: App): CopyMethod {
  const c = lab.storageClasses.find((x) => x.name === a.storageClass);
  return c ? driverOf(c).backupCopy : "Direct";
}

/** restic repository URL of a volume on a backup target (an NFS share through its restic REST server). */
export function resticRepository(a: App, volume: string, t: Target): string {
  if (t.type === "s3") return `s3:${(t.endpoint ?? "https://s3.amazonaws.com").replace(/\/$/, "")}/${t.bucket}/${a.namespace}/${a.name}/${volume}`;
  // rest-server takes repositories at most two folders deep
  return resticServerUrl(t.name, `${a.namespace}/${pvcName(a, volume)}`);
}

const ttlHours = (lab: Lab): string => `${Math.max(1, lab.backups.retention.daily) * 24}h0m0s`;

/** restic's credentials per backup target (by name): an S3 target's keys and region, or the REST servers' user and password. */
export function resticTargetEnv(lab: Lab, secrets: LabSecrets): ReadonlyMap<string, Readonly<Record<string, string>>> {
  const s = secretSource(secrets);
  return new Map(lab.backups.targets.map((t): [string, Record<string, string>] => {
    if (t.type === "nfs") return [t.name, { RESTIC_REST_USERNAME: RESTIC_SERVER_USER, RESTIC_REST_PASSWORD: resticServerPassword(s) }];
    const keys = backupTargetCredentials(lab, s, t)!;
    return [t.name, { AWS_ACCESS_KEY_ID: keys.accessKey, AWS_SECRET_ACCESS_KEY: keys.secretKey, ...(t.region ? { AWS_DEFAULT_REGION: t.region } : {}) }];
  }));
}

export function backupObjects(lab: Lab, a: App, secretValue: (key: string) => string, targetEnv: ReadonlyMap<string, Readonly<Record<string, string>>> = new Map()): { objects: Record<string, unknown>[]; secrets: Record<string, unknown>[] } {
  if (!a.backup || !a.volumes.length || !lab.backups.targets.length) return { objects: [], secrets: [] };
  const labels = appLabels(a);
  if (lab.backups.engine === "velero") {
    return {
      objects: [{
        apiVersion: "velero.io/v1",
        kind: "Schedule",
        metadata: meta(`${a.namespace}-${a.name}`, "velero", labels),
        spec: {
          schedule: lab.backups.schedule,
          template: {
            includedNamespaces: [a.namespace],
            labelSelector: { matchLabels: { "app.kubernetes.io/instance": a.name } },
            snapshotMoveData: true,
            ttl: ttlHours(lab),
          },
        },
      }],
      secrets: [],
    };
  }
  const method = copyMethod(lab, a);
  const restore = restoreMethod(lab, a);
  const retain = { daily: lab.backups.retention.daily, weekly: lab.backups.retention.weekly, monthly: lab.backups.retention.monthly };
  const objects: Record<string, unknown>[] = [];
  const secrets: Record<string, unknown>[] = [];
  for (const v of a.volumes) {
    for (const t of lab.backups.targets) {
      const repo = resticSecretName(lab, a, v.name, t);
      secrets.push({
        apiVersion: "v1",
        kind: "Secret",
        metadata: meta(repo, a.namespace, labels),
        type: "Opaque",
        stringData: { RESTIC_REPOSITORY: resticRepository(a, v.name, t), RESTIC_PASSWORD: secretValue("restic-password"), ...targetEnv.get(t.name) },
      });
      objects.push({
        apiVersion: "volsync.backube/v1alpha1",
        kind: "ReplicationSource",
        metadata: meta(backupSourceName(lab, a, v.name, t), a.namespace, labels),
        spec: {
          // replicas with their own volumes hold the same: the first one's is backed up
          sourcePVC: dataClaimName(a, v.name),
          trigger: { schedule: lab.backups.schedule },
          restic: {
            repository: repo,
            copyMethod: method,
            pruneIntervalDays: 7,
            retain,
            ...(moverSecurityContext(a) ? { moverSecurityContext: moverSecurityContext(a) } : {}),
            ...(a.storageClass ? { storageClassName: a.storageClass } : {}),
          },
        },
      });
    }
    objects.push({
      apiVersion: "volsync.backube/v1alpha1",
      kind: "ReplicationDestination",
      metadata: meta(restoreSourceName(a, v.name), a.namespace, labels),
      spec: {
        trigger: { manual: "restore-once" },
        restic: {
          repository: resticSecretName(lab, a, v.name),
          ...(restore === "Snapshot"
            ? { copyMethod: "Snapshot", capacity: `${Math.ceil(v.sizeBytes / 2 ** 20)}Mi`, accessModes: ["ReadWriteOnce"], ...(a.storageClass ? { storageClassName: a.storageClass } : {}) }
            : { copyMethod: "Direct", destinationPVC: dataClaimName(a, v.name) }),
          ...(moverSecurityContext(a) ? { moverSecurityContext: moverSecurityContext(a) } : {}),
        },
      },
    });
  }
  return { objects, secrets };
}
