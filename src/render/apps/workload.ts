// The app's Deployment (stateless) or StatefulSet (stateful): pinned image, environment, probes,
// resources, security context, placement (arch, hosts, GPU, tolerations), spread across hosts, volumes.
import type { App, Lab } from "../../lab/types.js";
import { imageRef } from "../../catalog/app.js";
import { appEnv } from "./env.js";
import { appLabels, appSelector, meta } from "./labels.js";
import { filesConfigMapName, pvcName, replicaServiceName } from "./names.js";
import { claimTemplates } from "./storage.js";
import { podPlan, type PodPlan } from "../../lab/pods.js";
import { GPU_RESOURCE, GPU_RUNTIME_CLASS } from "../../lab/gpu.js";
import { placementFields } from "./placement.js";
import { cpuQuantity, memoryQuantity } from "./quantity.js";
import { containerSecurityContext, podSecurityContext } from "./security.js";

/** ConfigMap key for a file path: /app/config/settings.yaml → app-config-settings.yaml */
export const fileKey = (path: string): string => path.replace(/^\/+/, "").replace(/[^A-Za-z0-9._-]/g, "-");

function probes(a: App): Record<string, unknown> {
  const http = a.catalog.ports.find((p) => p.http);
  const first = a.catalog.ports[0];
  const check = a.catalog.healthPath && http ? { httpGet: { path: a.catalog.healthPath, port: http.name } } : first ? { tcpSocket: { port: first.name } } : undefined;
  if (!check || (first && first.protocol === "UDP" && !a.catalog.healthPath)) return {};
  return {
    startupProbe: { ...check, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 60 },
    readinessProbe: { ...check, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
    livenessProbe: { ...check, periodSeconds: 30, timeoutSeconds: 10, failureThreshold: 5 },
  };
}

/** The pod template of the app's main workload. */
export function podTemplate(lab: Lab, a: App, plan: PodPlan = podPlan(lab, a)): Record<string, unknown> {
  const c = a.catalog;
  const sec = { runAsUser: c.runAsUser, fsGroup: c.fsGroup, capabilities: c.capabilities, device: plan.serialDevice !== undefined };
  const memLimit = Math.round(a.resources.memoryBytes * (c.memoryLimitFactor ?? 2));
  const resources = {
    requests: { cpu: cpuQuantity(a.resources.cpuMillis), memory: memoryQuantity(a.resources.memoryBytes), ...(plan.requests.gpus ? { [GPU_RESOURCE]: String(plan.requests.gpus) } : {}) },
    limits: { memory: memoryQuantity(memLimit), ...(plan.requests.gpus ? { [GPU_RESOURCE]: String(plan.requests.gpus) } : {}) },
  };
  const mounts: Record<string, unknown>[] = a.volumes.map((v) => ({ name: v.name, mountPath: v.path }));
  // independent replicas mount their own claims, made from the StatefulSet's claim templates of these names
  const volumes: Record<string, unknown>[] = a.independentReplicas ? [] : a.volumes.map((v) => ({ name: v.name, persistentVolumeClaim: { claimName: pvcName(a, v.name) } }));
  const files = Object.keys(c.files ?? {}).sort();
  if (files.length) {
    for (const f of files) mounts.push({ name: "files", mountPath: f, subPath: fileKey(f), readOnly: true });
    volumes.push({ name: "files", configMap: { name: filesConfigMapName(a) } });
  }
  if (plan.serialDevice) {
    mounts.push({ name: "serial", mountPath: plan.serialDevice });
    volumes.push({ name: "serial", hostPath: { path: plan.serialDevice, type: "CharDevice" } });
  }
  const container: Record<string, unknown> = {
    name: "app",
    image: imageRef(a.image),
    imagePullPolicy: "IfNotPresent",
    ...(c.command ? { command: [...c.command] } : {}),
    ...(c.args ? { args: [...c.args] } : {}),
    ports: c.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: p.protocol })),
    env: appEnv(a),
    ...probes(a),
    resources,
    securityContext: containerSecurityContext(sec),
    ...(mounts.length ? { volumeMounts: mounts } : {}),
  };
  const spec: Record<string, unknown> = {
    ...(c.clusterRead ? { serviceAccountName: a.name, automountServiceAccountToken: true } : { automountServiceAccountToken: false }),
    enableServiceLinks: false,
    securityContext: podSecurityContext(sec),
    ...placementFields(plan),
    // the container runtime that hands the GPU to the container (the device plugin only allocates it)
    ...(plan.requests.gpus ? { runtimeClassName: GPU_RUNTIME_CLASS } : {}),
    ...(plan.spread
      ? {
          topologySpreadConstraints: [{
            maxSkew: plan.spread.maxSkew,
            topologyKey: plan.spread.topologyKey,
            whenUnsatisfiable: "DoNotSchedule",
            nodeTaintsPolicy: plan.spread.nodeTaintsPolicy,
            labelSelector: { matchLabels: appSelector(a) },
          }],
        }
      : {}),
    containers: [container],
    ...(volumes.length ? { volumes } : {}),
  };
  return { metadata: { labels: appLabels(a) }, spec };
}

/** Deployment or StatefulSet. */
export function workload(lab: Lab, a: App, plan: PodPlan = podPlan(lab, a)): Record<string, unknown> {
  const template = podTemplate(lab, a, plan);
  const base = { replicas: plan.replicas, revisionHistoryLimit: 3, selector: { matchLabels: appSelector(a) } };
  if (plan.kind === "StatefulSet") {
    if (a.independentReplicas) {
      // every replica starts at once and keeps its own claims; a rolling update replaces one at a time
      const claims = claimTemplates(lab, a);
      return { apiVersion: "apps/v1", kind: "StatefulSet", metadata: meta(a.name, a.namespace, appLabels(a)), spec: { ...base, serviceName: replicaServiceName(a), podManagementPolicy: "Parallel", updateStrategy: { type: "RollingUpdate" }, persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" }, template, ...(claims.length ? { volumeClaimTemplates: claims } : {}) } };
    }
    return { apiVersion: "apps/v1", kind: "StatefulSet", metadata: meta(a.name, a.namespace, appLabels(a)), spec: { ...base, serviceName: a.name, podManagementPolicy: "OrderedReady", updateStrategy: { type: "RollingUpdate" }, template } };
  }
  return { apiVersion: "apps/v1", kind: "Deployment", metadata: meta(a.name, a.namespace, appLabels(a)), spec: { ...base, strategy: plan.replicas > 1 ? { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } } : { type: "Recreate" }, template } };
}
