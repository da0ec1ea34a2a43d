// TrueNAS iSCSI through democratic-csi (freenas-api-iscsi): one release and CSI driver per class, its
// values (with the TrueNAS API key) a SOPS-encrypted Secret. The driver snapshots and clones zvols.
import { hostForPort, parseHostPort } from "../net/host.js";
import type { DriverClass, StorageDriver } from "./contract.js";

const driverName = (c: DriverClass<"iscsi">): string => `org.democratic-csi.${c.name}`;

export const iscsi: StorageDriver<"iscsi"> = {
  type: "iscsi",
  summary: "TrueNAS iSCSI",
  nodeLocal: false,
  accessModes: ["ReadWriteOnce"],
  host: { talosExtensions: ["siderolabs/iscsi-tools"], debianPackages: ["open-iscsi"], debianServices: ["iscsid"], kernelModules: ["iscsi_tcp"], hostPaths: () => [] },
  csiDriver: driverName,
  snapshotClass: () => ({}),
  backupCopy: "Clone",
  services: (c) => [
    { kind: "storage", what: `iSCSI portal of storage class ${c.name}`, address: c.spec.portal },
    ...(c.spec.apiUrl ? [{ kind: "storage-api" as const, what: `storage API of class ${c.name} (provisioning new volumes)`, address: c.spec.apiUrl }] : []),
  ],
  failureDomain: (c) => ({ kind: "server", address: c.spec.portal }),
  install: (classes, ctx) => {
    const items = [];
    const secrets = [];
    for (const c of classes) {
      const sp = c.spec;
      const portal = parseHostPort(sp.portal);
      if ("error" in portal) throw new Error(`internal: iSCSI portal ${sp.portal} is not host[:port] (drover check refuses it)`);
      const api = new URL(sp.apiUrl ?? `https://${hostForPort(portal)}`);
      const name = `democratic-csi-${c.name}`;
      // the driver config holds the TrueNAS API key: the whole values document is a SOPS-encrypted Secret
      const values = {
        csiDriver: { name: driverName(c) },
        storageClasses: [],
        volumeSnapshotClasses: [],
        driver: {
          config: {
            driver: "freenas-api-iscsi",
            httpConnection: { protocol: api.protocol.replace(":", ""), host: api.hostname, port: Number(api.port || (api.protocol === "https:" ? 443 : 80)), apiKey: ctx.external(`truenas-api-key`, "TrueNAS API key for democratic-csi"), allowInsecure: true },
            zfs: { datasetParentName: `tank/k8s/${c.name}/volumes`, detachedSnapshotsDatasetParentName: `tank/k8s/${c.name}/snapshots`, zvolCompression: "lz4", zvolEnableReservation: false },
            iscsi: { targetPortal: sp.portal, namePrefix: "", nameSuffix: `-${c.name}`, targetGroups: [{ targetGroupPortalGroup: 1, targetGroupInitiatorGroup: 1, targetGroupAuthType: "None" }], extentInsecureTpc: true, extentXenCompat: false, extentDisablePhysicalBlocksize: true, extentBlocksize: 512, extentRpm: "SSD", extentAvailThreshold: 0 },
          },
        },
        node: { hostPID: true, driver: { extraEnv: [{ name: "ISCSIADM_HOST_STRATEGY", value: "nsenter" }, { name: "ISCSIADM_HOST_PATH", value: "/usr/local/sbin/iscsiadm" }], iscsiDirHostPath: "/var/iscsi", iscsiDirHostPathType: "" } },
      };
      secrets.push({ name: `${name}-values`, stringData: { "values.yaml": JSON.stringify(values, null, 2) + "\n" } });
      items.push({ kind: "release" as const, name, chart: "democratic-csi", values: {}, valuesFromSecret: `${name}-values` });
      items.push({ kind: "class" as const, name: c.name, provisioner: driverName(c), parameters: { fsType: "ext4" } });
    }
    return { items, secrets };
  },
};
