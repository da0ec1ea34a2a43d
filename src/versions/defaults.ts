// Every version Drover renders, in one table: the defaults shipped with this Drover release. A lab
// overrides any of them in `versions.yaml` beside lab.yaml (spec/versions.ts reads it; lab/versions.ts
// merges it), and `drover render` writes the effective table, annotated for Renovate, into the output
// (render/versions.ts). Nothing else in the code base names a version or an image tag.
//
// Chart versions marked `module` match the chart inside the project's Go module that the tests template
// (scripts/tools/versions.sh pins the same versions).

/** An image: repository (with its registry when not Docker Hub), tag, and optionally a digest. */
export interface ImagePin {
  readonly repository: string;
  readonly tag: string;
  /** sha256:<64 hex>; when present the image is pulled by digest (repository:tag@digest) */
  readonly digest?: string;
}

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
const oci = (url: string): OciRepo => ({ kind: "oci", url });
const image = (repository: string, tag: string): ImagePin => ({ repository, tag });

/** Talos Linux (talos labs). */
export const DEFAULT_TALOS = "1.12.6";
/** Kubernetes; k3s labs default to its first k3s release (v<kubernetes>+k3s1). */
export const DEFAULT_KUBERNETES = "1.35.4";
/** Flux is vendored (its CRDs in vendor/flux/, its controllers' manifests in render/flux/controllers.ts): it moves with Drover. */
export const FLUX_VERSION = "2.9.5";
/** The controllers of Flux FLUX_VERSION that Drover's tree needs (the default `flux install` set). */
export const FLUX_CONTROLLERS = {
  "source-controller": "1.9.5",
  "kustomize-controller": "1.9.5",
  "helm-controller": "1.6.4",
  "notification-controller": "1.9.4",
} as const;

export const DEFAULT_CHARTS = {
  cilium: { chart: "cilium", version: "1.20.2", source: helm("cilium", "https://helm.cilium.io/") }, // module
  metallb: { chart: "metallb", version: "0.16.2", source: helm("metallb", "https://metallb.github.io/metallb") }, // module
  "cert-manager": { chart: "cert-manager", version: "v1.21.2", source: oci("oci://quay.io/jetstack/charts/cert-manager") }, // module
  "ingress-nginx": { chart: "ingress-nginx", version: "4.14.1", source: helm("ingress-nginx", "https://kubernetes.github.io/ingress-nginx") },
  "envoy-gateway": { chart: "gateway-helm", version: "v1.9.1", source: oci("oci://docker.io/envoyproxy/gateway-helm") }, // module
  "external-dns": { chart: "external-dns", version: "1.22.0", source: helm("external-dns", "https://kubernetes-sigs.github.io/external-dns/") }, // module
  "csi-driver-nfs": { chart: "csi-driver-nfs", version: "4.12.1", source: helm("csi-driver-nfs", "https://raw.githubusercontent.com/kubernetes-csi/csi-driver-nfs/master/charts") },
  "democratic-csi": { chart: "democratic-csi", version: "0.15.0", source: helm("democratic-csi", "https://democratic-csi.github.io/charts/") },
  "ceph-csi-rbd": { chart: "ceph-csi-rbd", version: "3.15.0", source: helm("ceph-csi", "https://ceph.github.io/csi-charts") },
  "ceph-csi-cephfs": { chart: "ceph-csi-cephfs", version: "3.15.0", source: helm("ceph-csi", "https://ceph.github.io/csi-charts") },
  longhorn: { chart: "longhorn", version: "1.10.1", source: helm("longhorn", "https://charts.longhorn.io") },
  "local-path": { chart: "localpv-provisioner", version: "4.4.0", source: helm("openebs-localpv", "https://openebs.github.io/dynamic-localpv-provisioner") },
  "snapshot-controller": { chart: "snapshot-controller", version: "4.1.0", source: helm("piraeus", "https://piraeus.io/helm-charts/") },
  seaweedfs: { chart: "seaweedfs", version: "4.53.0", source: helm("seaweedfs", "https://seaweedfs.github.io/seaweedfs/helm") },
  "kube-prometheus-stack": { chart: "kube-prometheus-stack", version: "88.6.1", source: oci("oci://ghcr.io/prometheus-community/charts/kube-prometheus-stack") },
  loki: { chart: "loki", version: "6.55.0", source: helm("grafana", "https://grafana.github.io/helm-charts") },
  alloy: { chart: "alloy", version: "1.4.0", source: helm("grafana", "https://grafana.github.io/helm-charts") },
  volsync: { chart: "volsync", version: "0.14.0", source: helm("backube", "https://backube.github.io/helm-charts/") },
  velero: { chart: "velero", version: "12.2.0", source: helm("vmware-tanzu", "https://vmware-tanzu.github.io/helm-charts") },
  zot: { chart: "zot", version: "0.1.89", source: helm("zot", "https://zotregistry.dev/helm-charts") },
  "nvidia-device-plugin": { chart: "nvidia-device-plugin", version: "0.17.4", source: helm("nvdp", "https://nvidia.github.io/k8s-device-plugin") }, // module
} as const satisfies Record<string, Chart>;

export type ChartName = keyof typeof DEFAULT_CHARTS;

/** Each catalog app's image by app name, then the images of the platform and of functions. */
export const DEFAULT_IMAGES = {
  "0x0": image("orhunp/rustypaste", "0.18.1"),
  apprise: image("caronc/apprise", "1.2.6"),
  atuin: image("ghcr.io/atuinsh/atuin", "v18.10.0"),
  etherpad: image("etherpad/etherpad", "2.5.3"),
  forgejo: image("codeberg.org/forgejo/forgejo", "13.0.4-rootless"),
  freshrss: image("freshrss/freshrss", "1.27.1"),
  grafana: image("grafana/grafana", "12.3.0"),
  "home-assistant": image("ghcr.io/home-assistant/home-assistant", "2025.11.3"),
  homepage: image("ghcr.io/gethomepage/homepage", "v1.8.0"),
  immich: image("ghcr.io/immich-app/immich-server", "v2.3.1"),
  /** Immich's own Postgres build with the vector extensions */
  "immich-postgres": image("ghcr.io/immich-app/postgres", "14-vectorchord0.4.3-pgvectors0.2.0"),
  influxdb: image("influxdb", "2.7.12"),
  jellyfin: image("jellyfin/jellyfin", "10.11.3"),
  keycloak: image("quay.io/keycloak/keycloak", "26.4.5"),
  n8n: image("n8nio/n8n", "1.123.4"),
  nextcloud: image("nextcloud", "32.0.5-apache"),
  octoprint: image("octoprint/octoprint", "1.11.4"),
  ollama: image("ollama/ollama", "0.13.0"),
  "paperless-ngx": image("ghcr.io/paperless-ngx/paperless-ngx", "2.20.5"),
  pihole: image("pihole/pihole", "2025.11.0"),
  postgres: image("postgres", "17.7"),
  redis: image("valkey/valkey", "8.1.4"),
  "soft-serve": image("charmcli/soft-serve", "v0.11.6"),
  syncthing: image("syncthing/syncthing", "2.0.10"),
  "uptime-kuma": image("louislam/uptime-kuma", "2.0.2"),
  vaultwarden: image("vaultwarden/server", "1.34.3"),
  wallabag: image("wallabag/wallabag", "2.6.14"),
  // the platform's own images (beside its charts)
  authelia: image("ghcr.io/authelia/authelia", "4.39.13"),
  "oauth2-proxy": image("quay.io/oauth2-proxy/oauth2-proxy", "v7.15.6"),
  "restic-rest-server": image("docker.io/restic/rest-server", "0.14.0"),
  "velero-plugin-for-aws": image("velero/velero-plugin-for-aws", "v1.14.1"),
  /** Cloudflare Tunnel's connector (render/platform/tunnel.ts) */
  cloudflared: image("cloudflare/cloudflared", "2025.11.1"),
  /** the DDNS updater's Python (render/platform/ddns.ts) */
  "ddns-updater": image("python", "3.13.9-slim"),
  // function runtimes, by script type
  "function-python": image("python", "3.13.9-slim"),
  "function-node": image("node", "22.21.1-alpine"),
  "function-bash": image("bash", "5.2.21-alpine3.19"),
} as const satisfies Record<string, ImagePin>;

export type ImageName = keyof typeof DEFAULT_IMAGES;

/** The versions a lab renders: the defaults above with the lab's overrides applied (lab/versions.ts). */
export interface Versions {
  readonly talos: string;
  readonly kubernetes: string;
  readonly k3s: string;
  readonly flux: string;
  readonly charts: { readonly [K in ChartName]: Chart };
  readonly images: { readonly [K in ImageName]: ImagePin };
  /** versions.yaml's upgradeCompatibility: the minor release a chart keeps the defaults of during an upgrade */
  readonly upgradeCompatibility: { readonly cilium?: string };
}

export const CHART_NAMES = Object.keys(DEFAULT_CHARTS) as ChartName[];
export const IMAGE_NAMES = Object.keys(DEFAULT_IMAGES) as ImageName[];

/** repository:tag, or repository:tag@digest when pinned by digest. */
export const imageRef = (i: ImagePin): string => `${i.repository}:${i.tag}${i.digest ? `@${i.digest}` : ""}`;

/** The default k3s release for a Kubernetes version. */
export const defaultK3s = (kubernetes: string): string => `v${kubernetes}+k3s1`;
