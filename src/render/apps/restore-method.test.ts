// Restore proven, per storage driver (issue 16 item 4): an app backed up on a class of each driver gets a
// ReplicationDestination whose copy method its class supports — Snapshot only where a VolumeSnapshotClass
// of the class's CSI driver is rendered (then the claim is filled by VolSync's volume populator through
// dataSourceRef), else Direct into the claim itself (which then names no data source) — and every object
// involved passes kubeconform -strict against VolSync's, the snapshotter's and Kubernetes' own schemas.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { loadTestLab, testSecrets } from "../../testing/apps-lab.js";
import { describeProblems, kubeconformTree } from "../../testing/kubeconform.js";
import { platformData } from "../../testing/paths.js";
import { renderLab } from "../index.js";
import { STORAGE_DRIVERS } from "../../storage/index.js";
import type { FileTree } from "../tree.js";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const CLASS: Record<string, string> = {
  nfs: "{ name: c, type: nfs, server: 10.20.0.2, path: /export/k8s }",
  iscsi: "{ name: c, type: iscsi, portal: 10.20.0.3 }",
  "ceph-rbd": "{ name: c, type: ceph-rbd, clusterID: c1, monitors: [\"10.20.0.4:6789\"], pool: k8s }",
  cephfs: "{ name: c, type: cephfs, clusterID: c1, monitors: [\"10.20.0.4:6789\"], fsName: cephfs }",
  longhorn: "{ name: c, type: longhorn }",
  local: "{ name: c, type: local }",
};

const labFor = (type: string) => loadTestLab(`apiVersion: drover.dev/v1alpha1
kind: Lab
cluster: { name: rs, endpoint: { address: 10.20.0.5 }, domains: { private: rs.internal } }
sites: [{ name: home, lan: 10.20.0.0/16, gateway: 10.20.0.1 }]
hosts:
  - { name: a1, site: home, arch: amd64, cpu: 8, memory: 32Gi, disks: [{ device: /dev/nvme0n1, size: 512Gi, use: system }] }
nodes: [{ name: cp1, host: a1, role: controlplane, address: 10.20.0.11 }]
network: { loadBalancer: { pool: 10.20.200.1-10.20.200.40 }, dns: { public: none, private: none } }
storage: { classes: [${CLASS[type]}] }
identity: { provider: none }
monitoring: { enabled: false }
apps: [{ name: vaultwarden, exposure: private, backup: true }]
backups: { targets: [{ name: b2, type: s3, endpoint: "https://s3.us-west-000.backblazeb2.com", bucket: rs-backups }] }
`);

function crdFiles(): string[] {
  const root = platformData("crds");
  return readdirSync(root).filter((d) => !d.startsWith(".")).flatMap((d) => readdirSync(join(root, d)).filter((f) => f.endsWith(".yaml")).map((f) => join(root, d, f))).sort();
}

const docs = (t: FileTree, path: string): Obj[] => parseAllDocuments(t.get(path)?.content ?? "").map((d) => d.toJS() as Obj).filter(Boolean);
const allDocs = (t: FileTree): Obj[] => [...t].filter(([p]) => p.startsWith("kubernetes/") && p.endsWith(".yaml")).flatMap(([p]) => docs(t, p));

test("the table covers every driver this test renders", () => {
  assert.deepEqual(Object.keys(CLASS).sort(), Object.keys(STORAGE_DRIVERS).sort());
});

for (const type of Object.keys(CLASS)) {
  test(`${type}: the restore's copy method is one the class supports, the claim's data source agrees, kubeconform -strict passes`, () => {
    const lab = labFor(type);
    const t = renderLab(lab, testSecrets(lab));
    const driver = STORAGE_DRIVERS[type as keyof typeof STORAGE_DRIVERS] as unknown as (typeof STORAGE_DRIVERS)["nfs"];
    const cls = lab.storageClasses[0]! as never;
    const csi = driver.csiDriver(cls);
    const snapshotClasses = allDocs(t).filter((o) => o.kind === "VolumeSnapshotClass");
    const backup = docs(t, "kubernetes/apps/security/vaultwarden/backup.yaml");
    const rd = backup.find((o) => o.kind === "ReplicationDestination")!;
    const rs = backup.find((o) => o.kind === "ReplicationSource")!;
    const pvc = docs(t, "kubernetes/apps/security/vaultwarden/pvc.yaml")[0]!;
    assert.ok(rd && rs && pvc, "the app's backup objects and claim are rendered");
    assert.equal(rs.spec.restic.copyMethod, driver.backupCopy);
    if (driver.snapshotClass(cls, "storage")) {
      // Snapshot: a default VolumeSnapshotClass for this CSI driver exists, and the populator fills the claim
      assert.deepEqual(snapshotClasses.filter((s) => s.driver === csi).map((s) => s.metadata.annotations["snapshot.storage.kubernetes.io/is-default-class"]), ["true"]);
      assert.equal(rd.spec.restic.copyMethod, "Snapshot");
      assert.equal(rd.spec.restic.destinationPVC, undefined);
      assert.equal(rd.spec.restic.storageClassName, "c");
      assert.deepEqual(pvc.spec.dataSourceRef, { apiGroup: "volsync.backube", kind: "ReplicationDestination", name: rd.metadata.name });
    } else {
      // Direct: no snapshot class for this driver; the restore writes into the app's own claim
      assert.deepEqual(snapshotClasses.filter((s) => s.driver === csi), []);
      assert.equal(rd.spec.restic.copyMethod, "Direct");
      assert.equal(rd.spec.restic.destinationPVC, pvc.metadata.name);
      assert.equal(rd.spec.restic.capacity, undefined);
      assert.equal(pvc.spec.dataSourceRef, undefined);
    }
    // a Snapshot or Clone backup needs the CSI driver's support: Snapshot only where a snapshot class exists
    if (rs.spec.restic.copyMethod === "Snapshot") assert.ok(snapshotClasses.some((s) => s.driver === csi));
    const r = kubeconformTree(t, { crds: crdFiles(), only: (p) => p.startsWith("kubernetes/apps/") || p.startsWith("kubernetes/infrastructure/snapshots") || p.startsWith("kubernetes/infrastructure/storage") || p.startsWith("kubernetes/infrastructure/longhorn") });
    assert.equal(describeProblems(r), undefined);
    assert.ok(r.valid >= 5, `only ${r.valid} resources checked`);
  });
}
