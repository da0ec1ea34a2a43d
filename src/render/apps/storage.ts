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

export function volumeClaims(lab: Lab, a: App): Record<string, unknown>[] {
  // the populator fills only from a VolumeSnapshot; a Direct restore writes into the claim itself
  const restore = a.backup && lab.backups.engine === "volsync" && lab.backups.targets.length > 0 && restoreMethod(lab, a) === "Snapshot";
  return a.volumes.map((v) => ({
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: meta(pvcName(a, v.name), a.namespace, appLabels(a), KEEP),
    spec: {
      accessModes: ["ReadWriteOnce"],
      ...(a.storageClass ? { storageClassName: a.storageClass } : {}),
      resources: { requests: { storage: sizeQuantity(v.sizeBytes) } },
      ...(restore ? { dataSourceRef: { apiGroup: "volsync.backube", kind: "ReplicationDestination", name: restoreSourceName(a, v.name) } } : {}),
    },
  }));
}
