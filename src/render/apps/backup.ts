// Backups of an app flagged `backup: true`, with the lab's engine:
//  - VolSync (default): per volume a restic ReplicationSource on the lab's schedule and retention, and a
//    ReplicationDestination the claim restores from when it is created (restore on rebuild). The restic
//    repository is <target>/<namespace>/<app>/<volume> (<namespace>/<claim> on the REST server); its password is generated per app, and on an S3
//    target the Secret carries the target's keys (the in-lab store's, or the ones the user stores); an NFS
//    target is reached through the lab's restic REST server (src/render/platform/restic-server.ts).
//  - Velero: one Schedule in the velero namespace selecting the app's objects and volumes.
import type { App, Lab } from "../../lab/types.js";
import { appLabels, meta } from "./labels.js";
import { pvcName } from "./names.js";
import type { LabSecrets } from "../../secrets/types.js";
import { backupTargetCredentials } from "../platform/backups.js";
import { secretSource } from "../platform/secrets.js";
import { RESTIC_SERVER_USER, resticServerPassword, resticServerUrl } from "../platform/restic-server.js";

export const resticSecretName = (a: App, volume: string): string => `${pvcName(a, volume)}-restic`;
export const restoreSourceName = (a: App, volume: string): string => `${pvcName(a, volume)}-restore`;

/** How VolSync takes a point-in-time copy on this storage class. */
export function copyMethod(lab: Lab, a: App): "Snapshot" | "Clone" | "Direct" {
  const type = lab.storageClasses.find((c) => c.name === a.storageClass)?.type;
  if (type === "ceph-rbd" || type === "cephfs" || type === "longhorn") return "Snapshot";
  if (type === "nfs" || type === "iscsi") return "Clone";
  return "Direct";
}

/** restic repository URL of a volume on the first backup target (an NFS share through the lab's restic REST server). */
export function resticRepository(lab: Lab, a: App, volume: string): string | undefined {
  const t = lab.backups.targets[0];
  if (!t) return undefined;
  if (t.type === "s3") return `s3:${(t.endpoint ?? "https://s3.amazonaws.com").replace(/\/$/, "")}/${t.bucket}/${a.namespace}/${a.name}/${volume}`;
  // rest-server takes repositories at most two folders deep
  return resticServerUrl(`${a.namespace}/${pvcName(a, volume)}`);
}

const ttlHours = (lab: Lab): string => `${Math.max(1, lab.backups.retention.daily) * 24}h0m0s`;

/** restic's credentials for the first backup target: an S3 target's keys and region, or the lab's REST server's user and password. */
export function resticTargetEnv(lab: Lab, secrets: LabSecrets): Record<string, string> {
  const t = lab.backups.targets[0];
  if (!t) return {};
  if (t.type === "nfs") return { RESTIC_REST_USERNAME: RESTIC_SERVER_USER, RESTIC_REST_PASSWORD: resticServerPassword(secretSource(secrets)) };
  const keys = backupTargetCredentials(lab, secretSource(secrets), t)!;
  return { AWS_ACCESS_KEY_ID: keys.accessKey, AWS_SECRET_ACCESS_KEY: keys.secretKey, ...(t.region ? { AWS_DEFAULT_REGION: t.region } : {}) };
}

export function backupObjects(lab: Lab, a: App, secretValue: (key: string) => string, targetEnv: Readonly<Record<string, string>> = {}): { objects: Record<string, unknown>[]; secrets: Record<string, unknown>[] } {
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
  const retain = { daily: lab.backups.retention.daily, weekly: lab.backups.retention.weekly, monthly: lab.backups.retention.monthly };
  const objects: Record<string, unknown>[] = [];
  const secrets: Record<string, unknown>[] = [];
  for (const v of a.volumes) {
    const repo = resticSecretName(a, v.name);
    secrets.push({
      apiVersion: "v1",
      kind: "Secret",
      metadata: meta(repo, a.namespace, labels),
      type: "Opaque",
      stringData: { RESTIC_REPOSITORY: resticRepository(lab, a, v.name)!, RESTIC_PASSWORD: secretValue("restic-password"), ...targetEnv },
    });
    objects.push({
      apiVersion: "volsync.backube/v1alpha1",
      kind: "ReplicationSource",
      metadata: meta(pvcName(a, v.name), a.namespace, labels),
      spec: {
        sourcePVC: pvcName(a, v.name),
        trigger: { schedule: lab.backups.schedule },
        restic: {
          repository: repo,
          copyMethod: method,
          pruneIntervalDays: 7,
          retain,
          ...(a.catalog.runAsUser !== undefined ? { moverSecurityContext: { runAsUser: a.catalog.runAsUser, runAsGroup: a.catalog.runAsUser, fsGroup: a.catalog.fsGroup ?? a.catalog.runAsUser } } : {}),
          ...(a.storageClass ? { storageClassName: a.storageClass } : {}),
        },
      },
    });
    objects.push({
      apiVersion: "volsync.backube/v1alpha1",
      kind: "ReplicationDestination",
      metadata: meta(restoreSourceName(a, v.name), a.namespace, labels),
      spec: {
        trigger: { manual: "restore-once" },
        restic: {
          repository: repo,
          copyMethod: "Snapshot",
          capacity: `${Math.ceil(v.sizeBytes / 2 ** 20)}Mi`,
          accessModes: ["ReadWriteOnce"],
          ...(a.storageClass ? { storageClassName: a.storageClass } : {}),
          ...(a.catalog.runAsUser !== undefined ? { moverSecurityContext: { runAsUser: a.catalog.runAsUser, runAsGroup: a.catalog.runAsUser, fsGroup: a.catalog.fsGroup ?? a.catalog.runAsUser } } : {}),
        },
      },
    });
  }
  return { objects, secrets };
}
