// Backing services. Decision: every app that needs Postgres or Redis gets its OWN instance, in its
// namespace and folder (<app>-postgres StatefulSet with its PVC, <app>-redis Deployment), rather than
// one shared server:
//   - versions and builds differ per app (Immich needs Postgres with vector extensions),
//   - an app's data is backed up, restored and removed together with the app,
//   - the NetworkPolicy stays simple (only the app reaches its database), and one app's load or
//     upgrade never takes another app's database down,
//   - the cost is a few hundred MiB per instance, which a home lab can afford.
// The catalog's standalone `postgres` and `redis` apps remain available for users who want a shared one.
import type { App, Lab } from "../../lab/types.js";
import type { Dependency } from "../../catalog/app.js";
import { imageRef } from "../../catalog/app.js";
import { catalogApp } from "../../catalog/index.js";
import { componentLabels, meta } from "./labels.js";
import { appSecretName } from "./names.js";
import { dependencyName, dependencyPlacement, dependencyStorageClass, dns1035, POSTGRES_VOLUME_SIZE } from "../../lab/pods.js";
import { placementFields } from "./placement.js";

export { dependencyName };
import { containerSecurityContext, podSecurityContext } from "./security.js";
import { KEEP } from "../flux/keep.js";

export interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly database?: string;
  readonly user?: string;
}

/** The container fields in which a Postgres and a Redis instance differ. */
interface DependencyContainer {
  readonly args?: string[];
  readonly env?: Record<string, unknown>[];
  readonly readinessProbe: Record<string, unknown>;
  readonly volumeMounts: Record<string, unknown>[];
}

/** Postgres role and database name: the instance name with '-' as '_' (no quoting needed). */
export const databaseName = (a: App): string => dns1035(a.name).replace(/-/g, "_");

export function dependencyEndpoint(a: App, d: Dependency): Endpoint {
  const host = `${dependencyName(a, d)}.${a.namespace}.svc.cluster.local`;
  return d === "postgres" ? { host, port: 5432, database: databaseName(a), user: databaseName(a) } : { host, port: 6379 };
}

/** The Kubernetes objects of one dependency, in a fixed order. */
export function dependencyObjects(lab: Lab, a: App, d: Dependency): Record<string, unknown>[] {
  const c = catalogApp(d)!;
  const image = lab.versions.images[d === "postgres" && a.catalog.dependencyImages?.postgres ? a.catalog.dependencyImages.postgres : d];
  const name = dependencyName(a, d);
  const labels = componentLabels(a, d, c.name, image.tag);
  const selector = { "app.kubernetes.io/instance": name };
  const port = c.ports[0]!;
  const sec = { runAsUser: c.runAsUser, fsGroup: c.fsGroup };
  const resources = { requests: { cpu: c.resources.cpu, memory: c.resources.memory }, limits: { memory: c.resources.memory.replace(/^(\d+)/, (n) => String(Number(n) * 2)) } };
  const probe = { tcpSocket: { port: port.name }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 };
  // the pod of either kind: what differs is the container's args, env, readiness probe and mounts, and the volumes
  const podTemplate = (container: DependencyContainer, volumes: Record<string, unknown>[]) => ({
    metadata: { labels },
    spec: {
      automountServiceAccountToken: false,
      securityContext: podSecurityContext(sec),
      ...placementFields(dependencyPlacement(lab, a, d)),
      containers: [{
        name: d,
        image: imageRef(image),
        ...(container.args ? { args: container.args } : {}),
        ports: [{ name: port.name, containerPort: port.port, protocol: port.protocol }],
        ...(container.env ? { env: container.env } : {}),
        readinessProbe: container.readinessProbe,
        livenessProbe: probe,
        resources,
        securityContext: containerSecurityContext(sec),
        volumeMounts: container.volumeMounts,
      }],
      volumes,
    },
  });
  const out: Record<string, unknown>[] = [];
  if (d === "postgres") {
    const db = databaseName(a);
    out.push({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: meta(`${name}-data`, a.namespace, labels, KEEP),
      spec: { accessModes: ["ReadWriteOnce"], ...(dependencyStorageClass(lab, a) ? { storageClassName: dependencyStorageClass(lab, a) } : {}), resources: { requests: { storage: POSTGRES_VOLUME_SIZE } } },
    });
    out.push({
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: meta(name, a.namespace, labels),
      spec: {
        serviceName: name,
        replicas: 1,
        selector: { matchLabels: selector },
        template: podTemplate({
          env: [
            { name: "POSTGRES_PASSWORD", valueFrom: { secretKeyRef: { name: appSecretName(a), key: "postgres-password" } } },
            { name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" },
            { name: "POSTGRES_DB", value: db },
            { name: "POSTGRES_USER", value: db },
          ],
          readinessProbe: { exec: { command: ["pg_isready", "-U", db, "-d", db, "-h", "127.0.0.1"] }, periodSeconds: 10, timeoutSeconds: 5 },
          volumeMounts: [{ name: "data", mountPath: "/var/lib/postgresql/data" }, { name: "run", mountPath: "/var/run/postgresql" }],
        }, [{ name: "data", persistentVolumeClaim: { claimName: `${name}-data` } }, { name: "run", emptyDir: {} }]),
      },
    });
  } else {
    out.push({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: meta(name, a.namespace, labels),
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        strategy: { type: "Recreate" },
        template: podTemplate({
          ...(c.args ? { args: [...c.args] } : {}),
          readinessProbe: probe,
          volumeMounts: [{ name: "data", mountPath: "/data" }],
        }, [{ name: "data", emptyDir: {} }]),
      },
    });
  }
  out.push({
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(name, a.namespace, labels),
    spec: { type: "ClusterIP", selector, ports: [{ name: port.name, port: port.port, targetPort: port.name, protocol: port.protocol }] },
  });
  out.push({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: meta(name, a.namespace, labels),
    spec: {
      podSelector: { matchLabels: selector },
      policyTypes: ["Ingress", "Egress"],
      // only the app that owns it; it talks to nobody
      ingress: [{ from: [{ podSelector: { matchLabels: { "app.kubernetes.io/instance": a.name } } }], ports: [{ protocol: port.protocol, port: port.port }] }],
      egress: [],
    },
  });
  return out;
}
