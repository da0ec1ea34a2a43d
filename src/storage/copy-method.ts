// How a restore keeps its data, from the driver: a VolumeSnapshot (Snapshot) where the class's CSI driver
// takes snapshots — the only kind VolSync's volume populator fills a new claim from — else straight into
// the app's claim (Direct).
import type { CopyMethod, DriverClass } from "./contract.js";
import { driverOf } from "./drivers.js";

export function restoreCopyMethod(c: DriverClass): Extract<CopyMethod, "Snapshot" | "Direct"> {
  // (the namespace only fills in the parameters; whether there is a snapshot class at all is what counts)
  return driverOf(c).snapshotClass(c, "") !== undefined ? "Snapshot" : "Direct";
}
