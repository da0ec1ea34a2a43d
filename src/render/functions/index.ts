// Functions (lab.functions): each single-file script becomes a CronJob (schedule) and/or a webhook
// Deployment + Service + route, in the `functions` namespace, its source in a ConfigMap, its runtime
// image pinned by file type. The source text is read by the loader (src/lab/file.ts) and carried
// on the resolved Lab, so rendering stays pure.
import type { FunctionDef, Lab } from "../../lab/types.js";
import type { Folder } from "../apps/folder.js";
import { platformNames } from "../apps/platform.js";
import { publicDnsTarget } from "../platform/contract.js";
import { dns1035 } from "../apps/names.js";
import { containerSecurityContext, podSecurityContext } from "../apps/security.js";
import { NODE_RUNNER, PYTHON_RUNNER, runtimeImage, interpreter, webhookImage } from "./runtimes.js";

export const FUNCTIONS_NAMESPACE = "functions";
const NOBODY = 65534;

const labels = (f: FunctionDef): Record<string, string> => ({
  "app.kubernetes.io/name": "function",
  "app.kubernetes.io/instance": f.name,
  "app.kubernetes.io/component": "function",
  "app.kubernetes.io/managed-by": "drover",
});

const scriptName = (f: FunctionDef): string => f.file.split("/").pop()!;

function env(f: FunctionDef): { name: string; value: string }[] {
  return Object.keys(f.env).sort().map((name) => ({ name, value: f.env[name]! }));
}

function podSpec(f: FunctionDef, image: string, command: string[], extraEnv: { name: string; value: string }[], ports: boolean, restartPolicy?: "OnFailure"): Record<string, unknown> {
  const sec = { runAsUser: NOBODY };
  return {
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: podSecurityContext(sec),
    ...(restartPolicy ? { restartPolicy } : {}),
    containers: [{
      name: "function",
      image,
      command,
      env: [...extraEnv, ...env(f)],
      ...(ports ? { ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }], readinessProbe: { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 10 } } : {}),
      resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "256Mi" } },
      securityContext: { ...containerSecurityContext(sec), readOnlyRootFilesystem: true },
      volumeMounts: [{ name: "source", mountPath: "/function", readOnly: true }, { name: "tmp", mountPath: "/tmp" }],
    }],
    volumes: [{ name: "source", configMap: { name: `${f.name}-source` } }, { name: "tmp", emptyDir: {} }],
  };
}

/** The objects of one function. */
export function functionObjects(lab: Lab, f: FunctionDef): Record<string, unknown>[] {
  if (f.source === undefined) throw new Error(`internal: the source of function ${f.name} (${f.file}) was not loaded`);
  const ns = FUNCTIONS_NAMESPACE;
  const l = labels(f);
  const script = `/function/${scriptName(f)}`;
  const data: Record<string, string> = { [scriptName(f)]: f.source };
  if (f.webhook) data[f.runtime === "node" ? "runner.mjs" : "runner.py"] = f.runtime === "node" ? NODE_RUNNER : PYTHON_RUNNER;
  const out: Record<string, unknown>[] = [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `${f.name}-source`, namespace: ns, labels: l }, data: sortObj(data) }];
  if (f.schedule) {
    out.push({
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: f.name, namespace: ns, labels: l },
      spec: {
        schedule: f.schedule,
        timeZone: "Etc/UTC",
        concurrencyPolicy: "Forbid",
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: { spec: { backoffLimit: 2, activeDeadlineSeconds: 3600, template: { metadata: { labels: l }, spec: podSpec(f, runtimeImage(lab.versions, f.runtime), interpreter(f.runtime, script), [], false, "OnFailure") } } },
      },
    });
  }
  if (f.webhook) {
    const runner = f.runtime === "node" ? ["node", "/function/runner.mjs"] : ["python3", "/function/runner.py"];
    out.push({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: f.name, namespace: ns, labels: l },
      spec: {
        replicas: 1,
        revisionHistoryLimit: 3,
        selector: { matchLabels: { "app.kubernetes.io/instance": f.name } },
        template: { metadata: { labels: l }, spec: podSpec(f, webhookImage(lab.versions, f.runtime), [...runner, ...interpreter(f.runtime, script)], [{ name: "WEBHOOK_PATH", value: f.webhook.path }], true) },
      },
    });
    out.push({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: dns1035(f.name), namespace: ns, labels: l },
      spec: { type: "ClusterIP", selector: { "app.kubernetes.io/instance": f.name }, ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }] },
    });
    const entry = f.webhook.exposure;
    if (entry !== "none" && f.webhook.hostname) {
      out.push({
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: { name: f.name, namespace: ns, labels: l, annotations: { "cert-manager.io/cluster-issuer": platformNames.clusterIssuer[entry], ...publicDnsTarget(lab, entry) } },
        spec: {
          ingressClassName: platformNames.ingressClass[entry],
          tls: [{ hosts: [f.webhook.hostname], secretName: `${f.name}-tls` }],
          rules: [{ host: f.webhook.hostname, http: { paths: [{ path: f.webhook.path, pathType: "Prefix", backend: { service: { name: dns1035(f.name), port: { name: "http" } } } }] } }],
        },
      });
    }
  }
  // webhooks are reached from the ingress controller only; functions may call out (that is what they are for)
  out.push({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: f.name, namespace: ns, labels: l },
    spec: {
      podSelector: { matchLabels: { "app.kubernetes.io/instance": f.name } },
      policyTypes: ["Ingress", "Egress"],
      ingress: f.webhook && f.webhook.exposure !== "none" ? [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": platformNames.ingressNamespace } } }], ports: [{ protocol: "TCP", port: 8080 }] }] : [],
      egress: [
        { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }], ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] },
        { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [lab.podCIDR, lab.serviceCIDR] } }] },
      ],
    },
  });
  return out;
}

function sortObj(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]!]));
}

export function functionFolders(lab: Lab): Folder[] {
  return lab.functions.map((f) => {
    const objs = functionObjects(lab, f);
    const byKind = (k: string) => objs.filter((o) => o.kind === k);
    return {
      namespace: FUNCTIONS_NAMESPACE,
      name: f.name,
      podSecurity: "restricted" as const,
      files: [
        { file: "configmap.yaml", docs: byKind("ConfigMap") },
        { file: "cronjob.yaml", docs: byKind("CronJob") },
        { file: "workload.yaml", docs: byKind("Deployment") },
        { file: "service.yaml", docs: byKind("Service") },
        { file: "ingress.yaml", docs: byKind("Ingress") },
        { file: "networkpolicy.yaml", docs: byKind("NetworkPolicy") },
      ],
    };
  });
}
