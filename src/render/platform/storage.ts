// A CSI driver per kind of storage class the lab declares, and the StorageClasses themselves:
// NFS (csi-driver-nfs), TrueNAS iSCSI (democratic-csi, one release per class), external Ceph
// (ceph-csi rbd/cephfs), Longhorn (its own namespace) and node-local volumes (OpenEBS LocalPV hostpath).
import { hostForPort, parseHostPort } from "../../net/host.js";
import type { Lab, StorageClass } from "../../lab/types.js";
import { helmRelease, meta, secret, type Component, type Obj } from "../flux/layout.js";
import type { ChartName } from "../flux/charts.js";
import { NAMESPACES } from "./contract.js";
import type { SecretSource } from "./secrets.js";

const NS = NAMESPACES.storage;

function storageClass(c: StorageClass, provisioner: string, parameters: Record<string, string>, extra: Obj = {}, annotations: Record<string, string> = {}): Obj {
  return {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: meta(c.name, undefined, undefined, { ...(c.default ? { "storageclass.kubernetes.io/is-default-class": "true" } : {}), ...annotations }),
    provisioner,
    // an empty map is stored as none: sending {} again reads as a change of the immutable parameters
    ...(Object.keys(parameters).length ? { parameters } : {}),
    reclaimPolicy: "Delete",
    allowVolumeExpansion: true,
    volumeBindingMode: c.nodeLocal ? "WaitForFirstConsumer" : "Immediate",
    ...extra,
  };
}

type Spec<T extends StorageClass["type"]> = Extract<StorageClass["spec"], { type: T }>;

export function storage(lab: Lab, s: SecretSource, deps: readonly string[]): Component[] {
  const objects: Obj[] = [];
  const secrets: Obj[] = [];
  const charts: ChartName[] = [];
  const classes = lab.storageClasses;
  const out: Component[] = [];
  const has = (t: StorageClass["type"]): StorageClass[] => classes.filter((c) => c.type === t);

  if (has("nfs").length) {
    charts.push("csi-driver-nfs");
    objects.push(helmRelease("csi-driver-nfs", NS, "csi-driver-nfs", { controller: { replicas: 1 }, externalSnapshotter: { enabled: false } }));
    for (const c of has("nfs")) {
      const sp = c.spec as Spec<"nfs">;
      objects.push(storageClass(c, "nfs.csi.k8s.io", { server: sp.server, share: sp.path, subDir: "${pvc.metadata.namespace}-${pvc.metadata.name}", onDelete: "archive" }, { mountOptions: ["nfsvers=4.1", "hard", "noatime"] }));
    }
  }
  for (const c of has("iscsi")) {
    const sp = c.spec as Spec<"iscsi">;
    const driver = `org.democratic-csi.${c.name}`;
    const portal = parseHostPort(sp.portal);
    if ("error" in portal) throw new Error(`internal: iSCSI portal ${sp.portal} is not host[:port] (drover check refuses it)`);
    const api = new URL(sp.apiUrl ?? `https://${hostForPort(portal)}`);
    const name = `democratic-csi-${c.name}`;
    charts.push("democratic-csi");
    // the driver config holds the TrueNAS API key: the whole values document is a SOPS-encrypted Secret
    const values = {
      csiDriver: { name: driver },
      storageClasses: [],
      volumeSnapshotClasses: [],
      driver: {
        config: {
          driver: "freenas-api-iscsi",
          httpConnection: { protocol: api.protocol.replace(":", ""), host: api.hostname, port: Number(api.port || (api.protocol === "https:" ? 443 : 80)), apiKey: s.external(`truenas-api-key`, "TrueNAS API key for democratic-csi"), allowInsecure: true },
          zfs: { datasetParentName: `tank/k8s/${c.name}/volumes`, detachedSnapshotsDatasetParentName: `tank/k8s/${c.name}/snapshots`, zvolCompression: "lz4", zvolEnableReservation: false },
          iscsi: { targetPortal: sp.portal, namePrefix: "", nameSuffix: `-${c.name}`, targetGroups: [{ targetGroupPortalGroup: 1, targetGroupInitiatorGroup: 1, targetGroupAuthType: "None" }], extentInsecureTpc: true, extentXenCompat: false, extentDisablePhysicalBlocksize: true, extentBlocksize: 512, extentRpm: "SSD", extentAvailThreshold: 0 },
        },
      },
      node: { hostPID: true, driver: { extraEnv: [{ name: "ISCSIADM_HOST_STRATEGY", value: "nsenter" }, { name: "ISCSIADM_HOST_PATH", value: "/usr/local/sbin/iscsiadm" }], iscsiDirHostPath: "/var/iscsi", iscsiDirHostPathType: "" } },
    };
    secrets.push(secret(`${name}-values`, NS, { "values.yaml": JSON.stringify(values, null, 2) + "\n" }));
    objects.push(helmRelease(name, NS, "democratic-csi", {}, { valuesFrom: [{ kind: "Secret", name: `${name}-values`, valuesKey: "values.yaml" }] }));
    objects.push(storageClass(c, driver, { fsType: "ext4" }));
  }
  const ceph = [...has("ceph-rbd"), ...has("cephfs")];
  if (ceph.length) {
    const clusters = new Map<string, string[]>();
    for (const c of ceph) {
      const sp = c.spec as Spec<"ceph-rbd"> | Spec<"cephfs">;
      clusters.set(sp.clusterID, [...new Set([...(clusters.get(sp.clusterID) ?? []), ...sp.monitors])]);
    }
    const csiConfig = [...clusters].sort(([a], [b]) => (a < b ? -1 : 1)).map(([clusterID, monitors]) => ({ clusterID, monitors }));
    for (const [kind, chart, prov] of [["ceph-rbd", "ceph-csi-rbd", "rbd.csi.ceph.com"], ["cephfs", "ceph-csi-cephfs", "cephfs.csi.ceph.com"]] as const) {
      const list = has(kind);
      if (!list.length) continue;
      charts.push(chart);
      objects.push(helmRelease(chart, NS, chart, { csiConfig, storageClass: { create: false }, provisioner: { replicaCount: 1 } }));
      for (const c of list) {
        const sp = c.spec as Spec<"ceph-rbd"> | Spec<"cephfs">;
        const sname = `${c.name}-ceph`;
        const refs = {
          "csi.storage.k8s.io/provisioner-secret-name": sname, "csi.storage.k8s.io/provisioner-secret-namespace": NS,
          "csi.storage.k8s.io/controller-expand-secret-name": sname, "csi.storage.k8s.io/controller-expand-secret-namespace": NS,
          "csi.storage.k8s.io/node-stage-secret-name": sname, "csi.storage.k8s.io/node-stage-secret-namespace": NS,
        };
        if (kind === "ceph-rbd") {
          secrets.push(secret(sname, NS, { userID: "kubernetes", userKey: s.external(`ceph-${c.name}-key`, `Ceph key of client.kubernetes for storage class ${c.name}`) }));
          objects.push(storageClass(c, prov, { clusterID: sp.clusterID, pool: (sp as Spec<"ceph-rbd">).pool, imageFeatures: "layering", "csi.storage.k8s.io/fstype": "ext4", ...refs }, { mountOptions: ["discard"] }));
        } else {
          secrets.push(secret(sname, NS, { adminID: "kubernetes", adminKey: s.external(`ceph-${c.name}-key`, `Ceph key of client.kubernetes for storage class ${c.name}`) }));
          objects.push(storageClass(c, prov, { clusterID: sp.clusterID, fsName: (sp as Spec<"cephfs">).fsName, ...refs }));
        }
      }
    }
  }
  if (has("local").length) {
    charts.push("local-path");
    objects.push(helmRelease("localpv-provisioner", NS, "local-path", { hostpathClass: { enabled: false }, analytics: { enabled: false } }));
    for (const c of has("local")) {
      const sp = c.spec as Spec<"local">;
      objects.push(storageClass(c, "openebs.io/local", {}, { reclaimPolicy: "Delete" }, { "cas.openebs.io/config": `- name: StorageType\n  value: hostpath\n- name: BasePath\n  value: ${sp.path}\n`, "openebs.io/cas-type": "local" }));
    }
  }
  if (objects.length) out.push({ name: "storage", namespace: NS, podSecurity: "privileged", dependsOn: deps, objects, secrets, charts });

  const lh = has("longhorn");
  if (lh.length) {
    const ns = NAMESPACES.longhorn;
    const talos = lab.distribution === "talos";
    out.push({
      name: "longhorn",
      namespace: ns,
      podSecurity: "privileged",
      dependsOn: deps,
      objects: [
        helmRelease("longhorn", ns, "longhorn", {
          persistence: { defaultClass: false },
          preUpgradeChecker: { jobEnabled: false },
          defaultSettings: { defaultReplicaCount: Math.max(...lh.map((c) => (c.spec as Spec<"longhorn">).replicas)), defaultDataPath: talos ? "/var/lib/longhorn" : "/var/lib/longhorn", storageOverProvisioningPercentage: 100 },
        }),
        ...lh.map((c) => storageClass(c, "driver.longhorn.io", { numberOfReplicas: String((c.spec as Spec<"longhorn">).replicas), staleReplicaTimeout: "30", dataLocality: "best-effort", fsType: "ext4" })),
      ],
      charts: ["longhorn"],
    });
  }
  return out;
}
