// The CNI and load-balancer addresses: Cilium (kube-proxy replacement; where it reaches the API and
// the OS settings it needs come from the distribution) with LB IPAM and L2 announcements, or MetalLB
// (IPAddressPool + L2Advertisement) next to k3s's flannel.
import type { Lab } from "../../lab/types.js";
import { parseRange } from "../../net/ip.js";
import { formatIp } from "../../net/ip.js";
import { helmRelease, meta, type Component, type Obj } from "../flux/layout.js";
import { NAMESPACES } from "./contract.js";
import { distributionOf } from "../distributions.js";

function poolBlock(lab: Lab): { start: string; stop: string } | undefined {
  if (!lab.loadBalancer.pool) return undefined;
  const r = parseRange(lab.loadBalancer.pool);
  if ("error" in r) throw new Error(`internal: load-balancer pool ${lab.loadBalancer.pool}: ${r.error}`);
  return { start: formatIp(r.range.first), stop: formatIp(r.range.last) };
}

export function ciliumValues(lab: Lab): Obj {
  const l2 = lab.loadBalancer.implementation === "cilium" && lab.loadBalancer.pool !== undefined;
  const controlPlanes = lab.controlPlanes().length;
  return {
    ipam: { mode: "kubernetes" },
    kubeProxyReplacement: true,
    // where the agents reach the API (Talos: KubePrism on every node; k3s: the cluster endpoint), and OS settings
    ...distributionOf(lab).ciliumValues(lab),
    l2announcements: { enabled: l2 },
    externalIPs: { enabled: l2 },
    // L2 announcements hold one lease per service: give the agents room against the API server
    k8sClientRateLimit: { qps: 20, burst: 40 },
    operator: { replicas: Math.min(2, Math.max(1, controlPlanes)) },
    hubble: { enabled: true, relay: { enabled: true }, ui: { enabled: false } },
    rollOutCiliumPods: true,
    // versions.yaml's upgradeCompatibility: the chart keeps the defaults of the minor release the cluster runs
    ...(lab.versions.upgradeCompatibility.cilium ? { upgradeCompatibility: lab.versions.upgradeCompatibility.cilium } : {}),
  };
}

export function cilium(lab: Lab): Component | undefined {
  if (lab.cni !== "cilium") return undefined;
  const block = poolBlock(lab);
  const config: Obj[] = lab.loadBalancer.implementation === "cilium" && block
    ? [
        { apiVersion: "cilium.io/v2", kind: "CiliumLoadBalancerIPPool", metadata: meta("lab-pool"), spec: { blocks: [block] } },
        {
          apiVersion: "cilium.io/v2alpha1",
          kind: "CiliumL2AnnouncementPolicy",
          metadata: meta("lab-l2"),
          spec: { loadBalancerIPs: true, externalIPs: true, nodeSelector: { matchExpressions: [{ key: "node-role.kubernetes.io/control-plane", operator: "DoesNotExist" }] } },
        },
      ]
    : [];
  return {
    name: "cilium",
    namespace: NAMESPACES.kubeSystem,
    podSecurity: "privileged",
    dependsOn: [],
    objects: [helmRelease("cilium", NAMESPACES.kubeSystem, lab.versions.charts["cilium"], ciliumValues(lab))],
    config,
    charts: ["cilium"],
  };
}

export function metallbValues(): Obj {
  return { speaker: { frr: { enabled: false } }, prometheus: { serviceMonitor: { enabled: false } } };
}

export function metallb(lab: Lab): Component | undefined {
  if (lab.loadBalancer.implementation !== "metallb") return undefined;
  const block = poolBlock(lab);
  const ns = NAMESPACES.loadBalancer;
  return {
    name: "metallb",
    namespace: ns,
    podSecurity: "privileged",
    dependsOn: [],
    objects: [helmRelease("metallb", ns, lab.versions.charts["metallb"], metallbValues())],
    config: block
      ? [
          { apiVersion: "metallb.io/v1beta1", kind: "IPAddressPool", metadata: meta("lab-pool", ns), spec: { addresses: [`${block.start}-${block.stop}`], autoAssign: true } },
          { apiVersion: "metallb.io/v1beta1", kind: "L2Advertisement", metadata: meta("lab-l2", ns), spec: { ipAddressPools: ["lab-pool"] } },
        ]
      : [],
    charts: ["metallb"],
  };
}

/** Annotations that ask the lab's load-balancer implementation for a specific address. */
export function addressAnnotations(lab: Lab, address: string): Record<string, string> {
  return lab.loadBalancer.implementation === "cilium" ? { "lbipam.cilium.io/ips": address } : { "metallb.io/loadBalancerIPs": address };
}

/** The component that hands out load-balancer addresses (Services of type LoadBalancer wait for it). */
export function loadBalancerComponent(lab: Lab): string | undefined {
  if (!lab.loadBalancer.pool) return lab.cni === "cilium" ? "cilium" : undefined;
  return lab.loadBalancer.implementation === "metallb" ? "metallb" : lab.cni === "cilium" ? "cilium" : undefined;
}
