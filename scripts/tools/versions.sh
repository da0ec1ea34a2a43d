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
# Debian packages (versions are whatever the machine's Debian release ships; recorded in the cache stamp).
DEBIAN_PACKAGES="cloud-init wireguard-go wireguard-tools iproute2 iputils-ping chromium qrencode nftables procps zbar-tools"
