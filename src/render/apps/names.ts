// Object names derived from an app instance, in one place (patch targets and lint refer to them).
import type { App } from "../../lab/types.js";

/**
 * A Service's name is a DNS-1035 label: it starts with a letter. Instance names may start with a digit
 * (the catalog's 0x0), so their Services, and the names built from them, get an "app-" prefix.
 */
export const dns1035 = (name: string): string => (/^[a-z]/.test(name) ? name : `app-${name}`);
/** The app's ClusterIP Service (and its in-cluster host name). */
export const serviceName = (a: App): string => dns1035(a.name);

export const appSecretName = (a: App): string => `${a.name}-secrets`;
export const pvcName = (a: App, volume: string): string => `${a.name}-${volume}`;
export const lbServiceName = (a: App): string => `${serviceName(a)}-lb`;
export const filesConfigMapName = (a: App): string => `${a.name}-files`;
