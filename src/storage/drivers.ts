// The storage drivers, found by name (a storage class's `type`). The order is the order their objects
// are rendered in the shared `storage` component.
import type { DriverClass, StorageDriver, StorageType } from "./contract.js";
import { nfs } from "./nfs.js";
import { iscsi } from "./iscsi.js";
import { cephRbd } from "./ceph-rbd.js";
import { cephfs } from "./cephfs.js";
import { local } from "./local.js";
import { longhorn } from "./longhorn.js";

export const STORAGE_DRIVERS: { readonly [T in StorageType]: StorageDriver<T> } = {
  nfs,
  iscsi,
  "ceph-rbd": cephRbd,
  cephfs,
  local,
  longhorn,
};

export function storageDriver<T extends StorageType>(type: T): StorageDriver<T> {
  return STORAGE_DRIVERS[type] as StorageDriver<T>;
}

/** The driver of a class, typed for that class (the table is keyed by the spec's own discriminant). */
export function driverOf(c: DriverClass): StorageDriver {
  return STORAGE_DRIVERS[c.spec.type] as unknown as StorageDriver;
}
