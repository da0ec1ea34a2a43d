// The Flux controllers of the pinned release, rendered as `flux install` lays them out (no download at
// reconcile time): the flux-system namespace, one ServiceAccount, Deployment (and Service) per controller,
// the cluster roles and bindings, the quota that admits system-cluster-critical pods outside kube-system,
// and the namespace's network policies. Facts (args, ports, probes, resources, security contexts) are the
// controllers' own config/manager manifests at these versions plus the flux2 install patches (events
// address, service account, priority class, GOMEMLIMIT, node selector, labels).
import { FLUX_NS, FLUX_VERSION, meta, namespace, type Obj } from "./layout.js";
import { FLUX_CONTROLLERS } from "../../versions/defaults.js";

export { FLUX_CONTROLLERS };
export type FluxController = keyof typeof FLUX_CONTROLLERS;

export const fluxImage = (c: FluxController): string => `ghcr.io/fluxcd/${c}:v${FLUX_CONTROLLERS[c]}`;

const EVENTS_ADDR = `http://notification-controller.${FLUX_NS}.svc.cluster.local./`;

/** The labels flux install puts on every object (and pod template) of a component. */
function labels(component?: FluxController): Record<string, string> {
  return {
    "app.kubernetes.io/instance": FLUX_NS,
    "app.kubernetes.io/part-of": "flux",
    "app.kubernetes.io/version": `v${FLUX_VERSION}`,
    ...(component ? { "app.kubernetes.io/component": component } : {}),
  };
}

const fluxMeta = (name: string, component?: FluxController, extra: Record<string, string> = {}): Obj =>
  meta(name, FLUX_NS, { ...labels(component), ...extra });
const clusterMeta = (name: string, extra: Record<string, string> = {}): Obj => meta(name, undefined, { ...labels(), ...extra });

interface Port { readonly name: string; readonly port: number }
interface Spec {
  readonly ports: readonly Port[];
  readonly readiness: { path: string; port: string };
  readonly terminationGracePeriodSeconds: number;
  readonly cpuRequest: string;
  readonly critical: boolean;
  readonly fsGroup: boolean;
  readonly args: readonly string[];
  readonly env?: readonly Obj[];
  readonly volumes: readonly { name: string; path: string }[];
  readonly recreate?: boolean;
}

const COMMON_ARGS = ["--watch-all-namespaces=true", "--log-level=info", "--log-encoding=json", "--enable-leader-election"];
const PROM: Port = { name: "http-prom", port: 8080 };
const HEALTHZ: Port = { name: "healthz", port: 9440 };

const SPECS: Record<FluxController, Spec> = {
  "source-controller": {
    ports: [{ name: "http", port: 9090 }, PROM, HEALTHZ],
    readiness: { path: "/", port: "http" },
    terminationGracePeriodSeconds: 10,
    cpuRequest: "50m",
    critical: true,
    fsGroup: true,
    args: [`--events-addr=${EVENTS_ADDR}`, ...COMMON_ARGS, "--storage-path=/data", "--storage-adv-addr=source-controller.$(RUNTIME_NAMESPACE).svc.cluster.local."],
    env: [{ name: "TUF_ROOT", value: "/tmp/.sigstore" }],
    volumes: [{ name: "data", path: "/data" }, { name: "tmp", path: "/tmp" }],
    recreate: true,
  },
  "kustomize-controller": {
    ports: [PROM, HEALTHZ],
    readiness: { path: "/readyz", port: "healthz" },
    terminationGracePeriodSeconds: 60,
    cpuRequest: "100m",
    critical: true,
    fsGroup: true,
    args: [`--events-addr=${EVENTS_ADDR}`, ...COMMON_ARGS],
    volumes: [{ name: "temp", path: "/tmp" }],
  },
  "helm-controller": {
    ports: [PROM, HEALTHZ],
    readiness: { path: "/readyz", port: "healthz" },
    terminationGracePeriodSeconds: 600,
    cpuRequest: "100m",
    critical: true,
    fsGroup: true,
    args: [`--events-addr=${EVENTS_ADDR}`, ...COMMON_ARGS],
    volumes: [{ name: "temp", path: "/tmp" }],
  },
  "notification-controller": {
    ports: [{ name: "http", port: 9090 }, { name: "http-webhook", port: 9292 }, PROM, HEALTHZ],
    readiness: { path: "/readyz", port: "healthz" },
    terminationGracePeriodSeconds: 10,
    cpuRequest: "100m",
    critical: false,
    fsGroup: false,
    args: COMMON_ARGS,
    volumes: [{ name: "temp", path: "/tmp" }],
  },
};

function deployment(c: FluxController): Obj {
  const s = SPECS[c];
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: fluxMeta(c, c, { "control-plane": "controller" }),
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: c } },
      ...(s.recreate ? { strategy: { type: "Recreate" } } : {}),
      template: {
        metadata: {
          labels: { app: c, ...labels(c) },
          annotations: { "prometheus.io/scrape": "true", "prometheus.io/port": "8080" },
        },
        spec: {
          serviceAccountName: c,
          ...(s.critical ? { priorityClassName: "system-cluster-critical" } : {}),
          terminationGracePeriodSeconds: s.terminationGracePeriodSeconds,
          nodeSelector: { "kubernetes.io/os": "linux" },
          ...(s.fsGroup ? { securityContext: { fsGroup: 1337 } } : {}),
          containers: [{
            name: "manager",
            image: fluxImage(c),
            imagePullPolicy: "IfNotPresent",
            args: [...s.args],
            env: [
              { name: "RUNTIME_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
              ...(s.env ?? []),
              { name: "GOMEMLIMIT", valueFrom: { resourceFieldRef: { containerName: "manager", resource: "limits.memory" } } },
            ],
            ports: s.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: "TCP" })),
            livenessProbe: { httpGet: { path: "/healthz", port: "healthz" } },
            readinessProbe: { httpGet: { path: s.readiness.path, port: s.readiness.port } },
            resources: { limits: { cpu: "1000m", memory: "1Gi" }, requests: { cpu: s.cpuRequest, memory: "64Mi" } },
            securityContext: {
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              runAsNonRoot: true,
              capabilities: { drop: ["ALL"] },
              seccompProfile: { type: "RuntimeDefault" },
            },
            volumeMounts: s.volumes.map((v) => ({ name: v.name, mountPath: v.path })),
          }],
          volumes: s.volumes.map((v) => ({ name: v.name, emptyDir: {} })),
        },
      },
    },
  };
}

function service(name: string, c: FluxController, targetPort: string): Obj {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: fluxMeta(name, c, { "control-plane": "controller" }),
    spec: { type: "ClusterIP", selector: { app: c }, ports: [{ name: "http", port: 80, protocol: "TCP", targetPort }] },
  };
}

const FLUX_GROUPS = ["source.toolkit.fluxcd.io", "kustomize.toolkit.fluxcd.io", "helm.toolkit.fluxcd.io", "notification.toolkit.fluxcd.io", "image.toolkit.fluxcd.io", "source.extensions.fluxcd.io"];
const sa = (name: string): Obj => ({ kind: "ServiceAccount", name, namespace: FLUX_NS });
const controllers = Object.keys(FLUX_CONTROLLERS) as FluxController[];

function rbac(): Obj[] {
  const suffix = `-${FLUX_NS}`;
  return [
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: clusterMeta(`crd-controller${suffix}`),
      rules: [
        ...FLUX_GROUPS.map((g) => ({ apiGroups: [g], resources: ["*"], verbs: ["*"] })),
        { apiGroups: [""], resources: ["namespaces", "secrets", "configmaps", "serviceaccounts"], verbs: ["get", "list", "watch"] },
        { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
        // leader election
        { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] },
        { apiGroups: [""], resources: ["configmaps/status"], verbs: ["get", "update", "patch"] },
        { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] },
        // object-level workload identity
        { apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"] },
        // flow control
        { nonResourceURLs: ["/livez/ping"], verbs: ["head"] },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: clusterMeta(`crd-controller${suffix}`),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: `crd-controller${suffix}` },
      subjects: controllers.map(sa),
    },
    {
      // the appliers: kustomize- and helm-controller apply whatever the repository holds
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: clusterMeta(`cluster-reconciler${suffix}`),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
      subjects: [sa("kustomize-controller"), sa("helm-controller")],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: clusterMeta(`flux-edit${suffix}`, { "rbac.authorization.k8s.io/aggregate-to-admin": "true", "rbac.authorization.k8s.io/aggregate-to-edit": "true" }),
      rules: [{ apiGroups: [...FLUX_GROUPS].sort(), resources: ["*"], verbs: ["create", "delete", "deletecollection", "patch", "update"] }],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: clusterMeta(`flux-view${suffix}`, { "rbac.authorization.k8s.io/aggregate-to-admin": "true", "rbac.authorization.k8s.io/aggregate-to-edit": "true", "rbac.authorization.k8s.io/aggregate-to-view": "true" }),
      rules: [{ apiGroups: [...FLUX_GROUPS].sort(), resources: ["*"], verbs: ["get", "list", "watch"] }],
    },
  ];
}

function policies(): Obj[] {
  const np = (name: string, spec: Obj): Obj => ({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: fluxMeta(name), spec });
  return [
    // the controllers talk to each other and to anything outside
    np("allow-egress", { podSelector: {}, policyTypes: ["Ingress", "Egress"], ingress: [{ from: [{ podSelector: {} }] }], egress: [{}] }),
    np("allow-scraping", { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ protocol: "TCP", port: 8080 }] }] }),
    np("allow-webhooks", { podSelector: { matchLabels: { app: "notification-controller" } }, policyTypes: ["Ingress"], ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ protocol: "TCP", port: 9292 }] }] }),
  ];
}

/** Everything of the Flux install except its CRDs (those are applied first: flux-system/crds). */
export function fluxControllerObjects(): Obj[] {
  const ns = namespace(FLUX_NS, "restricted");
  (ns.metadata as Obj).labels = { ...labels(), ...((ns.metadata as Obj).labels as Record<string, string>) };
  return [
    ns,
    {
      // Kubernetes admits system-cluster-critical pods outside kube-system only under a quota for them
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: fluxMeta(`critical-pods-${FLUX_NS}`),
      spec: { hard: { pods: "1000" }, scopeSelector: { matchExpressions: [{ operator: "In", scopeName: "PriorityClass", values: ["system-node-critical", "system-cluster-critical"] }] } },
    },
    ...rbac(),
    ...controllers.map((c): Obj => ({ apiVersion: "v1", kind: "ServiceAccount", metadata: fluxMeta(c, c) })),
    service("source-controller", "source-controller", "http"),
    service("notification-controller", "notification-controller", "http"),
    service("webhook-receiver", "notification-controller", "http-webhook"),
    ...controllers.map(deployment),
    ...policies(),
  ];
}
