// The Lab as the scheduler sees it: nodes with allocatable resources, and the pods of every app.
// Allocatable follows the distributions' defaults: Talos reserves 50m CPU / 192Mi for the system
// (machine.kubelet defaults) and both keep a 100Mi hard-eviction threshold; 110 pods per node.
// Control planes carry node-role.kubernetes.io/control-plane:NoSchedule on Talos (unless the lab
// has no workers), and no taint on k3s servers (k3s's default).
import type { Lab, Node, App } from "../lab/types.js";
import type { SimNode, SimPod, Toleration } from "./model.js";

const MI = 2 ** 20;
export const CONTROL_PLANE_TAINT = { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" as const };

export function systemReserved(lab: Lab): { cpuMillis: number; memoryBytes: number } {
  return lab.distribution === "talos" ? { cpuMillis: 50, memoryBytes: 192 * MI + 100 * MI } : { cpuMillis: 0, memoryBytes: 100 * MI };
}

export function simNode(lab: Lab, n: Node): SimNode {
  const r = systemReserved(lab);
  const taints = [...n.taints];
  const hasWorkers = lab.nodes.some((x) => x.role === "worker");
  if (lab.distribution === "talos" && n.role === "controlplane" && hasWorkers && !taints.some((t) => t.key === CONTROL_PLANE_TAINT.key)) taints.push(CONTROL_PLANE_TAINT);
  return {
    name: n.name,
    host: n.host,
    labels: { ...n.labels, "kubernetes.io/arch": n.arch, "kubernetes.io/os": "linux", "kubernetes.io/hostname": n.name },
    taints,
    unschedulable: false,
    allocatable: { cpuMillis: n.cpu * 1000 - r.cpuMillis, memoryBytes: n.memoryBytes - r.memoryBytes, pods: 110, gpus: n.gpus },
  };
}

export function appPods(lab: Lab, a: App, allArchs: ReadonlySet<string> = new Set(lab.nodes.map((n) => n.arch))): SimPod[] {
  const nodeLocal = a.storageClass !== undefined && lab.storageClasses.find((c) => c.name === a.storageClass)?.nodeLocal === true;
  const affinity: { key: string; values: string[] }[] = [];
  if (a.placement.archs.length && [...allArchs].some((x) => !(a.placement.archs as readonly string[]).includes(x))) affinity.push({ key: "kubernetes.io/arch", values: [...a.placement.archs] });
  if (a.placement.hosts.length) affinity.push({ key: "drover.dev/host", values: [...a.placement.hosts] });
  const tolerations: Toleration[] = a.placement.tolerations.map((t) => ({ key: t.key, operator: t.value === undefined ? "Exists" : "Equal", ...(t.value !== undefined ? { value: t.value } : {}), effect: t.effect }));
  if (a.placement.gpu > 0) tolerations.push({ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" });
  const pods: SimPod[] = [];
  for (let i = 0; i < a.replicas; i++) {
    pods.push({
      id: `${a.namespace}/${a.name}-${i}`,
      app: a.name,
      ordinal: i,
      labels: { "app.kubernetes.io/instance": a.name },
      requests: { cpuMillis: a.resources.cpuMillis, memoryBytes: a.resources.memoryBytes, gpus: a.placement.gpu },
      nodeSelector: { ...a.placement.nodeSelector },
      requiredNodeAffinity: affinity,
      tolerations,
      nodeLocalVolume: nodeLocal,
      stateless: a.catalog.volumes.length === 0,
    });
  }
  return pods;
}

export function simulationInput(lab: Lab): { nodes: SimNode[]; pods: SimPod[] } {
  const archs = new Set(lab.nodes.map((n) => n.arch));
  return { nodes: lab.nodes.map((n) => simNode(lab, n)), pods: lab.apps.flatMap((a) => appPods(lab, a, archs)) };
}
