// Metrics, dashboards, logs and alerts: kube-prometheus-stack (Prometheus, Alertmanager, Grafana unless
// the lab runs its own Grafana app), Loki (single binary) fed by Alloy, and the Apprise relay.
import type { Lab } from "../../lab/types.js";
import { helmRelease, meta, secret, type Component, type Obj } from "../flux/layout.js";
import type { ChartName } from "../flux/charts.js";
import { CLUSTER_ISSUER, INGRESS_CLASS, NAMESPACES } from "./contract.js";
import { alertmanagerConfig, appriseRelay } from "./alerting.js";
import type { SecretSource } from "./secrets.js";

const NS = NAMESPACES.monitoring;
export const LOKI_URL = `http://loki.${NS}.svc.cluster.local:3100`;

const pvc = (lab: Lab, size: string): Obj => ({
  spec: { ...(lab.defaultStorageClass ? { storageClassName: lab.defaultStorageClass } : {}), accessModes: ["ReadWriteOnce"], resources: { requests: { storage: size } } },
});

export const hasGrafanaApp = (lab: Lab): boolean => lab.apps.some((a) => a.catalog.name === "grafana");

export function kubePrometheusStackValues(lab: Lab): Obj {
  const cps = lab.controlPlanes().map((n) => n.address).sort();
  const grafana = !hasGrafanaApp(lab);
  const host = `grafana.${lab.domains.private}`;
  return {
    crds: { enabled: true },
    // control-plane components listen on the control-plane nodes' addresses
    kubeControllerManager: { endpoints: cps },
    kubeScheduler: { endpoints: cps },
    kubeEtcd: { endpoints: cps, service: { port: 2381, targetPort: 2381 } },
    kubeProxy: { enabled: lab.cni !== "cilium" },
    prometheus: {
      prometheusSpec: {
        retention: lab.monitoring.retention,
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        ruleSelectorNilUsesHelmValues: false,
        probeSelectorNilUsesHelmValues: false,
        storageSpec: { volumeClaimTemplate: pvc(lab, "20Gi") },
      },
    },
    alertmanager: {
      config: alertmanagerConfig(lab),
      alertmanagerSpec: { storage: { volumeClaimTemplate: pvc(lab, "1Gi") } },
    },
    grafana: grafana
      ? {
          enabled: true,
          admin: { existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" },
          ingress: {
            enabled: true,
            ingressClassName: INGRESS_CLASS.private,
            annotations: { "cert-manager.io/cluster-issuer": CLUSTER_ISSUER.private, "gethomepage.dev/enabled": "true", "gethomepage.dev/name": "Grafana", "gethomepage.dev/group": "Monitoring", "gethomepage.dev/icon": "grafana.png" },
            hosts: [host],
            tls: [{ hosts: [host], secretName: "grafana-tls" }],
          },
          persistence: { enabled: true, size: "2Gi", ...(lab.defaultStorageClass ? { storageClassName: lab.defaultStorageClass } : {}) },
          ...(lab.monitoring.logs ? { additionalDataSources: [{ name: "Loki", type: "loki", uid: "loki", url: LOKI_URL, access: "proxy" }] } : {}),
        }
      : { enabled: false, forceDeployDashboards: true, forceDeployDatasources: true },
  };
}

export function lokiValues(lab: Lab): Obj {
  return {
    deploymentMode: "SingleBinary",
    loki: {
      auth_enabled: false,
      commonConfig: { replication_factor: 1 },
      storage: { type: "filesystem" },
      schemaConfig: { configs: [{ from: "2024-04-01", store: "tsdb", object_store: "filesystem", schema: "v13", index: { prefix: "loki_index_", period: "24h" } }] },
      limits_config: { retention_period: lab.monitoring.retention },
      compactor: { retention_enabled: true, delete_request_store: "filesystem" },
    },
    singleBinary: { replicas: 1, persistence: { enabled: true, size: "20Gi", ...(lab.defaultStorageClass ? { storageClass: lab.defaultStorageClass } : {}) } },
    read: { replicas: 0 },
    write: { replicas: 0 },
    backend: { replicas: 0 },
    gateway: { enabled: false },
    chunksCache: { enabled: false },
    resultsCache: { enabled: false },
    lokiCanary: { enabled: false },
    test: { enabled: false },
    minio: { enabled: false },
  };
}

export const ALLOY_CONFIG = `discovery.kubernetes "pods" {
  role = "pod"
  selectors {
    role  = "pod"
    field = "spec.nodeName=" + coalesce(sys.env("HOSTNAME"), constants.hostname)
  }
}

discovery.relabel "pods" {
  targets = discovery.kubernetes.pods.targets
  rule {
    source_labels = ["__meta_kubernetes_namespace"]
    target_label  = "namespace"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_name"]
    target_label  = "pod"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_container_name"]
    target_label  = "container"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_label_app_kubernetes_io_instance"]
    target_label  = "app"
  }
}

loki.source.kubernetes "pods" {
  targets    = discovery.relabel.pods.output
  forward_to = [loki.write.lab.receiver]
}

loki.write "lab" {
  endpoint {
    url = "${LOKI_URL}/loki/api/v1/push"
  }
}
`;

export function alloyValues(): Obj {
  return {
    alloy: { configMap: { create: true, content: ALLOY_CONFIG }, extraEnv: [{ name: "HOSTNAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }] },
    controller: { type: "daemonset" },
  };
}

/**
 * Flux's own failures (a Kustomization or HelmRelease that does not reconcile) as alerts in
 * Alertmanager, so they reach the same Apprise URLs (notification.toolkit.fluxcd.io/v1beta3 is the
 * current API of Provider and Alert).
 */
export function fluxAlerts(releaseNamespaces: readonly string[]): Obj[] {
  const flux = NAMESPACES.flux;
  return [
    { apiVersion: "notification.toolkit.fluxcd.io/v1beta3", kind: "Provider", metadata: meta("alertmanager", flux), spec: { type: "alertmanager", address: `http://alertmanager-operated.${NS}.svc.cluster.local:9093/api/v2/alerts/` } },
    {
      apiVersion: "notification.toolkit.fluxcd.io/v1beta3",
      kind: "Alert",
      metadata: meta("reconciliation-failures", flux),
      spec: {
        providerRef: { name: "alertmanager" },
        eventSeverity: "error",
        eventSources: [
          { kind: "GitRepository", name: "*" },
          { kind: "Kustomization", name: "*" },
          { kind: "HelmRepository", name: "*" },
          { kind: "OCIRepository", name: "*" },
          ...[...new Set(releaseNamespaces)].sort().map((ns) => ({ kind: "HelmRelease", name: "*", namespace: ns })),
        ],
      },
    },
  ];
}

export function monitoring(lab: Lab, s: SecretSource, deps: readonly string[], releaseNamespaces: readonly string[] = []): Component | undefined {
  if (!lab.monitoring.enabled) return undefined;
  const relay = appriseRelay(lab, s);
  const charts: ChartName[] = ["kube-prometheus-stack"];
  const objects: Obj[] = [helmRelease("kube-prometheus-stack", NS, lab.versions.charts["kube-prometheus-stack"], kubePrometheusStackValues(lab))];
  if (lab.monitoring.logs) {
    charts.push("loki", "alloy");
    objects.push(helmRelease("loki", NS, lab.versions.charts["loki"], lokiValues(lab)), helmRelease("alloy", NS, lab.versions.charts["alloy"], alloyValues(), { dependsOn: [{ name: "loki" }] }));
  }
  const secrets: Obj[] = [...relay.secrets];
  if (!hasGrafanaApp(lab)) secrets.push(secret("grafana-admin", NS, { "admin-user": "admin", "admin-password": s.generated("grafana-admin-password") }));
  return { name: "monitoring", namespace: NS, podSecurity: "privileged", dependsOn: deps, objects: [...objects, ...relay.objects], secrets, config: fluxAlerts([...releaseNamespaces, NS]), charts };
}
