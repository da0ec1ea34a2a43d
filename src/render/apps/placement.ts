// Where an app's pods may run and what they ask for: one plan that both the rendered pod template and
// the what-if analysis read, so the analysis schedules exactly what the cluster will.
import type { App, Lab } from "../../lab/types.js";
import type { Toleration } from "../../analyze/model.js";

export const HOST_LABEL = "drover.dev/host";
export const ARCH_LABEL = "kubernetes.io/arch";
export const GPU_RESOURCE = "nvidia.com/gpu";

export interface PodPlan {
  readonly kind: "Deployment" | "StatefulSet";
  readonly replicas: number;
  readonly requests: { readonly cpuMillis: number; readonly memoryBytes: number; readonly gpus: number };
  readonly nodeSelector: Readonly<Record<string, string>>;
  /** required node affinity terms, ANDed: the key must have one of the values */
  readonly requiredNodeAffinity: readonly { readonly key: string; readonly values: readonly string[] }[];
  readonly tolerations: readonly Toleration[];
  /** hard spread of the replicas across hosts (stateless apps with more than one replica) */
  readonly spread: { readonly maxSkew: number; readonly topologyKey: string; readonly nodeTaintsPolicy: "Honor" } | undefined;
  /** the volume binds to one node (local storage class) */
  readonly nodeLocalVolume: boolean;
  readonly stateless: boolean;
  /** a host serial device to mount (path on the host and in the container) */
  readonly serialDevice: string | undefined;
}

const SERIAL = /^\/dev\/(tty(USB|ACM|AMA|S)\d+|serial\/.+)$/;

/** The serial device an app gets, and the hosts that have it. */
export function serialDevice(lab: Lab, a: App): { path: string; hosts: string[] } | undefined {
  const want = a.catalog.devices?.serial;
  if (!want) return undefined;
  const candidates = a.placement.hosts.length ? a.placement.hosts : want === "required" ? lab.hosts.map((h) => h.name) : [];
  const withDevice = candidates.map((n) => lab.hosts.find((h) => h.name === n)).filter((h) => h !== undefined).filter((h) => h.devices.some((d) => SERIAL.test(d)));
  if (!withDevice.length) return undefined;
  const path = [...withDevice[0]!.devices.filter((d) => SERIAL.test(d))].sort()[0]!;
  return { path, hosts: withDevice.filter((h) => h.devices.includes(path)).map((h) => h.name) };
}

export function podPlan(lab: Lab, a: App, allArchs: ReadonlySet<string> = new Set(lab.nodes.map((n) => n.arch))): PodPlan {
  const stateless = a.catalog.volumes.length === 0;
  const nodeLocal = a.storageClass !== undefined && lab.storageClasses.find((c) => c.name === a.storageClass)?.nodeLocal === true;
  const serial = serialDevice(lab, a);
  const affinity: { key: string; values: string[] }[] = [];
  if (a.placement.archs.length && [...allArchs].some((x) => !(a.placement.archs as readonly string[]).includes(x))) affinity.push({ key: ARCH_LABEL, values: [...a.placement.archs] });
  const hosts = serial ? serial.hosts : a.placement.hosts;
  if (hosts.length) affinity.push({ key: HOST_LABEL, values: [...hosts] });
  const tolerations: Toleration[] = a.placement.tolerations.map((t) => ({ key: t.key, operator: t.value === undefined ? "Exists" : "Equal", ...(t.value !== undefined ? { value: t.value } : {}), effect: t.effect }));
  if (a.placement.gpu > 0) tolerations.push({ key: GPU_RESOURCE, operator: "Exists", effect: "NoSchedule" });
  return {
    kind: stateless ? "Deployment" : "StatefulSet",
    replicas: a.replicas,
    requests: { cpuMillis: a.resources.cpuMillis, memoryBytes: a.resources.memoryBytes, gpus: a.placement.gpu },
    nodeSelector: { ...a.placement.nodeSelector },
    requiredNodeAffinity: affinity,
    tolerations,
    spread: stateless && a.replicas > 1 ? { maxSkew: 1, topologyKey: HOST_LABEL, nodeTaintsPolicy: "Honor" } : undefined,
    nodeLocalVolume: nodeLocal,
    stateless,
    serialDevice: serial?.path,
  };
}
