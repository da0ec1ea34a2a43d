// The distribution contract, capability side: what a Kubernetes distribution is, answered as data (in
// the way Talos's VersionContract answers "does this version support X?"). Every layer asks these
// questions instead of comparing the distribution's name. What a distribution renders — node configs,
// boot artifacts, the steps that join, bootstrap and rotate a node — is its render/<name>/ folder,
// found in render/distributions.ts.

export interface Capabilities {
  /** lab.yaml's cluster.distribution */
  readonly name: string;
  /** how messages name it: "Talos", "k3s" */
  readonly title: string;
  /** one line for the schema's description and `drover init`: "immutable, API-managed" */
  readonly summary: string;
  /**
   * The cluster field naming its version, the version a starter lab writes there, and the oldest release
   * Drover renders for (major, minor), with what it needs of it.
   */
  readonly version: { readonly field: "talosVersion" | "k3sVersion"; readonly starter: string; readonly oldest?: { readonly release: readonly [number, number]; readonly why: string; readonly upgrade: string } };
  /**
   * Its release in versions.yaml (a field of lab.versions) and where Renovate finds new ones; `listed`
   * says whether the entry comes before kubernetes (an OS under it) or after (a build of it).
   */
  readonly release: { readonly key: "talos" | "k3s"; readonly depName: string; readonly tagPrefixV: boolean; readonly listed: "before-kubernetes" | "after-kubernetes" };
  /** what node and cluster patches are checked as by `drover check` (k3s config keys are passed through) */
  readonly patches: "talos-machine-config" | "k3s-config";
  /** its nodes dial WireGuard peers by IP address and port only: a site reached by a DNS name is not dialled */
  readonly wireguardEndpointIpOnly: boolean;
  /** the CNI when lab.yaml names none */
  readonly defaultCni: "cilium" | "flannel";
  /** what the OS and the kubelet keep of every node (allocatable = capacity − this), as the distribution's defaults set it */
  readonly systemReserved: { readonly cpuMillis: number; readonly memoryBytes: number };
  /** control planes carry node-role.kubernetes.io/control-plane:NoSchedule when the lab has workers */
  readonly taintsControlPlanes: boolean;
  /**
   * The kubelet's graceful node shutdown: on every node out of the box, or only where Drover renders it
   * (the nodes of volatile hosts), with why a node elsewhere just stops answering.
   */
  readonly gracefulShutdown: { readonly on: "every-node" } | { readonly on: "volatile-hosts"; readonly elsewhere: string };
  /** a node's publicAddress must be an IP address (not a DNS name): which family, and why */
  readonly publicAddressIp?: { readonly family: "ipv4" | "any"; readonly why: string };
  /**
   * How `drover upgrade` moves it: `os`, its OS is upgraded node by node before Kubernetes (Talos);
   * `kubernetes`, one command rolls the control plane and kubelets ("cluster-command": talosctl
   * upgrade-k8s) or each node's own binary is replaced in turn ("node-by-node": k3s).
   */
  readonly upgrade: { readonly os: boolean; readonly kubernetes: "cluster-command" | "node-by-node" };
  /** its own OS API CA, rotated by `drover keys rotate talos-ca` */
  readonly osCertificateAuthority: boolean;
  /**
   * NUT (Network UPS Tools) on a bare-metal node: whether it can run the server (watch a UPS on its
   * USB port) and upssched timers (shut down early, before low battery), and where its settings go:
   * files installed on the machine (nut/<host>/), or the node's own config (Talos's machine config).
   */
  readonly nut: { readonly server: boolean; readonly timers: boolean; readonly settings: "files" | "node-config" };
  /**
   * The nvidia container runtime GPU pods run with: rendered into the node's OS, or to be installed on
   * the machine by its owner (what to install, in words).
   */
  readonly nvidiaRuntime: { readonly rendered: true } | { readonly rendered: false; readonly install: string };
}
