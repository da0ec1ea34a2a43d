// The app's NetworkPolicy: deny by default; in, the ingress controller on the web ports, anyone on the
// load-balanced raw ports; out, DNS, the app's own Postgres/Redis, the API server for apps that read
// cluster objects, and the internet (not the cluster's pod and service ranges) for apps that need it.
import type { App, Lab } from "../../lab/types.js";
import { dependencyName } from "./dependencies.js";
import { catalogApp } from "../../catalog/index.js";
import { appLabels, appSelector, meta } from "./labels.js";
import { platformNames } from "./platform.js";

const nsSelector = (ns: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } } });

export function networkPolicy(lab: Lab, a: App): Record<string, unknown> {
  const ingress: Record<string, unknown>[] = [];
  const http = a.catalog.ports.filter((p) => p.http);
  if (http.length && a.exposure.kind !== "none") {
    ingress.push({ from: [nsSelector(platformNames.ingressNamespace)], ports: http.map((p) => ({ protocol: p.protocol, port: p.port })) });
  }
  const lb = a.catalog.ports.filter((p) => p.loadBalancer);
  if (lb.length && a.exposure.kind !== "none") ingress.push({ ports: lb.map((p) => ({ protocol: p.protocol, port: p.port })) });
  const egress: Record<string, unknown>[] = [
    { to: [{ ...nsSelector("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }], ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] },
  ];
  for (const d of a.catalog.dependencies) {
    const port = catalogApp(d)!.ports[0]!;
    egress.push({ to: [{ podSelector: { matchLabels: { "app.kubernetes.io/instance": dependencyName(a, d) } } }], ports: [{ protocol: port.protocol, port: port.port }] });
  }
  if (a.catalog.clusterRead) {
    const apiServers = [...new Set([lab.endpoint.address, ...lab.controlPlanes().map((n) => n.address)])].filter((x) => /^\d+\.\d+\.\d+\.\d+$/.test(x)).sort();
    if (apiServers.length) egress.push({ to: apiServers.map((ip) => ({ ipBlock: { cidr: `${ip}/32` } })), ports: [{ protocol: "TCP", port: lab.endpoint.port }] });
  }
  if (a.catalog.internet) egress.push({ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [lab.podCIDR, lab.serviceCIDR] } }] });
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: meta(a.name, a.namespace, appLabels(a)),
    spec: { podSelector: { matchLabels: appSelector(a) }, policyTypes: ["Ingress", "Egress"], ingress, egress },
  };
}
