// Longhorn: block volumes replicated over the cluster's own nodes' disks, in its own namespace and Flux
// component. Needs iSCSI and util-linux on the nodes and /var/lib/longhorn visible to the kubelet.
import type { StorageDriver } from "./contract.js";

export const longhorn: StorageDriver<"longhorn"> = {
  type: "longhorn",
  summary: "replicated local block",
  nodeLocal: false,
  accessModes: ["ReadWriteOnce", "ReadWriteMany"],
  component: { name: "longhorn", namespace: "longhorn-system" },
  host: { talosExtensions: ["siderolabs/iscsi-tools", "siderolabs/util-linux-tools"], debianPackages: ["open-iscsi", "nfs-common"], debianServices: ["iscsid"], kernelModules: ["iscsi_tcp", "dm_crypt"], hostPaths: () => ["/var/lib/longhorn"] },
  csiDriver: () => "driver.longhorn.io",
  snapshotClass: () => ({ type: "snap" }),
  backupCopy: "Snapshot",
  services: () => [],
  failureDomain: () => ({ kind: "cluster-nodes", label: "Longhorn" }),
  install: (classes) => ({
    items: [
      {
        kind: "release",
        name: "longhorn",
        chart: "longhorn",
        values: {
          persistence: { defaultClass: false },
          preUpgradeChecker: { jobEnabled: false },
          defaultSettings: { defaultReplicaCount: Math.max(...classes.map((c) => c.spec.replicas)), defaultDataPath: "/var/lib/longhorn", storageOverProvisioningPercentage: 100 },
        },
      },
      ...classes.map((c) => ({ kind: "class" as const, name: c.name, provisioner: "driver.longhorn.io", parameters: { numberOfReplicas: String(c.spec.replicas), staleReplicaTimeout: "30", dataLocality: "best-effort", fsType: "ext4" } })),
    ],
    secrets: [],
  }),
};
