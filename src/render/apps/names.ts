// Object names derived from an app instance, in one place (patch targets and lint refer to them).
import type { App } from "../../lab/types.js";
import { dns1035 } from "../../lab/pods.js";

export { dns1035 };
/** The app's ClusterIP Service (and its in-cluster host name). */
export const serviceName = (a: App): string => dns1035(a.name);

export const appSecretName = (a: App): string => `${a.name}-secrets`;
export const pvcName = (a: App, volume: string): string => `${a.name}-${volume}`;
/** The Service that names each replica of an app with independent replicas (<app>-<n>.<this>), for clients of one replica. */
export const replicaServiceName = (a: App): string => `${serviceName(a)}-replicas`;
/** The StatefulSet's claim of a volume for replica n, when every replica has its own (claim template <volume>). */
export const replicaClaimName = (a: App, volume: string, ordinal: number): string => `${volume}-${a.name}-${ordinal}`;
/** The claim holding a volume's data: the app's one claim, or the first replica's when every replica has its own. */
export const dataClaimName = (a: App, volume: string): string => (a.independentReplicas ? replicaClaimName(a, volume, 0) : pvcName(a, volume));
export const lbServiceName = (a: App): string => `${serviceName(a)}-lb`;
export const filesConfigMapName = (a: App): string => `${a.name}-files`;
