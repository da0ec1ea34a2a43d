// The storage-driver contract: everything Drover knows about one kind of storage class, answered by the
// driver's own file (src/storage/<type>.ts) and found by name in one table (drivers.ts). Adding a driver
// is its file, its row in the table and its variant in spec/schema.ts (plus its chart pin in
// render/flux/charts.ts when it installs one). The answers are data: render/ turns them into objects,
// lab/ and analyze/ read the failure domain, backups read the copy methods.
import type { StorageClassSpec } from "../spec/schema.js";
import type { DistributionName } from "../distributions/index.js";

export type StorageType = StorageClassSpec["type"];
export type SpecOf<T extends StorageType> = Extract<StorageClassSpec, { type: T }>;

/** How VolSync takes a point-in-time copy of a volume (ReplicationSource), or keeps a restore (ReplicationDestination). */
export type CopyMethod = "Snapshot" | "Clone" | "Direct";
export type AccessMode = "ReadWriteOnce" | "ReadWriteMany" | "ReadWriteOncePod";

/** A storage class of the lab, as a driver sees it. */
export interface DriverClass<T extends StorageType = StorageType> {
  readonly name: string;
  readonly default: boolean;
  readonly spec: SpecOf<T>;
}

/** What a driver installs: Helm releases and StorageClasses (in this order), and Secrets. */
export type InstallItem =
  | { readonly kind: "release"; readonly name: string; readonly chart: string; readonly values: Record<string, unknown>; readonly valuesFromSecret?: string }
  | { readonly kind: "class"; readonly name: string; readonly provisioner: string; readonly parameters: Record<string, string>; readonly extra?: Record<string, unknown>; readonly annotations?: Record<string, string> };
export interface Install {
  readonly items: readonly InstallItem[];
  /** Secrets (name → string data), SOPS-encrypted on render */
  readonly secrets: readonly { readonly name: string; readonly stringData: Record<string, string> }[];
}

/** What a driver's install may ask of the lab. */
export interface InstallContext {
  /** the namespace its objects go to */
  readonly namespace: string;
  readonly distribution: DistributionName;
  /** every storage class of the lab (drivers sharing a backend, like Ceph's, read their siblings) */
  readonly classes: readonly DriverClass[];
  /** a credential only the user has, stored in the secrets store (`drover secrets set`) */
  external(key: string, description: string): string;
}

/** An address outside the cluster the class's volumes depend on (lab/services.ts maps it to a host). */
export interface ServiceNeed {
  readonly kind: "storage" | "storage-api" | "ceph-monitor";
  readonly what: string;
  readonly address: string;
}

/** When the class's volumes stop, for what-if. */
export type FailureDomain =
  /** the host serving this address is down */
  | { readonly kind: "server"; readonly address: string }
  /** the hosts of these addresses lose their majority (`members` names them: "Ceph monitors") */
  | { readonly kind: "quorum"; readonly addresses: readonly string[]; readonly members: string }
  /** replicated over the cluster's own nodes: no node of the cluster is left (`label`: "Longhorn") */
  | { readonly kind: "cluster-nodes"; readonly label: string }
  /** each volume lives on the one node it was made on (the scheduler pins its pods there) */
  | { readonly kind: "node" };

/** What the nodes need for the driver's volumes to mount. */
export interface HostNeeds {
  /** Talos system extensions (Image Factory schematic) */
  readonly talosExtensions: readonly string[];
  /** Debian packages a k3s node needs (its cloud-init seed installs them) */
  readonly debianPackages: readonly string[];
  /** systemd units those packages ship that must run on a k3s node (the seed enables and starts them) */
  readonly debianServices: readonly string[];
  /** kernel modules the driver loads on the node */
  readonly kernelModules: readonly string[];
  /** node paths the kubelet must see (bind-mounted on Talos) */
  hostPaths(c: DriverClass): readonly string[];
}

export interface StorageDriver<T extends StorageType = StorageType> {
  readonly type: T;
  /** a few words for help texts */
  readonly summary: string;
  /** volumes are bound to the node they were made on */
  readonly nodeLocal: boolean;
  readonly accessModes: readonly AccessMode[];
  /** the Flux component (and namespace) it installs into, when not the shared `storage` one */
  readonly component?: { readonly name: string; readonly namespace: string };
  readonly host: HostNeeds;
  /** the CSI driver name of a class's volumes */
  csiDriver(c: DriverClass<T>): string;
  /** the VolumeSnapshotClass parameters for this class's CSI driver, or undefined when it takes no snapshots */
  snapshotClass(c: DriverClass<T>, storageNamespace: string): Readonly<Record<string, string>> | undefined;
  /** how a backup takes its point-in-time copy (Clone and Snapshot need the CSI driver to support them) */
  readonly backupCopy: CopyMethod;
  services(c: DriverClass<T>): readonly ServiceNeed[];
  failureDomain(c: DriverClass<T>): FailureDomain;
  /** every class of this driver at once (some share one release) */
  install(classes: readonly DriverClass<T>[], ctx: InstallContext): Install;
}
