// The storage-driver table: one driver per storage class type of the schema, each answering the whole
// contract, and every chart a driver installs pinned.
import { test } from "node:test";
import assert from "node:assert/strict";
import { StorageClass } from "../spec/schema.js";
import { STORAGE_DRIVERS } from "./drivers.js";
import { restoreCopyMethod } from "./copy-method.js";
import { CHARTS } from "../render/flux/charts.js";
import { loadTestLab } from "../testing/apps-lab.js";
import { EVERY_STORAGE } from "../testing/platform-labs.js";

test("every storage class type of the schema has its driver in the table, under its own name", () => {
  const types = StorageClass.options.map((o) => o.shape.type.value).sort();
  assert.deepEqual(Object.keys(STORAGE_DRIVERS).sort(), types);
  for (const [name, d] of Object.entries(STORAGE_DRIVERS)) assert.equal(d.type, name);
});

test("each driver answers the contract for a class of its own, and every chart it installs is pinned", () => {
  const lab = loadTestLab(EVERY_STORAGE);
  for (const c of lab.storageClasses) {
    const d = STORAGE_DRIVERS[c.type] as unknown as (typeof STORAGE_DRIVERS)["nfs"];
    const cls = c as never;
    assert.ok(d.csiDriver(cls), c.name);
    assert.ok(d.accessModes.includes("ReadWriteOnce"), c.name);
    const install = d.install([cls], { namespace: "storage", distribution: "talos", classes: lab.storageClasses, external: (k) => `<${k}>` });
    for (const i of install.items) if (i.kind === "release") assert.ok(i.chart in CHARTS, `${c.type}: chart ${i.chart} has no pin`);
    assert.deepEqual(install.items.filter((i) => i.kind === "class").map((i) => i.name), [c.name]);
    // Snapshot copies need a VolumeSnapshotClass of the class's CSI driver; restores without one go Direct
    if (d.backupCopy === "Snapshot") assert.notEqual(d.snapshotClass(cls, "storage"), undefined, c.name);
    assert.equal(restoreCopyMethod(c), d.snapshotClass(cls, "storage") ? "Snapshot" : "Direct");
  }
  assert.deepEqual(Object.fromEntries(lab.storageClasses.map((c) => [c.type, restoreCopyMethod(c)])), { nfs: "Snapshot", iscsi: "Snapshot", "ceph-rbd": "Snapshot", cephfs: "Snapshot", longhorn: "Snapshot", local: "Direct" });
});
