// Shared file systems on an external Ceph cluster's CephFS (ceph-csi-cephfs); snapshots through the CSI driver.
import { cephDriver } from "./ceph.js";

export const cephfs = cephDriver("cephfs", {
  summary: "external CephFS",
  chart: "ceph-csi-cephfs",
  csi: "cephfs.csi.ceph.com",
  accessModes: ["ReadWriteOnce", "ReadWriteMany"],
  parameters: (c) => ({ fsName: c.spec.fsName }),
  secret: (key) => ({ adminID: "kubernetes", adminKey: key }),
});
