// The pod plan: what pods every app and its own dependencies (Postgres, Redis) put in front of the
// scheduler — replicas, requests, architecture and host pins, tolerations, spread, volumes, and the
// controller that owns them. One plan, read by the renderer (the pod templates it emits) and by the
// what-if analysis (the pods it schedules), so the analysis schedules exactly what the cluster will.
import type { App, Lab } from "./types.js";
import type { Dependency } from "../catalog/app.js";
import { catalogApp } from "../catalog/index.js";
import { parseBytes } from "../net/quantity.js";
import { GPU_RESOURCE } from "./gpu.js";

export const HOST_LABEL = "drover.dev/host";
export const ARCH_LABEL = "kubernetes.io/arch";
/** The label the pods of one app instance (or one dependency instance) are selected by. */
export const INSTANCE_LABEL = "app.kubernetes.io/instance";

export interface Toleration {
  readonly key?: string;
  readonly operator: "Equal" | "Exists";
  readonly value?: string;
  readonly effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

/** Required node affinity terms, ANDed: the key must have one of the values (In) or none of them (NotIn). */
export interface NodeAffinityTerm {
  readonly key: string;
  readonly values: readonly string[];
  /** default In */
  readonly operator?: "In" | "NotIn";
}

export interface PodPlan {
  readonly kind: "Deployment" | "StatefulSet";
  readonly replicas: number;
  readonly requests: { readonly cpuMillis: number; readonly memoryBytes: number; readonly gpus: number };
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly requiredNodeAffinity: readonly NodeAffinityTerm[];
  readonly tolerations: readonly Toleration[];
  /** hard spread of the replicas across hosts (stateless apps, or independent replicas, with more than one) */
  readonly spread: { readonly maxSkew: number; readonly topologyKey: string; readonly nodeTaintsPolicy: "Honor" } | undefined;
  /** the volume binds to one node (local storage class) */
  readonly nodeLocalVolume: boolean;
  readonly stateless: boolean;
  /** a host serial device to mount (path on the host and in the container) */
  readonly serialDevice: string | undefined;
}

/** One pod as the scheduler will see it. */
export interface PlannedPod {
  /** namespace/name, unique */
  readonly id: string;
  /** its instance (the INSTANCE_LABEL value): the app's name, or the dependency's `<app>-postgres` */
  readonly app: string;
  /** replica index within its instance (StatefulSet ordinal or Deployment replica) */
  readonly ordinal: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly requests: { readonly cpuMillis: number; readonly memoryBytes: number; readonly gpus: number };
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly requiredNodeAffinity: readonly NodeAffinityTerm[];
  readonly tolerations: readonly Toleration[];
  /** hard topology spread (whenUnsatisfiable: DoNotSchedule) of the instance's pods */
  readonly spread?: {
    readonly maxSkew: number;
    readonly topologyKey: string;
    /** Honor: nodes whose NoSchedule/NoExecute taints the pod does not tolerate are not domains (Kubernetes default: Ignore) */
    readonly nodeTaintsPolicy?: "Honor" | "Ignore";
  };
  /** the pod's volume is bound to one node once placed (node-local storage) */
  readonly nodeLocalVolume: boolean;
  /** stateless: may run anywhere again right away; stateful: needs its volume */
  readonly stateless: boolean;
  /** the controller that owns it (a per-app Postgres is a StatefulSet, Redis a Deployment) */
  readonly controller: "Deployment" | "StatefulSet";
  /** set on an app's own Postgres/Redis pod: which one (the app needs it to serve) */
  readonly dependency?: Dependency;
  /** the lab app it belongs to, when that is not `app` (an app's own Postgres/Redis) */
  readonly partOf?: string;
  /** the storage class its volume is on, if it has one */
  readonly storageClass?: string;
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

/** The plan of an app's main workload. */
export function podPlan(lab: Lab, a: App, allArchs: ReadonlySet<string> = new Set(lab.nodes.map((n) => n.arch))): PodPlan {
  const stateless = a.catalog.volumes.length === 0;
  const nodeLocal = a.storageClass !== undefined && lab.storageClasses.find((c) => c.name === a.storageClass)?.nodeLocal === true;
  const serial = serialDevice(lab, a);
  const affinity: NodeAffinityTerm[] = [];
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
    spread: (stateless || a.independentReplicas) && a.replicas > 1 ? { maxSkew: 1, topologyKey: HOST_LABEL, nodeTaintsPolicy: "Honor" } : undefined,
    nodeLocalVolume: nodeLocal,
    stateless,
    serialDevice: serial?.path,
  };
}

/**
 * A Service's name is a DNS-1035 label: it starts with a letter. Instance names may start with a digit
 * (the catalog's 0x0), so their Services, and the names built from them, get an "app-" prefix.
 */
export const dns1035 = (name: string): string => (/^[a-z]/.test(name) ? name : `app-${name}`);
/** The instance name of an app's own dependency: `<service name>-postgres`. */
export const dependencyName = (a: App, d: Dependency): string => `${dns1035(a.name)}-${d}`;

export const POSTGRES_VOLUME_SIZE = "5Gi";

/** The storage class a dependency's volume goes on: the app's, else the lab's default. */
export function dependencyStorageClass(lab: Lab, a: App): string | undefined {
  return a.storageClass ?? lab.defaultStorageClass;
}

export interface DependencyPod {
  readonly name: string;
  readonly component: Dependency;
  /** Postgres a StatefulSet (its data on a PVC), Redis a Deployment */
  readonly controller: "StatefulSet" | "Deployment";
  readonly cpuMillis: number;
  readonly memoryBytes: number;
  readonly volume: { readonly storageClass: string | undefined; readonly sizeBytes: number } | undefined;
}

export const POWER_LABEL = "drover.dev/power";

/** Where an app's own dependency pods may run (render emits it on their pod templates; what-if places them by it). */
export interface DependencyPlacement {
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly requiredNodeAffinity: readonly NodeAffinityTerm[];
  readonly tolerations: readonly Toleration[];
}

/**
 * A dependency goes where its app may go: an app pinned to hosts (or given a node selector) gets its
 * Postgres and Redis pinned to the same hosts, with the app's tolerations so they can follow it there.
 * A Postgres of an app that is not pinned keeps off volatile hosts (when the lab has others): its data
 * and every request of the app go through it, and a laptop or gaming PC that goes off would take the
 * app down with it (seed 004: a nextcloud database on a volatile laptop).
 */
export function dependencyPlacement(lab: Lab, a: App, d: Dependency): DependencyPlacement {
  const affinity: NodeAffinityTerm[] = [];
  const hosts = serialDevice(lab, a)?.hosts ?? a.placement.hosts;
  if (hosts.length) affinity.push({ key: HOST_LABEL, values: [...hosts] });
  else if (d === "postgres" && lab.nodes.some((n) => n.volatile) && lab.nodes.some((n) => !n.volatile)) affinity.push({ key: POWER_LABEL, operator: "NotIn", values: ["volatile"] });
  const tolerations: Toleration[] = a.placement.tolerations.map((t) => ({ key: t.key, operator: t.value === undefined ? "Exists" : "Equal", ...(t.value !== undefined ? { value: t.value } : {}), effect: t.effect }));
  return { nodeSelector: { ...a.placement.nodeSelector }, requiredNodeAffinity: affinity, tolerations };
}

const millis = (cpu: string): number => (cpu.endsWith("m") ? Number(cpu.slice(0, -1)) : Math.round(Number(cpu) * 1000));

/** What each of an app's own dependencies asks of the scheduler. */
export function dependencyPods(lab: Lab, a: App): DependencyPod[] {
  return a.catalog.dependencies.map((d) => {
    const c = catalogApp(d)!;
    return {
      name: dependencyName(a, d),
      component: d,
      controller: d === "postgres" ? "StatefulSet" : "Deployment",
      cpuMillis: millis(c.resources.cpu),
      memoryBytes: parseBytes(c.resources.memory)!,
      volume: d === "postgres" ? { storageClass: dependencyStorageClass(lab, a), sizeBytes: parseBytes(POSTGRES_VOLUME_SIZE)! } : undefined,
    };
  });
}

/**
 * The pods an app puts in front of the scheduler — its replicas and its own Postgres/Redis — with the
 * requests, node selection, tolerations, spread and volumes of the rendered templates.
 * `dependencies: false` leaves out the Postgres/Redis pods.
 */
export function appPods(lab: Lab, a: App, allArchs: ReadonlySet<string> = new Set(lab.nodes.map((n) => n.arch)), opts: { dependencies?: boolean } = {}): PlannedPod[] {
  const plan = podPlan(lab, a, allArchs);
  const pods: PlannedPod[] = [];
  for (let i = 0; i < plan.replicas; i++) {
    pods.push({
      id: `${a.namespace}/${a.name}-${i}`,
      app: a.name,
      ordinal: i,
      labels: { [INSTANCE_LABEL]: a.name },
      requests: plan.requests,
      nodeSelector: plan.nodeSelector,
      requiredNodeAffinity: plan.requiredNodeAffinity,
      tolerations: plan.tolerations,
      ...(plan.spread ? { spread: plan.spread } : {}),
      nodeLocalVolume: plan.nodeLocalVolume,
      stateless: plan.stateless,
      controller: plan.kind,
      ...(a.storageClass && a.volumes.length ? { storageClass: a.storageClass } : {}),
    });
  }
  if (a.replicas > 0 && opts.dependencies !== false) {
    for (const d of dependencyPods(lab, a)) {
      const local = d.volume?.storageClass !== undefined && lab.storageClasses.find((c) => c.name === d.volume!.storageClass)?.nodeLocal === true;
      const where = dependencyPlacement(lab, a, d.component);
      pods.push({
        id: `${a.namespace}/${d.name}-0`,
        app: d.name,
        partOf: a.name,
        ordinal: 0,
        labels: { [INSTANCE_LABEL]: d.name },
        requests: { cpuMillis: d.cpuMillis, memoryBytes: d.memoryBytes, gpus: 0 },
        nodeSelector: where.nodeSelector,
        requiredNodeAffinity: where.requiredNodeAffinity,
        tolerations: where.tolerations,
        nodeLocalVolume: local,
        stateless: d.volume === undefined,
        controller: d.controller,
        dependency: d.component,
        ...(d.volume?.storageClass ? { storageClass: d.volume.storageClass } : {}),
      });
    }
  }
  return pods;
}
