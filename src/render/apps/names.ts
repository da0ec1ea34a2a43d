// Object names derived from an app instance, in one place (patch targets and lint refer to them).
import type { App } from "../../lab/types.js";

export const appSecretName = (a: App): string => `${a.name}-secrets`;
export const pvcName = (a: App, volume: string): string => `${a.name}-${volume}`;
export const lbServiceName = (a: App): string => `${a.name}-lb`;
export const filesConfigMapName = (a: App): string => `${a.name}-files`;
