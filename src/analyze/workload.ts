// The Lab as the scheduler sees it: nodes with allocatable resources, and the pods of every app.
// Allocatable follows the distribution's defaults (its capabilities' systemReserved; 110 pods per
// node). Control planes carry node-role.kubernetes.io/control-plane:NoSchedule where the distribution
// taints them (Talos), unless the lab has no workers.
import type { Lab, Node, App } from "../lab/types.js";
import type { SimNode, SimPod } from "./model.js";
import { appPods as plannedPods } from "../lab/pods.js";

export const CONTROL_PLANE_TAINT = { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" as const };

export function systemReserved(lab: Lab): { cpuMillis: number; memoryBytes: number } {
  return lab.capabilities.systemReserved;
}

export function simNode(lab: Lab, n: Node): SimNode {
  const r = systemReserved(lab);
  const taints = [...n.taints];
  const hasWorkers = lab.nodes.some((x) => x.role === "worker");
  if (lab.capabilities.taintsControlPlanes && n.role === "controlplane" && hasWorkers && !taints.some((t) => t.key === CONTROL_PLANE_TAINT.key)) taints.push(CONTROL_PLANE_TAINT);
  return {
    name: n.name,
    host: n.host,
    labels: { ...n.labels, "kubernetes.io/arch": n.arch, "kubernetes.io/os": "linux", "kubernetes.io/hostname": n.name },
    taints,
    unschedulable: false,
    allocatable: { cpuMillis: n.cpu * 1000 - r.cpuMillis, memoryBytes: n.memoryBytes - r.memoryBytes, pods: 110, gpus: n.advertisedGpus },
  };
}

/**
 * The pods of an app as the cluster will run them: the same pod plan the renderer uses (replicas,
 * requests, node selection, tolerations, spread across hosts), and its own Postgres/Redis pods
 * (SimPod.dependency; the app serves only while they run).
 */
export function appPods(lab: Lab, a: App, allArchs: ReadonlySet<string> = new Set(lab.nodes.map((n) => n.arch))): SimPod[] {
  return plannedPods(lab, a, allArchs);
}

export function simulationInput(lab: Lab): { nodes: SimNode[]; pods: SimPod[] } {
  const archs = new Set(lab.nodes.map((n) => n.arch));
  return { nodes: lab.nodes.map((n) => simNode(lab, n)), pods: lab.apps.flatMap((a) => appPods(lab, a, archs)) };
}
