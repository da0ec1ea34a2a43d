// Volume snapshots, which VolSync copies through where a class's CSI driver takes them: the
// external-snapshotter controller and its CRDs (piraeus chart), and a default VolumeSnapshotClass per
// CSI driver that takes snapshots (the driver's answer, src/storage; node-local volumes have none:
// VolSync copies them directly).
import type { Lab } from "../../lab/types.js";
import { helmRelease, meta, type Component, type Obj } from "../flux/layout.js";
import { NAMESPACES } from "./contract.js";
import { driverOf } from "../../storage/index.js";

const NS = NAMESPACES.kubeSystem;

/** The default VolumeSnapshotClass of each CSI driver the lab's classes use that takes snapshots: the first class of each driver names it. */
export function snapshotClasses(lab: Lab): Obj[] {
  const byDriver = new Map<string, Obj>();
  for (const c of lab.storageClasses) {
    const d = driverOf(c);
    const parameters = d.snapshotClass(c, NAMESPACES.storage);
    const driver = d.csiDriver(c);
    if (!parameters || byDriver.has(driver)) continue;
    byDriver.set(driver, {
      apiVersion: "snapshot.storage.k8s.io/v1",
      kind: "VolumeSnapshotClass",
      metadata: meta(c.name, undefined, undefined, { "snapshot.storage.kubernetes.io/is-default-class": "true" }),
      driver,
      deletionPolicy: "Delete",
      ...(Object.keys(parameters).length ? { parameters } : {}),
    });
  }
  return [...byDriver.values()];
}

export function snapshots(lab: Lab, deps: readonly string[]): Component | undefined {
  if (lab.backups.engine !== "volsync" || !lab.backups.targets.length || !lab.apps.some((a) => a.backup)) return undefined;
  return {
    name: "snapshots",
    namespace: NS,
    podSecurity: "privileged",
    dependsOn: deps,
    objects: [helmRelease("snapshot-controller", NS, lab.versions.charts["snapshot-controller"], { controller: { replicaCount: 1 } })],
    config: snapshotClasses(lab),
    charts: ["snapshot-controller"],
  };
}
