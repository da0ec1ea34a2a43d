// Volume snapshots, which VolSync copies through (restores always land via a VolumeSnapshot): the
// external-snapshotter controller and its CRDs (piraeus chart), and a default VolumeSnapshotClass per
// CSI driver the lab's storage classes use (node-local volumes have none: VolSync copies them directly).
import type { Lab, StorageClass } from "../../lab/types.js";
import { helmRelease, meta, type Component, type Obj } from "../flux/layout.js";
import { NAMESPACES } from "./contract.js";

const NS = NAMESPACES.kubeSystem;

function snapshotClass(c: StorageClass): Obj | undefined {
  const base = (driver: string, parameters: Record<string, string> = {}): Obj => ({
    apiVersion: "snapshot.storage.k8s.io/v1",
    kind: "VolumeSnapshotClass",
    metadata: meta(c.name, undefined, undefined, { "snapshot.storage.kubernetes.io/is-default-class": "true" }),
    driver,
    deletionPolicy: "Delete",
    ...(Object.keys(parameters).length ? { parameters } : {}),
  });
  const secretRefs = (): Record<string, string> => ({ "csi.storage.k8s.io/snapshotter-secret-name": `${c.name}-ceph`, "csi.storage.k8s.io/snapshotter-secret-namespace": NAMESPACES.storage });
  switch (c.spec.type) {
    case "nfs":
      return base("nfs.csi.k8s.io");
    case "iscsi":
      return base(`org.democratic-csi.${c.name}`);
    case "ceph-rbd":
      return base("rbd.csi.ceph.com", { clusterID: c.spec.clusterID, ...secretRefs() });
    case "cephfs":
      return base("cephfs.csi.ceph.com", { clusterID: c.spec.clusterID, ...secretRefs() });
    case "longhorn":
      return base("driver.longhorn.io", { type: "snap" });
    case "local":
      return undefined;
  }
}

export function snapshots(lab: Lab, deps: readonly string[]): Component | undefined {
  if (lab.backups.engine !== "volsync" || !lab.backups.targets.length || !lab.apps.some((a) => a.backup)) return undefined;
  // one default class per driver: the first storage class of each driver names it
  const byDriver = new Map<string, Obj>();
  for (const c of lab.storageClasses) {
    const k = snapshotClass(c);
    if (k && !byDriver.has(String(k.driver))) byDriver.set(String(k.driver), k);
  }
  return {
    name: "snapshots",
    namespace: NS,
    podSecurity: "privileged",
    dependsOn: deps,
    objects: [helmRelease("snapshot-controller", NS, "snapshot-controller", { controller: { replicaCount: 1 } })],
    config: [...byDriver.values()],
    charts: ["snapshot-controller"],
  };
}
