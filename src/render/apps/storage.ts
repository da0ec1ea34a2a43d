// The app's PersistentVolumeClaims, one per catalog volume, on the app's storage class. An app that is
// backed up restores on rebuild: its claim is filled from the latest backup by VolSync's volume
// populator (dataSourceRef to the ReplicationDestination in backup.ts) when it is first created, or, on a
// class whose CSI driver takes no snapshots, by the ReplicationDestination writing into it (Direct).
// Claims hold the app's data: neither Flux nor `drover apply` prunes them (flux/keep.ts).
import type { App, Lab } from "../../lab/types.js";
import { appLabels, meta } from "./labels.js";
import { pvcName } from "./names.js";
import { memoryQuantity as sizeQuantity } from "./quantity.js";
import { restoreMethod, restoreSourceName } from "./backup.js";
import { KEEP } from "../flux/keep.js";

function claimSpec(lab: Lab, a: App, v: App["volumes"][number]): Record<string, unknown> {
  // the populator fills only from a VolumeSnapshot; a Direct restore writes into the claim itself
  const restore = a.backup && lab.backups.engine === "volsync" && lab.backups.targets.length > 0 && restoreMethod(lab, a) === "Snapshot";
  return {
    accessModes: ["ReadWriteOnce"],
    ...(a.storageClass ? { storageClassName: a.storageClass } : {}),
    resources: { requests: { storage: sizeQuantity(v.sizeBytes) } },
    ...(restore ? { dataSourceRef: { apiGroup: "volsync.backube", kind: "ReplicationDestination", name: restoreSourceName(a, v.name) } } : {}),
  };
}

/** The app's claims (none when every replica has its own: the StatefulSet makes them from claimTemplates). */
export function volumeClaims(lab: Lab, a: App): Record<string, unknown>[] {
  if (a.independentReplicas) return [];
  return a.volumes.map((v) => ({
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: meta(pvcName(a, v.name), a.namespace, appLabels(a), KEEP),
    spec: claimSpec(lab, a, v),
  }));
}

/**
 * The StatefulSet's claim templates of an app with independent replicas: replica n gets <volume>-<app>-n,
 * each filled from the latest backup on first creation like a single claim. The StatefulSet controller
 * creates them and keeps them (retention policy Retain): Flux never prunes them.
 */
export function claimTemplates(lab: Lab, a: App): Record<string, unknown>[] {
  if (!a.independentReplicas) return [];
  return a.volumes.map((v) => ({ metadata: { name: v.name, labels: appLabels(a) }, spec: claimSpec(lab, a, v) }));
}
