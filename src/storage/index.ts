// storage/: one file per storage driver (chart, classes, snapshot class, host needs, failure domain, VolSync copy methods, access modes), found by name in drivers.ts.
export type { StorageDriver, StorageType, DriverClass, CopyMethod, AccessMode, FailureDomain, ServiceNeed, Install, InstallItem, InstallContext } from "./contract.js";
export { STORAGE_DRIVERS, storageDriver, driverOf } from "./drivers.js";
export { restoreCopyMethod } from "./copy-method.js";
export { labHostNeeds, type LabHostNeeds } from "./host-needs.js";
