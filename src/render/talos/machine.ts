// The v1alpha1 document of a node's Talos machine config: what `talosctl gen config` would write for
// Talos 1.12 (same features and defaults), plus the node's install disk and image, labels, taints,
// kubelet and etcd addresses, and the CNI choice (Cilium: no Talos CNI and no kube-proxy).
import type { Lab, Node } from "../../lab/types.js";
import type { LabSecrets } from "../../secrets/types.js";
import { formatIp, parseCidr } from "../../net/ip.js";
import { driverOf } from "../../storage/index.js";
import { acceptedCaCertificates } from "../../secrets/ca-rotation.js";
import { kubernetesCaState } from "./kubernetes-ca.js";

const b64 = (pem: string): string => Buffer.from(pem, "utf8").toString("base64");

/** Per-lab values every node's config shares, computed once per render. */
export interface ClusterFacts {
  readonly endpoint: string;
  readonly lanOf: ReadonlyMap<string, string>;
  /** nodes reach each other across sites only over the overlay: kubelet and etcd use it then */
  readonly multiSite: boolean;
  readonly overlaySubnet: string;
  readonly certSANs: readonly string[];
  /** kubelet bind mounts node-local storage needs (Longhorn's data path, the local-path provisioner's folder) */
  readonly storageMounts: readonly { destination: string; type: "bind"; source: string; options: string[] }[];
  /** the bundle's PEMs base64-encoded once (each config carries several) */
  readonly pki: Readonly<Record<"osCrt" | "osKey" | "k8sCrt" | "k8sKey" | "aggCrt" | "aggKey" | "saKey" | "etcdCrt" | "etcdKey", string>>;
}

const canonical = (text: string): string => {
  const c = parseCidr(text);
  return "cidr" in c ? `${formatIp(c.cidr.base)}/${c.cidr.bits}` : text;
};

export function clusterFacts(lab: Lab, secrets: LabSecrets): ClusterFacts {
  const c = secrets.talos.certs;
  const lanOf = new Map(lab.sites.map((s) => [s.name, canonical(s.lan)]));
  const sites = new Set(lab.nodes.map((n) => n.site));
  return {
    endpoint: lab.endpoint.url,
    lanOf,
    multiSite: sites.size > 1,
    overlaySubnet: canonical(lab.overlay.subnet),
    certSANs: [...new Set([lab.endpoint.address, ...lab.controlPlanes().map((n) => n.address)])],
    storageMounts: storageMounts(lab),
    pki: {
      osCrt: b64(c.os.crt), osKey: b64(c.os.key), k8sCrt: b64(c.k8s.crt), k8sKey: b64(c.k8s.key), aggCrt: b64(c.k8sAggregator.crt),
      aggKey: b64(c.k8sAggregator.key), saKey: b64(c.k8sServiceAccount.key), etcdCrt: b64(c.etcd.crt), etcdKey: b64(c.etcd.key),
    },
  };
}

const IMAGE = {
  kubelet: "ghcr.io/siderolabs/kubelet",
  apiServer: "registry.k8s.io/kube-apiserver",
  controllerManager: "registry.k8s.io/kube-controller-manager",
  proxy: "registry.k8s.io/kube-proxy",
  scheduler: "registry.k8s.io/kube-scheduler",
};

/** Storage that lives on the node's disk must be visible to the kubelet (Talos's Longhorn and local-path guides; the driver names its paths). */
function storageMounts(lab: Lab): ClusterFacts["storageMounts"] {
  const paths = new Set<string>();
  for (const c of lab.storageClasses) for (const p of driverOf(c).host.hostPaths(c)) paths.add(p);
  return [...paths].sort().map((p) => ({ destination: p, type: "bind", source: p, options: ["bind", "rshared", "rw"] }));
}

/**
 * NVIDIA GPU nodes: the driver modules the nonfree-kmod-nvidia extension (see the node's schematic)
 * provides are loaded at boot, and the BPF JIT hardening the NVIDIA container toolkit needs — as
 * Talos's NVIDIA GPU guide sets them.
 */
const NVIDIA = {
  kernel: { modules: [{ name: "nvidia" }, { name: "nvidia_uvm" }, { name: "nvidia_drm" }, { name: "nvidia_modeset" }] },
  sysctls: { "net.core.bpf_jit_harden": "1" },
};

function taints(node: Node): Record<string, string> | undefined {
  if (!node.taints.length) return undefined;
  const out: Record<string, string> = {};
  for (const t of node.taints) out[t.key] = t.value ? `${t.value}:${t.effect}` : t.effect;
  return out;
}

/** machine.acceptedCAs during an OS CA rotation (src/ops/rotate/talos-ca.ts): the next CA, then the previous one. */
function acceptedCAs(t: LabSecrets["talos"]): { acceptedCAs?: { crt: string }[] } {
  const crts = [...(t.nextOsCa ? [t.nextOsCa.crt] : []), ...(t.acceptedOsCas ?? [])];
  return crts.length ? { acceptedCAs: crts.map((c) => ({ crt: b64(c) })) } : {};
}

/** cluster.acceptedCAs during a Kubernetes CA rotation (render/talos/kubernetes-ca.ts): the next CA, then the previous one. */
function clusterAcceptedCAs(t: LabSecrets["talos"]): { acceptedCAs?: { crt: string }[] } {
  const crts = acceptedCaCertificates(kubernetesCaState(t));
  return crts.length ? { acceptedCAs: crts.map((c) => ({ crt: b64(c) })) } : {};
}

export function v1alpha1Document(lab: Lab, secrets: LabSecrets, facts: ClusterFacts, node: Node, installImage: string): Record<string, unknown> {
  const t = secrets.talos;
  const pki = facts.pki;
  const cp = node.role === "controlplane";
  const k8s = lab.kubernetesVersion;
  const cilium = lab.cni === "cilium";
  const nodeSubnet = facts.multiSite ? facts.overlaySubnet : facts.lanOf.get(node.site)!;
  const labels: Record<string, string> = { ...node.labels };
  if (cp) labels["node.kubernetes.io/exclude-from-external-load-balancers"] = "";
  const nodeTaints = taints(node);
  const nvidia = node.gpus > 0 && lab.host(node.host).gpuVendor === "nvidia";

  const machine: Record<string, unknown> = {
    type: cp ? "controlplane" : "worker",
    token: t.trustdToken,
    ca: cp ? { crt: pki.osCrt, key: pki.osKey } : { crt: pki.osCrt },
    ...acceptedCAs(t),
    certSANs: [node.address, node.overlayAddress],
    kubelet: {
      image: `${IMAGE.kubelet}:v${k8s}`,
      defaultRuntimeSeccompProfileEnabled: true,
      disableManifestsDirectory: true,
      nodeIP: { validSubnets: [nodeSubnet] },
      ...(facts.storageMounts.length ? { extraMounts: facts.storageMounts } : {}),
    },
    network: {},
    install: { disk: node.installDisk, image: installImage, wipe: false },
    features: {
      diskQuotaSupport: true,
      kubePrism: { enabled: true, port: 7445 },
      hostDNS: { enabled: true, forwardKubeDNSToHost: true },
    },
    nodeLabels: labels,
    ...(nodeTaints ? { nodeTaints } : {}),
    ...(nvidia ? NVIDIA : {}),
  };

  const network = {
    dnsDomain: "cluster.local",
    podSubnets: [lab.podCIDR],
    serviceSubnets: [lab.serviceCIDR],
    ...(cilium ? { cni: { name: "none" } } : {}),
  };
  const discovery = { enabled: true, registries: { kubernetes: { disabled: true }, service: {} } };

  // what every node's cluster section starts with (key order is Talos's own)
  const common = {
    id: t.clusterId,
    secret: t.clusterSecret,
    controlPlane: { endpoint: facts.endpoint },
    clusterName: lab.name,
    network,
    token: t.bootstrapToken,
  };
  const cluster: Record<string, unknown> = cp
    ? {
        ...common,
        secretboxEncryptionSecret: t.secretboxEncryptionSecret,
        ca: { crt: pki.k8sCrt, key: pki.k8sKey },
        ...clusterAcceptedCAs(t),
        aggregatorCA: { crt: pki.aggCrt, key: pki.aggKey },
        serviceAccount: { key: pki.saKey },
        apiServer: {
          image: `${IMAGE.apiServer}:v${k8s}`,
          certSANs: facts.certSANs,
          admissionControl: [
            {
              name: "PodSecurity",
              configuration: {
                apiVersion: "pod-security.admission.config.k8s.io/v1alpha1",
                kind: "PodSecurityConfiguration",
                defaults: { audit: "restricted", "audit-version": "latest", enforce: "baseline", "enforce-version": "latest", warn: "restricted", "warn-version": "latest" },
                exemptions: { namespaces: ["kube-system"], runtimeClasses: [], usernames: [] },
              },
            },
          ],
          auditPolicy: { apiVersion: "audit.k8s.io/v1", kind: "Policy", rules: [{ level: "Metadata" }] },
        },
        controllerManager: { image: `${IMAGE.controllerManager}:v${k8s}` },
        proxy: cilium ? { disabled: true, image: `${IMAGE.proxy}:v${k8s}` } : { image: `${IMAGE.proxy}:v${k8s}` },
        scheduler: { image: `${IMAGE.scheduler}:v${k8s}` },
        discovery,
        etcd: { ca: { crt: pki.etcdCrt, key: pki.etcdKey }, advertisedSubnets: [nodeSubnet] },
        extraManifests: [],
        inlineManifests: [],
      }
    : {
        ...common,
        ca: { crt: pki.k8sCrt },
        ...clusterAcceptedCAs(t),
        discovery,
      };
  return { version: "v1alpha1", debug: false, machine, cluster };
}
