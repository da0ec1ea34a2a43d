// The app's Services: a ClusterIP Service for everything it listens on (the ingress and the other
// pods use it), and a LoadBalancer Service with the lab's allocated address for its raw TCP/UDP ports
// (DNS, git over SSH, sync protocols).
import type { App, Lab } from "../../lab/types.js";
import { appLabels, appSelector, meta } from "./labels.js";
import { lbServiceName, replicaServiceName, serviceName } from "./names.js";
import { EXTERNAL_DNS_HOSTNAME, publicDnsTarget } from "../platform/contract.js";

/** A Service's ports for the app's ports (by name, on their service port). */
const servicePorts = (ports: App["catalog"]["ports"]): Record<string, unknown>[] => ports.map((p) => ({ name: p.name, port: p.servicePort ?? p.port, targetPort: p.name, protocol: p.protocol }));

export function clusterService(a: App): Record<string, unknown> | undefined {
  if (!a.catalog.ports.length) return undefined;
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(serviceName(a), a.namespace, appLabels(a)),
    spec: {
      type: "ClusterIP",
      selector: appSelector(a),
      ports: servicePorts(a.catalog.ports),
    },
  };
}

/**
 * The headless Service that gives each of an app's independent replicas a name of its own
 * (<app>-<n>.<app>-replicas.<namespace>.svc): the StatefulSet's governing Service, for what must reach
 * every replica (external-dns writes Pi-hole's records into each).
 */
export function replicaService(a: App): Record<string, unknown> | undefined {
  if (!a.independentReplicas || !a.catalog.ports.length) return undefined;
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(replicaServiceName(a), a.namespace, appLabels(a)),
    spec: {
      clusterIP: "None",
      selector: appSelector(a),
      ports: servicePorts(a.catalog.ports),
    },
  };
}

/** Annotations that ask the load-balancer implementation for a specific address. */
export function addressAnnotations(lab: Lab, address: string): Record<string, string> {
  return lab.loadBalancer.implementation === "cilium" ? { "lbipam.cilium.io/ips": address } : { "metallb.io/loadBalancerIPs": address };
}

export function loadBalancerService(lab: Lab, a: App): Record<string, unknown> | undefined {
  const ports = a.catalog.ports.filter((p) => p.loadBalancer);
  if (!ports.length || a.exposure.kind === "none" || !a.loadBalancerAddress) return undefined;
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(lbServiceName(a), a.namespace, appLabels(a), {
      ...addressAnnotations(lab, a.loadBalancerAddress),
      ...(a.exposure.hostname ? { [EXTERNAL_DNS_HOSTNAME]: a.exposure.hostname, ...(a.exposure.kind === "public" ? publicDnsTarget(lab, "public") : {}) } : {}),
    }),
    spec: {
      type: "LoadBalancer",
      // keep client addresses (Pi-hole's per-client stats, Forgejo's SSH logs)
      externalTrafficPolicy: "Local",
      selector: appSelector(a),
      ports: servicePorts(ports),
    },
  };
}
