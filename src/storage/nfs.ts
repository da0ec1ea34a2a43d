// NFS shares (a NAS, TrueNAS), through csi-driver-nfs: one release for every NFS class, a sub-folder per
// claim. Its CSI driver clones and snapshots (a tarball of the folder).
import type { StorageDriver } from "./contract.js";

export const nfs: StorageDriver<"nfs"> = {
  type: "nfs",
  summary: "NFS share",
  nodeLocal: false,
  accessModes: ["ReadWriteOnce", "ReadWriteMany"],
  host: { talosExtensions: [], debianPackages: ["nfs-common"], debianServices: [], kernelModules: ["nfs"], hostPaths: () => [] },
  csiDriver: () => "nfs.csi.k8s.io",
  snapshotClass: () => ({}),
  backupCopy: "Clone",
  services: (c) => [{ kind: "storage", what: `NFS server of storage class ${c.name}`, address: c.spec.server }],
  failureDomain: (c) => ({ kind: "server", address: c.spec.server }),
  install: (classes) => ({
    items: [
      { kind: "release", name: "csi-driver-nfs", chart: "csi-driver-nfs", values: { controller: { replicas: 1 }, externalSnapshotter: { enabled: false } } },
      ...classes.map((c) => ({
        kind: "class" as const,
        name: c.name,
        provisioner: "nfs.csi.k8s.io",
        parameters: { server: c.spec.server, share: c.spec.path, subDir: "${pvc.metadata.namespace}-${pvc.metadata.name}", onDelete: "archive" },
        extra: { mountOptions: ["nfsvers=4.1", "hard", "noatime"] },
      })),
    ],
    secrets: [],
  }),
};
