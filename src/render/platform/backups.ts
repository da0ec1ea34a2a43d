// The backup engine behind apps flagged `backup`: VolSync (restic per volume, restore on rebuild by a
// ReplicationDestination the claim is populated from; see src/render/apps/backup.ts) or Velero (one
// BackupStorageLocation per S3 target, file-system backups of the volumes by the node agent).
import type { Lab } from "../../lab/types.js";
import { imageRef } from "../../versions/defaults.js";
import { helmRelease, secret, type Component, type Obj } from "../flux/layout.js";
import { NAMESPACES } from "./contract.js";
import type { SecretSource } from "./secrets.js";
import { objectStoreEndpoint, s3AdminKeys } from "./object-store.js";
import { resticServer, resticServerAuth } from "./restic-server.js";

type Target = Lab["backups"]["targets"][number];

/**
 * The S3 keys of a backup target: the in-lab store's generated admin keys when the target is the lab's
 * own SeaweedFS, else the keys the user puts in the store (apps._external.backup-<target>-access-key /
 * -secret-key). For VolSync's restic Secrets (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) and Velero.
 */
export function backupTargetCredentials(lab: Lab, s: SecretSource, t: Target): { accessKey: string; secretKey: string } | undefined {
  if (t.type !== "s3") return undefined;
  const inLab = lab.storage.objectStore && !lab.storage.objectStore.endpoint && t.endpoint?.replace(/\/$/, "") === objectStoreEndpoint(lab);
  if (inLab) return s3AdminKeys(s);
  return {
    accessKey: s.external(`backup-${t.name}-access-key`, `S3 access key for backup target ${t.name}`),
    secretKey: s.external(`backup-${t.name}-secret-key`, `S3 secret key for backup target ${t.name}`),
  };
}


export function veleroValues(lab: Lab): Obj {
  const s3 = lab.backups.targets.filter((t) => t.type === "s3");
  return {
    initContainers: [{ name: "velero-plugin-for-aws", image: imageRef(lab.versions.images["velero-plugin-for-aws"]), imagePullPolicy: "IfNotPresent", volumeMounts: [{ mountPath: "/target", name: "plugins" }] }],
    credentials: { useSecret: true, existingSecret: "velero-credentials" },
    deployNodeAgent: true,
    snapshotsEnabled: false,
    configuration: {
      defaultVolumesToFsBackup: true,
      backupStorageLocation: s3.map((t, i) => ({
        name: t.name,
        provider: "aws",
        bucket: t.bucket,
        default: i === 0,
        credential: { name: "velero-credentials", key: `cloud-${t.name}` },
        config: { region: t.region ?? "us-east-1", s3ForcePathStyle: "true", ...(t.endpoint ? { s3Url: t.endpoint } : {}) },
      })),
      volumeSnapshotLocation: [],
    },
  };
}

export function backups(lab: Lab, s: SecretSource, deps: readonly string[]): Component | undefined {
  const flagged = lab.apps.some((a) => a.backup);
  if (!lab.backups.targets.length || !flagged) return undefined;
  if (lab.backups.engine === "volsync") {
    const ns = NAMESPACES.backup;
    // the apps' restic Secrets carry each S3 target's keys: ask for them here too, so the bootstrap
    // README lists the ones the store lacks; an NFS share reaches restic through a REST server
    // (restic-server.ts)
    const server = { objects: [] as Obj[], secrets: [] as Obj[] };
    for (const t of lab.backups.targets) {
      if (t.type === "s3") backupTargetCredentials(lab, s, t);
      else server.objects.push(...resticServer(t, lab.versions));
    }
    if (server.objects.length) server.secrets.push(resticServerAuth(s));
    return {
      name: "backups",
      namespace: ns,
      podSecurity: "restricted",
      dependsOn: deps,
      objects: [helmRelease("volsync", ns, lab.versions.charts["volsync"], { manageCRDs: true, metrics: { disableAuth: true } }), ...server.objects],
      ...(server.secrets.length ? { secrets: server.secrets } : {}),
      charts: ["volsync"],
    };
  }
  const ns = NAMESPACES.velero;
  const creds: Record<string, string> = {};
  for (const t of lab.backups.targets.filter((x) => x.type === "s3")) {
    const k = backupTargetCredentials(lab, s, t)!;
    const ini = `[default]\naws_access_key_id=${k.accessKey}\naws_secret_access_key=${k.secretKey}\n`;
    creds[`cloud-${t.name}`] = ini;
    if (!creds.cloud) creds.cloud = ini;
  }
  return {
    name: "backups",
    namespace: ns,
    podSecurity: "privileged",
    dependsOn: deps,
    objects: [helmRelease("velero", ns, lab.versions.charts["velero"], veleroValues(lab))],
    secrets: [secret("velero-credentials", ns, creds)],
    charts: ["velero"],
  };
}
