// Every upstream Helm chart the platform installs, pinned. A chart comes from a Helm repository
// (HelmRepository + HelmRelease.spec.chart) or an OCI registry (OCIRepository + HelmRelease.spec.chartRef).
// Versions marked `module` match the chart inside the project's Go module that the tests template
// (scripts/tools/versions.sh pins the same versions).

export interface HelmRepo {
  readonly kind: "helm";
  /** HelmRepository name in flux-system */
  readonly repo: string;
  readonly url: string;
}

export interface OciRepo {
  readonly kind: "oci";
  /** OCI artifact of the chart, e.g. oci://ghcr.io/prometheus-community/charts/kube-prometheus-stack */
  readonly url: string;
}

export interface Chart {
  readonly chart: string;
  readonly version: string;
  readonly source: HelmRepo | OciRepo;
}

const helm = (repo: string, url: string): HelmRepo => ({ kind: "helm", repo, url });

export const CHARTS = {
  cilium: { chart: "cilium", version: "1.20.2", source: helm("cilium", "https://helm.cilium.io/") }, // module
  metallb: { chart: "metallb", version: "0.16.2", source: helm("metallb", "https://metallb.github.io/metallb") }, // module
  "cert-manager": { chart: "cert-manager", version: "v1.21.2", source: { kind: "oci", url: "oci://quay.io/jetstack/charts/cert-manager" } }, // module
  "ingress-nginx": { chart: "ingress-nginx", version: "4.14.1", source: helm("ingress-nginx", "https://kubernetes.github.io/ingress-nginx") },
  "envoy-gateway": { chart: "gateway-helm", version: "v1.9.1", source: { kind: "oci", url: "oci://docker.io/envoyproxy/gateway-helm" } }, // module
  "external-dns": { chart: "external-dns", version: "1.22.0", source: helm("external-dns", "https://kubernetes-sigs.github.io/external-dns/") }, // module
  "csi-driver-nfs": { chart: "csi-driver-nfs", version: "4.12.1", source: helm("csi-driver-nfs", "https://raw.githubusercontent.com/kubernetes-csi/csi-driver-nfs/master/charts") },
  "democratic-csi": { chart: "democratic-csi", version: "0.15.0", source: helm("democratic-csi", "https://democratic-csi.github.io/charts/") },
  "ceph-csi-rbd": { chart: "ceph-csi-rbd", version: "3.15.0", source: helm("ceph-csi", "https://ceph.github.io/csi-charts") },
  "ceph-csi-cephfs": { chart: "ceph-csi-cephfs", version: "3.15.0", source: helm("ceph-csi", "https://ceph.github.io/csi-charts") },
  longhorn: { chart: "longhorn", version: "1.10.1", source: helm("longhorn", "https://charts.longhorn.io") },
  "local-path": { chart: "localpv-provisioner", version: "4.4.0", source: helm("openebs-localpv", "https://openebs.github.io/dynamic-localpv-provisioner") },
  "snapshot-controller": { chart: "snapshot-controller", version: "4.1.0", source: helm("piraeus", "https://piraeus.io/helm-charts/") },
  seaweedfs: { chart: "seaweedfs", version: "4.53.0", source: helm("seaweedfs", "https://seaweedfs.github.io/seaweedfs/helm") },
  "kube-prometheus-stack": { chart: "kube-prometheus-stack", version: "88.6.1", source: { kind: "oci", url: "oci://ghcr.io/prometheus-community/charts/kube-prometheus-stack" } },
  loki: { chart: "loki", version: "6.55.0", source: helm("grafana", "https://grafana.github.io/helm-charts") },
  alloy: { chart: "alloy", version: "1.4.0", source: helm("grafana", "https://grafana.github.io/helm-charts") },
  volsync: { chart: "volsync", version: "0.14.0", source: helm("backube", "https://backube.github.io/helm-charts/") },
  velero: { chart: "velero", version: "12.2.0", source: helm("vmware-tanzu", "https://vmware-tanzu.github.io/helm-charts") },
  zot: { chart: "zot", version: "0.1.89", source: helm("zot", "https://zotregistry.dev/helm-charts") },
} as const satisfies Record<string, Chart>;

export type ChartName = keyof typeof CHARTS;
