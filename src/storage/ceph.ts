// What the two external-Ceph drivers (ceph-rbd, cephfs) share: one ceph-csi config listing every Ceph
// cluster the lab's Ceph classes name, a client key per class, the monitors as failure domain.
import type { DriverClass, FailureDomain, Install, InstallContext, ServiceNeed, SpecOf, StorageDriver } from "./contract.js";

type Ceph = "ceph-rbd" | "cephfs";
/** a Ceph class's spec (TypeScript does not narrow SpecOf<T> for a generic T) */
const spec = (c: { readonly spec: unknown }): SpecOf<Ceph> => c.spec as SpecOf<Ceph>;

/** clusterID → monitors, over every Ceph class of the lab (both kinds), sorted by cluster. */
function csiConfig(classes: readonly DriverClass[]): { clusterID: string; monitors: string[] }[] {
  const clusters = new Map<string, string[]>();
  for (const c of classes) {
    const sp = c.spec;
    if (sp.type !== "ceph-rbd" && sp.type !== "cephfs") continue;
    clusters.set(sp.clusterID, [...new Set([...(clusters.get(sp.clusterID) ?? []), ...sp.monitors])]);
  }
  return [...clusters].sort(([a], [b]) => (a < b ? -1 : 1)).map(([clusterID, monitors]) => ({ clusterID, monitors }));
}

const keySecret = (c: { name: string }): string => `${c.name}-ceph`;

/** A ceph-csi driver: its chart and CSI name, and the class parameters and client secret of its kind. */
export function cephDriver<T extends Ceph>(type: T, d: {
  summary: string;
  chart: string;
  csi: string;
  accessModes: StorageDriver["accessModes"];
  parameters(c: DriverClass<T>): Record<string, string>;
  extra?: Record<string, unknown>;
  /** the client Secret's data for the user's key */
  secret(key: string): Record<string, string>;
}): StorageDriver<T> {
  return {
    type,
    summary: d.summary,
    nodeLocal: false,
    accessModes: d.accessModes,
    host: { talosExtensions: [], debianPackages: [], debianServices: [], kernelModules: type === "ceph-rbd" ? ["rbd"] : ["ceph"], hostPaths: () => [] },
    csiDriver: () => d.csi,
    snapshotClass: (c, ns) => ({ clusterID: spec(c).clusterID, "csi.storage.k8s.io/snapshotter-secret-name": keySecret(c), "csi.storage.k8s.io/snapshotter-secret-namespace": ns }),
    backupCopy: "Snapshot",
    services: (c): ServiceNeed[] => spec(c).monitors.map((m) => ({ kind: "ceph-monitor", what: `Ceph monitor of storage class ${c.name}`, address: m })),
    failureDomain: (c): FailureDomain => ({ kind: "quorum", addresses: spec(c).monitors, members: "Ceph monitors" }),
    install: (classes, ctx: InstallContext): Install => {
      const ns = ctx.namespace;
      const items: Install["items"][number][] = [{ kind: "release", name: d.chart, chart: d.chart, values: { csiConfig: csiConfig(ctx.classes), storageClass: { create: false }, provisioner: { replicaCount: 1 } } }];
      const secrets: Install["secrets"][number][] = [];
      for (const c of classes) {
        const sname = keySecret(c);
        const refs = {
          "csi.storage.k8s.io/provisioner-secret-name": sname, "csi.storage.k8s.io/provisioner-secret-namespace": ns,
          "csi.storage.k8s.io/controller-expand-secret-name": sname, "csi.storage.k8s.io/controller-expand-secret-namespace": ns,
          "csi.storage.k8s.io/node-stage-secret-name": sname, "csi.storage.k8s.io/node-stage-secret-namespace": ns,
        };
        secrets.push({ name: sname, stringData: d.secret(ctx.external(`ceph-${c.name}-key`, `Ceph key of client.kubernetes for storage class ${c.name}`)) });
        items.push({ kind: "class", name: c.name, provisioner: d.csi, parameters: { clusterID: spec(c).clusterID, ...d.parameters(c), ...refs }, ...(d.extra ? { extra: d.extra } : {}) });
      }
      return { items, secrets };
    },
  };
}
