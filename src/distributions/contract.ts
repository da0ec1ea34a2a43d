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
  /** the cluster field naming its version, and the version a starter lab writes there */
  readonly version: { readonly field: string; readonly starter: string };
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
  /** a node's publicAddress must be an IP address (not a DNS name), and why */
  readonly publicAddressIpOnly?: string;
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
