// What a Talos 1.12 machine config looks like, as far as checking patches needs: the document kinds,
// the fields of `machine` and `cluster` (from Talos's config.schema.json for v1.12), and the shape of
// every document Drover generates, to find a patch that puts a map where a list is before rendering.

import { DISTRIBUTIONS } from "../../distributions/index.js";

/** The oldest Talos 1.x minor release Drover renders for (the distribution's capabilities say it). */
export const TALOS_MIN_MINOR = DISTRIBUTIONS.talos.version.oldest!.release[1];

/** Document kinds of the Talos 1.12 schema (besides the v1alpha1 config itself). */
export const DOCUMENT_KINDS = new Set([
  "ExistingVolumeConfig", "RawVolumeConfig", "SwapVolumeConfig", "UserVolumeConfig", "VolumeConfig", "ZswapConfig",
  "RegistryAuthConfig", "RegistryMirrorConfig", "RegistryTLSConfig", "ExtensionServiceConfig", "PCIDriverRebindConfig",
  "BondConfig", "BridgeConfig", "NetworkDefaultActionConfig", "DHCPv4Config", "DHCPv6Config", "DummyLinkConfig",
  "EthernetConfig", "HCloudVIPConfig", "HostnameConfig", "KubeSpanEndpoints", "Layer2VIPConfig", "LinkConfig",
  "LinkAliasConfig", "ResolverConfig", "NetworkRuleConfig", "StaticHostConfig", "TimeSyncConfig", "VLANConfig",
  "WireguardConfig", "EventSinkConfig", "KmsgLogConfig", "OOMConfig", "WatchdogTimerConfig", "TrustedRootsConfig", "SideroLinkConfig",
]);

/** Kinds whose documents are told apart by a name, which the schema requires. */
export const NAMED_KINDS = new Set([
  "RegistryAuthConfig", "RegistryMirrorConfig", "RegistryTLSConfig", "ExtensionServiceConfig", "PCIDriverRebindConfig", "BondConfig", "BridgeConfig",
  "DHCPv4Config", "DHCPv6Config", "DummyLinkConfig", "EthernetConfig", "HCloudVIPConfig", "Layer2VIPConfig", "LinkConfig", "LinkAliasConfig",
  "NetworkRuleConfig", "StaticHostConfig", "VLANConfig", "WireguardConfig", "TrustedRootsConfig",
]);

export const CONFIG_FIELDS = ["version", "debug", "persist", "machine", "cluster"];

export const MACHINE_FIELDS = [
  "type", "token", "ca", "acceptedCAs", "certSANs", "controlPlane", "kubelet", "pods", "network", "install", "files", "env", "sysctls", "sysfs",
  "features", "udev", "logging", "kernel", "seccompProfiles", "baseRuntimeSpecOverrides", "nodeLabels", "nodeAnnotations", "nodeTaints",
];

export const CLUSTER_FIELDS = [
  "id", "secret", "controlPlane", "clusterName", "network", "token", "aescbcEncryptionSecret", "secretboxEncryptionSecret", "ca", "acceptedCAs",
  "aggregatorCA", "serviceAccount", "apiServer", "controllerManager", "proxy", "scheduler", "discovery", "etcd", "coreDNS", "externalCloudProvider",
  "extraManifests", "extraManifestHeaders", "inlineManifests", "adminKubeconfig", "allowSchedulingOnControlPlanes",
];

/** The shape of the v1alpha1 document Drover generates (values stand for their type). */
export const V1ALPHA1_SHAPE = {
  version: "", debug: false,
  machine: {
    type: "", token: "", ca: {}, acceptedCAs: [], certSANs: [], controlPlane: {}, pods: [], files: [], env: {}, sysctls: {}, sysfs: {}, udev: {}, logging: {}, kernel: {},
    seccompProfiles: [], baseRuntimeSpecOverrides: {}, nodeAnnotations: {},
    kubelet: { image: "", defaultRuntimeSeccompProfileEnabled: false, disableManifestsDirectory: false, nodeIP: { validSubnets: [] }, extraArgs: {}, extraMounts: [], extraConfig: {} },
    network: {},
    install: { disk: "", image: "", wipe: false, extraKernelArgs: [] },
    features: { diskQuotaSupport: false, kubePrism: { enabled: false, port: 0 }, hostDNS: { enabled: false, forwardKubeDNSToHost: false } },
    nodeLabels: {}, nodeTaints: {},
  },
  cluster: {
    id: "", secret: "", controlPlane: { endpoint: "" }, clusterName: "", token: "", secretboxEncryptionSecret: "", ca: {}, acceptedCAs: [], aggregatorCA: {}, serviceAccount: {},
    network: { dnsDomain: "", podSubnets: [], serviceSubnets: [], cni: { name: "" } },
    apiServer: { image: "", certSANs: [], admissionControl: [], auditPolicy: {}, extraArgs: {}, extraVolumes: [], env: {} },
    controllerManager: { image: "", extraArgs: {} }, proxy: { disabled: false, image: "", extraArgs: {} }, scheduler: { image: "", extraArgs: {} },
    discovery: { enabled: false, registries: { kubernetes: { disabled: false }, service: {} } },
    etcd: { ca: {}, advertisedSubnets: [], extraArgs: {} }, coreDNS: {}, externalCloudProvider: {},
    extraManifests: [], extraManifestHeaders: {}, inlineManifests: [], adminKubeconfig: {}, allowSchedulingOnControlPlanes: false,
  },
};

/** The shapes of the typed documents Drover generates, by kind (and name where the kind is named). */
export const DOCUMENT_SHAPES: Record<string, Record<string, unknown>> = {
  HostnameConfig: { apiVersion: "", kind: "", hostname: "" },
  ResolverConfig: { apiVersion: "", kind: "", nameservers: [] },
  LinkAliasConfig: { apiVersion: "", kind: "", name: "", selector: { match: "" } },
  LinkConfig: { apiVersion: "", kind: "", name: "", up: false, addresses: [], routes: [] },
  Layer2VIPConfig: { apiVersion: "", kind: "", name: "", link: "" },
  WireguardConfig: { apiVersion: "", kind: "", name: "", privateKey: "", listenPort: 0, peers: [], up: false, mtu: 0, addresses: [] },
};
