// Node-local volumes on a host path (OpenEBS LocalPV hostpath): bound to the node they were made on, no
// snapshots and no clones, so VolSync copies them directly.
import type { StorageDriver } from "./contract.js";

export const local: StorageDriver<"local"> = {
  type: "local",
  summary: "node-local disk",
  nodeLocal: true,
  accessModes: ["ReadWriteOnce"],
  host: { talosExtensions: [], debianPackages: [], debianServices: [], kernelModules: [], hostPaths: (c) => (c.spec.type === "local" ? [c.spec.path] : []) },
  csiDriver: () => "openebs.io/local",
  snapshotClass: () => undefined,
  backupCopy: "Direct",
  services: () => [],
  failureDomain: () => ({ kind: "node" }),
  install: (classes) => ({
    items: [
      { kind: "release", name: "localpv-provisioner", chart: "local-path", values: { hostpathClass: { enabled: false }, analytics: { enabled: false } } },
      ...classes.map((c) => ({
        kind: "class" as const,
        name: c.name,
        provisioner: "openebs.io/local",
        parameters: {},
        extra: { reclaimPolicy: "Delete" },
        annotations: { "cas.openebs.io/config": `- name: StorageType\n  value: hostpath\n- name: BasePath\n  value: ${c.spec.path}\n`, "openebs.io/cas-type": "local" },
      })),
    ],
    secrets: [],
  }),
};
