// What the nodes of a lab need for its storage classes' volumes to mount: the union of every driver's
// host needs, each list sorted and without repeats (so a node's seed or schematic lists them once).
import type { DriverClass } from "./contract.js";
import { driverOf } from "./drivers.js";

export interface LabHostNeeds {
  readonly talosExtensions: readonly string[];
  readonly debianPackages: readonly string[];
  readonly debianServices: readonly string[];
}

export function labHostNeeds(classes: readonly DriverClass[]): LabHostNeeds {
  const union = (pick: (c: DriverClass) => readonly string[]) => [...new Set(classes.flatMap(pick))].sort();
  return {
    talosExtensions: union((c) => driverOf(c).host.talosExtensions),
    debianPackages: union((c) => driverOf(c).host.debianPackages),
    debianServices: union((c) => driverOf(c).host.debianServices),
  };
}
