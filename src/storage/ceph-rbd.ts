// Block volumes on an external Ceph cluster's RBD pool (ceph-csi-rbd); snapshots through the CSI driver.
import { cephDriver } from "./ceph.js";

export const cephRbd = cephDriver("ceph-rbd", {
  summary: "external Ceph RBD block",
  chart: "ceph-csi-rbd",
  csi: "rbd.csi.ceph.com",
  accessModes: ["ReadWriteOnce"],
  parameters: (c) => ({ pool: c.spec.pool, imageFeatures: "layering", "csi.storage.k8s.io/fstype": "ext4" }),
  extra: { mountOptions: ["discard"] },
  secret: (key) => ({ userID: "kubernetes", userKey: key }),
});
