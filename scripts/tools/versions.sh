# Pinned versions of the real upstream tools the test suite checks Drover's output against.
# Changing a version here rebuilds that tool into a new cache folder; old ones stay until removed.
KUBERNETES_VERSION=1.35.4
ETCD_VERSION=3.6.16
KWOK_VERSION=0.7.0
TALOS_VERSION=1.12.6
# Modules Talos pins at versions the Go module proxy reachable here does not serve (403), and the
# nearest served patch release used instead (module=version, space-separated).
TALOS_REPLACE_UNAVAILABLE="github.com/siderolabs/go-blockdevice/v2=v2.0.27"
SOPS_VERSION=3.11.0
AGE_VERSION=1.2.1
KUBECONFORM_VERSION=0.7.0
KUSTOMIZE_VERSION=5.7.1
HELM_VERSION=3.19.0
# A tiny Go program in scripts/tools/go-yaml-reader that prints what Go's YAML readers see
# (sigs.k8s.io/yaml 1.6.0, go.yaml.in/yaml/v3 3.0.4, pinned in its go.mod/go.sum); bump the revision
# when its source changes.
GO_YAML_READER_VERSION=k8s1.6.0-v3.0.4-r1
# A tiny Go program in scripts/tools/go-x509-check (standard library only) that says what Go's crypto/x509
# and crypto/tls make of certificates (cert-manager, Flux and most clients are Go); bump on source changes.
GO_X509_CHECK_VERSION=r1
# restic and its REST server: the NFS backup path (VolSync's restic mover → rest-server → the share)
RESTIC_VERSION=0.18.1
REST_SERVER_VERSION=0.14.0
# Debian packages (versions are whatever the machine's Debian release ships; recorded in the cache stamp).
DEBIAN_PACKAGES="cloud-init wireguard-go wireguard-tools iproute2 iputils-ping chromium qrencode nftables procps zbar-tools conntrack shellcheck patch openssh-server openssh-client git nut-server nut-client openssl"
# Platform layer (issue 4): the upstream projects whose CRDs and charts Drover's Flux tree uses, from the
# Go module proxy. Flux 2.9.5 ships source/kustomize-controller 1.9.5, helm-controller 1.6.4 and
# notification-controller 1.9.4 (their CRDs are generated from the api modules with controller-gen when
# the controller module itself is not served).
FLUX_VERSION=2.9.5
FLUX_SOURCE_CONTROLLER_VERSION=1.9.5
FLUX_KUSTOMIZE_CONTROLLER_VERSION=1.9.5
FLUX_HELM_CONTROLLER_VERSION=1.6.4
FLUX_NOTIFICATION_CONTROLLER_VERSION=1.9.4
# The controllers themselves (install.sh flux): module versions their go.mod requires that the Go module
# proxy reachable here refuses, and the nearest served release used instead (module=version, space-separated).
FLUX_SOURCE_CONTROLLER_REPLACE_UNAVAILABLE="github.com/fluxcd/pkg/artifact=v0.18.1"
FLUX_KUSTOMIZE_CONTROLLER_REPLACE_UNAVAILABLE=""
FLUX_HELM_CONTROLLER_REPLACE_UNAVAILABLE=""
CONTROLLER_TOOLS_VERSION=0.20.0
CILIUM_VERSION=1.20.2
CERT_MANAGER_VERSION=1.21.2
METALLB_VERSION=0.16.2
EXTERNAL_DNS_VERSION=0.23.0
KUBE_PROMETHEUS_STACK_VERSION=88.6.1
# the prometheus-community/helm-charts commit holding kube-prometheus-stack 88.6.1 (its CRDs)
PROMETHEUS_COMMUNITY_CHARTS=v0.0.0-20260828105119-ed5d7d9b5933
VELERO_VERSION=1.18.3
ENVOY_GATEWAY_VERSION=1.9.1
ALERTMANAGER_VERSION=0.35.0
# NVIDIA's device plugin chart (GPUs for pods), from its Go module
NVIDIA_DEVICE_PLUGIN_VERSION=0.17.4
# VolumeSnapshot CRDs (the snapshot controller VolSync copies through)
EXTERNAL_SNAPSHOTTER_VERSION=8.7.0
# VolSync's ReplicationSource/ReplicationDestination CRDs (the backup and restore objects; the chart Drover
# renders is the same release, render/flux/charts.ts)
VOLSYNC_VERSION=0.14.0
# Machines (issue 15, Tier 1): the Debian release and packages of the VM image the machines tests boot
# under QEMU (scripts/tools/machines-image.sh); the image is cached in machines-<release>-<hash>, the hash
# over release, packages and revision (bump the revision when machines-image.sh changes the image).
MACHINES_DEBIAN_RELEASE=bookworm
MACHINES_IMAGE_PACKAGES="linux-image-amd64 systemd-sysv udev kmod dbus ifupdown iproute2 netbase cloud-init qemu-guest-agent sudo curl ca-certificates wireguard-tools nftables iputils-ping procps"
MACHINES_IMAGE_REVISION=2
# what the host needs to build and boot it
MACHINES_HOST_PACKAGES="qemu-system-x86 qemu-utils mmdebstrap cloud-image-utils e2fsprogs"
# Kubelets (issue 15, Tier 2): real kubelets with a real container runtime joined to the test control plane
# (src/testing/kubelets.ts). kubelet is built from the same Kubernetes wrapper module as the control plane
# (KUBERNETES_VERSION); containerd, runc and the CNI plugins from the Go module proxy; pause from the
# Kubernetes sources (build/pause/linux/pause.c, static); the registry is Debian's docker-registry.
# Not part of `all`: `install.sh kubelets` (npm run test:kubelets) builds them.
CONTAINERD_VERSION=2.1.9
RUNC_VERSION=1.3.7
CNI_PLUGINS_VERSION=1.7.1
# the app stand-in (scripts/tools/kubelets-standin, standard library only): bump when its source changes
KUBELETS_STANDIN_REVISION=2
KUBELETS_HOST_PACKAGES="libseccomp-dev pkg-config docker-registry systemd-container"
