// Object names derived from an app instance, in one place (patch targets and lint refer to them).
import type { App } from "../../lab/types.js";
import { dns1035 } from "../../lab/pods.js";

export { dns1035 };
/** The app's ClusterIP Service (and its in-cluster host name). */
export const serviceName = (a: App): string => dns1035(a.name);

export const appSecretName = (a: App): string => `${a.name}-secrets`;
export const pvcName = (a: App, volume: string): string => `${a.name}-${volume}`;
export const lbServiceName = (a: App): string => `${serviceName(a)}-lb`;
export const filesConfigMapName = (a: App): string => `${a.name}-files`;
