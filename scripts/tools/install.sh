#!/usr/bin/env bash
# Builds or installs the real upstream tools used by Drover's test suite, pinned by version,
# cached outside the repo in $DROVER_TOOLS (default ~/.cache/drover-tools/<name>-<version>/bin).
# Usage: scripts/tools/install.sh [all|quick|controlplane|talos|debian|platform|machines|flux|kubelets]...   (default: all)
# (`machines`, the VM image of the machines tests, is not part of `all`: npm run test:machines builds it;
# nor is `flux`, the real Flux controllers of the GitOps tests: install.sh flux builds them; nor is
# `kubelets`, the real node runtime of the kubelets tests: npm run test:kubelets builds it.)
# Prints one progress line per tool; a cached tool costs nothing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"
CACHE=${DROVER_TOOLS:-$HOME/.cache/drover-tools}
mkdir -p "$CACHE"
export GOFLAGS=-buildvcs=false GOTOOLCHAIN=local
log() { printf '[tools %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# one lock per tool, so that two runs never build the same tool at once but never wait on another tool
lock() { exec 9>"$CACHE/.lock-$1"; flock 9; }

go_install() { # name version module-path@version [binary names...]
  local name=$1 version=$2 pkg=$3; shift 3
  local dir="$CACHE/$name-$version"
  if [ -f "$dir/.done" ]; then log "$name $version: cached"; return; fi
  lock "$name"; if [ -f "$dir/.done" ]; then log "$name $version: cached"; return; fi
  log "$name $version: building from the Go module proxy ($pkg)"
  rm -rf "$dir"; mkdir -p "$dir/bin"
  GOBIN="$dir/bin" go install "$pkg"
  touch "$dir/.done"; log "$name $version: done"
}

# A wrapper module: require $module at $version, apply replaces, build packages.
wrapper_build() { # name version module version-of-module "replace lines" "ldflags" pkg=binary...
  local name=$1 version=$2 module=$3 modversion=$4 replaces=$5 ldflags=$6; shift 6
  local dir=${WRAPPER_DIR:-"$CACHE/$name-$version"}  # (WRAPPER_DIR: one tool of a group, e.g. the Flux controllers)
  if [ -f "$dir/.done" ]; then log "$name $version: cached"; return; fi
  lock "$name"; if [ -f "$dir/.done" ]; then log "$name $version: cached"; return; fi
  log "$name $version: building from source via a wrapper module (this can take a long time on 2 cores)"
  rm -rf "$dir"; mkdir -p "$dir/bin" "$dir/src"
  local src="$dir/src"
  cat > "$src/go.mod" <<MOD
module drover.local/${name}wrapper

go 1.25

require $module $modversion

$replaces
MOD
  local imports="" p
  for p in "$@"; do imports+="	_ \"${p%%=*}\""$'\n'; done
  printf 'package tools\n\nimport (\n%s)\n' "$imports" > "$src/tools.go"
  # the packages are main packages, so importing them is not allowed; use a build-tag'd file instead
  printf '//go:build tools\n\n' | cat - "$src/tools.go" > "$src/tools.go.tmp" && mv "$src/tools.go.tmp" "$src/tools.go"
  # seed go.sum with the upstream module's own go.sum: the hashes its maintainers verified (the sum
  # database reachable here does not know some forks that the upstream module replaces to)
  local updir; updir=$(cd "$src" && go mod download -json "$module@$modversion" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("Dir",""))')
  [ -n "$updir" ] && [ -f "$updir/go.sum" ] && cp "$updir/go.sum" "$src/go.sum" && chmod u+w "$src/go.sum"
  (cd "$src" && { go mod tidy -e 2>&1 | grep -E "403|not available" >&2 || true; } && go mod download)
  for p in "$@"; do
    local pkg=${p%%=*} bin=${p##*=}
    log "$name: go build $pkg -> $bin"
    (cd "$src" && go build -trimpath -ldflags "$ldflags" -o "$dir/bin/$bin" "$pkg")
  done
  touch "$dir/.done"; log "$name $version: done"
}

# A small Go program of ours, in scripts/tools/<name> (its go.mod, and go.sum when it has modules pinned
# from the Go module proxy): go_local <name> <version> <what it is built from>.
go_local() {
  local name=$1 version=$2 from=$3
  local dir="$CACHE/$name-$version"
  if [ -f "$dir/.done" ]; then log "$name $version: cached"; return; fi
  lock "$name"; if [ -f "$dir/.done" ]; then log "$name $version: cached"; return; fi
  log "$name $version: building with $(go env GOVERSION) ($from)"
  rm -rf "$dir"; mkdir -p "$dir/bin" "$dir/src"
  cp "$here/$name"/go.* "$here/$name/main.go" "$dir/src/"
  (cd "$dir/src" && go build -trimpath -o "$dir/bin/$name" .)
  touch "$dir/.done"; log "$name $version: done"
}

quick() {
  go_local go-yaml-reader "$GO_YAML_READER_VERSION" "sigs.k8s.io/yaml and go.yaml.in/yaml/v3 from the Go module proxy"
  go_local go-x509-check "$GO_X509_CHECK_VERSION" "the standard library's crypto/x509 and crypto/tls"
  go_install sops "$SOPS_VERSION" "github.com/getsops/sops/v3/cmd/sops@v$SOPS_VERSION"
  go_install age "$AGE_VERSION" "filippo.io/age/cmd/...@v$AGE_VERSION"
  go_install kubeconform "$KUBECONFORM_VERSION" "github.com/yannh/kubeconform/cmd/kubeconform@v$KUBECONFORM_VERSION"
  go_install kustomize "$KUSTOMIZE_VERSION" "sigs.k8s.io/kustomize/kustomize/v5@v$KUSTOMIZE_VERSION"
  go_install helm "$HELM_VERSION" "helm.sh/helm/v3/cmd/helm@v$HELM_VERSION"
  go_install kwok "$KWOK_VERSION" "sigs.k8s.io/kwok/cmd/...@v$KWOK_VERSION"
  kubernetes_schemas
}

# The Kubernetes OpenAPI spec of the pinned version, from the k8s.io/kubernetes module (for kubeconform).
kubernetes_schemas() {
  local dir="$CACHE/k8s-openapi-$KUBERNETES_VERSION"
  if [ -f "$dir/.done" ]; then log "kubernetes openapi $KUBERNETES_VERSION: cached"; return; fi
  lock k8s-openapi
  log "kubernetes openapi $KUBERNETES_VERSION: downloading k8s.io/kubernetes module source"
  rm -rf "$dir"; mkdir -p "$dir"
  local tmp; tmp=$(mktemp -d)
  (cd "$tmp" && go mod init x >/dev/null 2>&1 && go mod download -json "k8s.io/kubernetes@v$KUBERNETES_VERSION" > dl.json)
  local srcdir; srcdir=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["Dir"])' "$tmp/dl.json")
  cp -r "$srcdir/api/openapi-spec" "$dir/"
  chmod -R u+w "$dir"; rm -rf "$tmp"
  touch "$dir/.done"; log "kubernetes openapi $KUBERNETES_VERSION: done"
}

# The replace directives and version ldflags of a wrapper module over k8s.io/kubernetes (its staging
# modules at the matching v0.x release), shared by the control plane and kubelet builds.
kube_replaces() {
  local stagev="v0.${KUBERNETES_VERSION#*.}" m replaces="replace ("
  for m in $(curl -fsSL "https://proxy.golang.org/k8s.io/kubernetes/@v/v$KUBERNETES_VERSION.mod" | awk '$2=="=>" && $3 ~ /^\.\/staging/ {print $1}'); do
    replaces+=$'\n'"	$m => $m $stagev"
  done
  printf '%s\n)' "$replaces"
}
kube_ldflags() {
  local v=$KUBERNETES_VERSION minor=${KUBERNETES_VERSION#*.} ld="-s -w" pkgpath; minor=${minor%%.*}
  for pkgpath in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $pkgpath.gitVersion=v$v -X $pkgpath.gitMajor=1 -X $pkgpath.gitMinor=$minor -X $pkgpath.gitTreeState=clean -X $pkgpath.buildDate=1970-01-01T00:00:00Z"
  done
  printf '%s' "$ld"
}

controlplane() {
  local v=$KUBERNETES_VERSION replaces="" ld=""
  if [ ! -f "$CACHE/kubernetes-$v/.done" ]; then replaces=$(kube_replaces); ld=$(kube_ldflags); fi
  wrapper_build kubernetes "$v" k8s.io/kubernetes "v$v" "$replaces" "$ld" \
    k8s.io/kubernetes/cmd/kube-apiserver=kube-apiserver \
    k8s.io/kubernetes/cmd/kube-controller-manager=kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler=kube-scheduler \
    k8s.io/kubernetes/cmd/kubectl=kubectl
  local erep="replace go.etcd.io/etcd/api/v3 => go.etcd.io/etcd/api/v3 v$ETCD_VERSION
replace go.etcd.io/etcd/client/pkg/v3 => go.etcd.io/etcd/client/pkg/v3 v$ETCD_VERSION
replace go.etcd.io/etcd/client/v3 => go.etcd.io/etcd/client/v3 v$ETCD_VERSION
replace go.etcd.io/etcd/pkg/v3 => go.etcd.io/etcd/pkg/v3 v$ETCD_VERSION"
  wrapper_build etcd "$ETCD_VERSION" go.etcd.io/etcd/server/v3 "v$ETCD_VERSION" "$erep" "-s -w" \
    go.etcd.io/etcd/server/v3=etcd
}

# The replace directives of an upstream module's go.mod, for a wrapper module: a local path (./api)
# becomes the same module at the upstream version; then each module=version of the "unavailable" list
# (versions the Go module proxy reachable here refuses) is replaced by the nearest served one.
upstream_replaces() { # module version "module=version ..."
  local module=$1 version=$2 unavailable=$3 m out
  out=$(curl -fsSL "https://proxy.golang.org/$module/@v/v$version.mod" | python3 -c '
import re,sys
version=sys.argv[1]
text=sys.stdin.read()
out=[]
for block in re.findall(r"^replace \((.*?)^\)", text, re.S|re.M):
    for line in block.splitlines():
        line=line.split("//")[0].strip()
        if "=>" in line: out.append(line)
for line in re.findall(r"^replace ([^(].*)$", text, re.M):
    out.append(line.split("//")[0].strip())
res=[]
for l in out:
    lhs,rhs=[s.strip() for s in l.split("=>")]
    if rhs.startswith("./"):
        rhs=lhs.split()[0]+" v"+version
    res.append("replace "+lhs+" => "+rhs)
print("\n".join(res))' "$version")
  for m in $unavailable; do out+=$'\n'"replace ${m%%=*} => ${m%%=*} ${m#*=}"; done
  printf '%s\n' "$out"
}

talos() {
  local trep
  trep=$(upstream_replaces github.com/siderolabs/talos "$TALOS_VERSION" "$TALOS_REPLACE_UNAVAILABLE")
  wrapper_build talosctl "$TALOS_VERSION" github.com/siderolabs/talos "v$TALOS_VERSION" "$trep" \
    "-s -w -X github.com/siderolabs/talos/pkg/machinery/version.Tag=v$TALOS_VERSION" \
    github.com/siderolabs/talos/cmd/talosctl=talosctl
  # Talos's own JSON schema for machine configs ships inside pkg/machinery
  local sdir="$CACHE/talos-schema-$TALOS_VERSION"
  if [ ! -f "$sdir/.done" ]; then
    mkdir -p "$sdir"
    local mdir; mdir=$(cd "$CACHE/talosctl-$TALOS_VERSION/src" && go list -m -f '{{.Dir}}' github.com/siderolabs/talos/pkg/machinery)
    cp "$mdir/config/schemas/config.schema.json" "$sdir/config.schema.json"
    chmod u+w "$sdir/config.schema.json"; touch "$sdir/.done"; log "talos schema $TALOS_VERSION: done"
  else log "talos schema $TALOS_VERSION: cached"; fi
}

debian() { apt_install debian $DEBIAN_PACKAGES; }

apt_install() { # label packages...
  local label=$1; shift
  local missing=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -eq 0 ]; then log "$label packages: installed"; return; fi
  lock debian
  log "$label packages: installing ${missing[*]}"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  log "$label packages: done"
}

# ---- flux (issues 14 and 15, Tier 3): the real Flux controllers the GitOps tests run -------------------
# source-, kustomize- and helm-controller, each from its own wrapper module with its upstream replaces (as
# upstream builds it), into $CACHE/flux-controllers-<versions>/<controller>/bin/<controller>. Not part of
# `all` (a cold build adds many minutes): `scripts/tools/install.sh flux`; the test runs when it is cached.
flux_controllers_dir() { echo "$CACHE/flux-controllers-$FLUX_SOURCE_CONTROLLER_VERSION-$FLUX_KUSTOMIZE_CONTROLLER_VERSION-$FLUX_HELM_CONTROLLER_VERSION"; }
flux() {
  local dir; dir=$(flux_controllers_dir)
  if [ -f "$dir/.done" ]; then log "flux controllers: cached"; return; fi
  mkdir -p "$dir"
  local c v unavailable t0=$SECONDS
  for c in source-controller:$FLUX_SOURCE_CONTROLLER_VERSION:$FLUX_SOURCE_CONTROLLER_REPLACE_UNAVAILABLE \
           kustomize-controller:$FLUX_KUSTOMIZE_CONTROLLER_VERSION:$FLUX_KUSTOMIZE_CONTROLLER_REPLACE_UNAVAILABLE \
           helm-controller:$FLUX_HELM_CONTROLLER_VERSION:$FLUX_HELM_CONTROLLER_REPLACE_UNAVAILABLE; do
    IFS=: read -r c v unavailable <<<"$c"
    WRAPPER_DIR="$dir/$c" wrapper_build "flux-$c" "$v" "github.com/fluxcd/$c" "v$v" \
      "$(upstream_replaces "github.com/fluxcd/$c" "$v" "$unavailable")" "-s -w" "github.com/fluxcd/$c=$c"
  done
  echo "$((SECONDS - t0))" > "$dir/build-seconds"
  touch "$dir/.done"; log "flux controllers: done in $((SECONDS - t0)) s ($dir)"
}

# ---- machines (issue 15, Tier 1): the Debian VM image booted under QEMU by the machines tests ----------
machines_key() { printf '%s %s %s' "$MACHINES_DEBIAN_RELEASE" "$MACHINES_IMAGE_PACKAGES" "$MACHINES_IMAGE_REVISION" | sha256sum | cut -c1-12; }
machines() {
  # shellcheck disable=SC2086
  apt_install machines $MACHINES_HOST_PACKAGES
  local dir="$CACHE/machines-$MACHINES_DEBIAN_RELEASE-$(machines_key)"
  if [ -f "$dir/.done" ]; then log "machines image ($MACHINES_DEBIAN_RELEASE): cached"; return; fi
  lock machines; if [ -f "$dir/.done" ]; then log "machines image ($MACHINES_DEBIAN_RELEASE): cached"; return; fi
  log "machines image: building Debian $MACHINES_DEBIAN_RELEASE with mmdebstrap (a few minutes)"
  rm -rf "$dir"
  local t0=$SECONDS
  "$here/machines-image.sh" "$dir" "$MACHINES_DEBIAN_RELEASE" "$MACHINES_IMAGE_PACKAGES"
  echo "$((SECONDS - t0))" > "$dir/build-seconds"
  touch "$dir/.done"; log "machines image: done in $((SECONDS - t0)) s ($dir)"
}

# ---- platform (issue 4): upstream CRDs and charts for the Flux tree, and amtool -------------------------
# $CACHE/platform-crds-<flux>/<project>/*.yaml (CRD files), $CACHE/platform-charts-<flux>/<chart>/ (charts
# that live in their project's Go module), $CACHE/amtool-<version>/bin/amtool.
mod_dir() { # module@version -> an extracted copy of the module zip from the Go module proxy, its h1: hash
  # checked against the checksum database (works for modules whose go directive is newer than the local Go)
  local mv=$1 m=${1%@*} v=${1#*@}
  local out="$CACHE/.modules/$m@$v"
  if [ -f "$out/.done" ]; then echo "$out"; return; fi
  local esc; esc=$(python3 -c 'import re,sys; print(re.sub(r"[A-Z]", lambda x: "!"+x.group(0).lower(), sys.argv[1]))' "$m")
  local tmp; tmp=$(mktemp -d)
  curl -fsSL "https://proxy.golang.org/$esc/@v/$v.zip" -o "$tmp/m.zip" || return 1
  # the checksum database, through the proxy (as the go command reaches it)
  curl -fsSL "https://proxy.golang.org/sumdb/sum.golang.org/lookup/$esc@$v" -o "$tmp/sum.txt" || return 1
  python3 - "$tmp/m.zip" "$tmp/sum.txt" "$mv" <<'PY'
import base64, hashlib, sys, zipfile
zf, sumfile, mv = sys.argv[1:]
want = None
for line in open(sumfile):
    parts = line.split()
    if len(parts) == 3 and parts[0] + "@" + parts[1] == mv:
        want = parts[2]
if not want:
    sys.exit(f"{mv}: not in the checksum database answer")
z = zipfile.ZipFile(zf)
lines = "".join(f"{hashlib.sha256(z.read(n)).hexdigest()}  {n}\n" for n in sorted(z.namelist()))
got = "h1:" + base64.b64encode(hashlib.sha256(lines.encode()).digest()).decode()
if got != want:
    sys.exit(f"{mv}: zip hash {got} does not match the checksum database {want}")
PY
  [ $? -eq 0 ] || return 1
  rm -rf "$out"; mkdir -p "$out"
  (cd "$tmp" && unzip -q m.zip && cp -r "$tmp/$m@$v/." "$out/")
  chmod -R u+w "$out"; rm -rf "$tmp"; touch "$out/.done"
  echo "$out"
}

platform() {
  go_install restic "$RESTIC_VERSION" "github.com/restic/restic/cmd/restic@v$RESTIC_VERSION"
  # (a wrapper module: the proxy serves v0.14.0 but refuses the version list `go install m@v` reads)
  wrapper_build rest-server "$REST_SERVER_VERSION" github.com/restic/rest-server "v$REST_SERVER_VERSION" "" "" github.com/restic/rest-server/cmd/rest-server=rest-server
  go_install amtool "$ALERTMANAGER_VERSION" "github.com/prometheus/alertmanager/cmd/amtool@v$ALERTMANAGER_VERSION"
  go_install controller-gen "$CONTROLLER_TOOLS_VERSION" "sigs.k8s.io/controller-tools/cmd/controller-gen@v$CONTROLLER_TOOLS_VERSION"
  local key="$FLUX_VERSION-$CILIUM_VERSION-$CERT_MANAGER_VERSION-$METALLB_VERSION-$EXTERNAL_DNS_VERSION-$KUBE_PROMETHEUS_STACK_VERSION-$VELERO_VERSION-$ENVOY_GATEWAY_VERSION-$EXTERNAL_SNAPSHOTTER_VERSION-volsync$VOLSYNC_VERSION-nvdp$NVIDIA_DEVICE_PLUGIN_VERSION"
  local crds="$CACHE/platform-crds-$key" charts="$CACHE/platform-charts-$key"
  if [ -f "$crds/.done" ] && [ -f "$charts/.done" ]; then log "platform CRDs and charts: cached"; return; fi
  lock platform-crds
  if [ -f "$crds/.done" ] && [ -f "$charts/.done" ]; then log "platform CRDs and charts: cached"; return; fi
  rm -rf "$crds" "$charts"; mkdir -p "$crds" "$charts"
  local d
  cp_crds() { # project source-folder...
    local project=$1; shift; mkdir -p "$crds/$project"
    local f; for f in "$@"; do cp "$f" "$crds/$project/"; done
  }
  log "platform: Flux $FLUX_VERSION CRDs"
  d=$(mod_dir "github.com/fluxcd/source-controller@v$FLUX_SOURCE_CONTROLLER_VERSION") || { log "platform: cannot fetch "github.com/fluxcd/source-controller@v$FLUX_SOURCE_CONTROLLER_VERSION""; exit 1; }; cp_crds flux "$d"/config/crd/bases/*.yaml
  d=$(mod_dir "github.com/fluxcd/kustomize-controller@v$FLUX_KUSTOMIZE_CONTROLLER_VERSION") || { log "platform: cannot fetch "github.com/fluxcd/kustomize-controller@v$FLUX_KUSTOMIZE_CONTROLLER_VERSION""; exit 1; }; cp_crds flux "$d"/config/crd/bases/*.yaml
  # helm-controller and notification-controller: generated from their api modules, as upstream does
  local gen; gen=$(mktemp -d)
  cat > "$gen/go.mod" <<MOD
module drover.local/fluxcrds

go 1.26

require (
	github.com/fluxcd/helm-controller/api v$FLUX_HELM_CONTROLLER_VERSION
	github.com/fluxcd/notification-controller/api v$FLUX_NOTIFICATION_CONTROLLER_VERSION
)
MOD
  printf 'package fluxcrds\n\nimport (\n\t_ "github.com/fluxcd/helm-controller/api/v2"\n\t_ "github.com/fluxcd/notification-controller/api/v1"\n\t_ "github.com/fluxcd/notification-controller/api/v1beta3"\n)\n' > "$gen/tools.go"
  (cd "$gen" && go mod tidy >/dev/null 2>&1 && go mod download)
  (cd "$gen" && "$CACHE/controller-gen-$CONTROLLER_TOOLS_VERSION/bin/controller-gen" crd:crdVersions=v1 \
     paths=github.com/fluxcd/helm-controller/api/v2 output:crd:dir="$crds/flux")
  (cd "$gen" && "$CACHE/controller-gen-$CONTROLLER_TOOLS_VERSION/bin/controller-gen" crd:crdVersions=v1 \
     paths=github.com/fluxcd/notification-controller/api/... output:crd:dir="$crds/flux")
  rm -rf "$gen"
  log "platform: Cilium $CILIUM_VERSION CRDs and chart"
  d=$(mod_dir "github.com/cilium/cilium@v$CILIUM_VERSION") || { log "platform: cannot fetch "github.com/cilium/cilium@v$CILIUM_VERSION""; exit 1; }
  cp_crds cilium "$d"/pkg/k8s/apis/cilium.io/client/crds/v2/*.yaml "$d"/pkg/k8s/apis/cilium.io/client/crds/v2alpha1/*.yaml
  cp -r "$d/install/kubernetes/cilium" "$charts/cilium"
  log "platform: cert-manager $CERT_MANAGER_VERSION CRDs and chart"
  d=$(mod_dir "github.com/cert-manager/cert-manager@v$CERT_MANAGER_VERSION") || { log "platform: cannot fetch "github.com/cert-manager/cert-manager@v$CERT_MANAGER_VERSION""; exit 1; }
  cp_crds cert-manager "$d"/deploy/crds/*.yaml
  cp -r "$d/deploy/charts/cert-manager" "$charts/cert-manager"
  chmod -R u+w "$charts/cert-manager"
  sed -i -e "s/^version: .*/version: v$CERT_MANAGER_VERSION/" -e "s/^appVersion: .*/appVersion: v$CERT_MANAGER_VERSION/" "$charts/cert-manager/Chart.yaml"
  log "platform: MetalLB $METALLB_VERSION CRDs and chart"
  d=$(mod_dir "go.universe.tf/metallb@v$METALLB_VERSION") || { log "platform: cannot fetch "go.universe.tf/metallb@v$METALLB_VERSION""; exit 1; }
  cp_crds metallb "$d"/config/crd/bases/*.yaml
  cp -r "$d/charts/metallb" "$charts/metallb"
  log "platform: external-dns $EXTERNAL_DNS_VERSION CRDs and chart"
  d=$(mod_dir "sigs.k8s.io/external-dns@v$EXTERNAL_DNS_VERSION") || { log "platform: cannot fetch "sigs.k8s.io/external-dns@v$EXTERNAL_DNS_VERSION""; exit 1; }
  cp_crds external-dns "$d"/config/crd/standard/*.yaml
  cp -r "$d/charts/external-dns" "$charts/external-dns"
  log "platform: prometheus-community charts ($PROMETHEUS_COMMUNITY_CHARTS): kube-prometheus-stack's prometheus-operator CRDs"
  d=$(mod_dir "github.com/prometheus-community/helm-charts@$PROMETHEUS_COMMUNITY_CHARTS") || { log "platform: cannot fetch "github.com/prometheus-community/helm-charts@$PROMETHEUS_COMMUNITY_CHARTS""; exit 1; }
  cp_crds prometheus-operator "$d"/charts/kube-prometheus-stack/charts/crds/crds/*.yaml
  log "platform: Velero $VELERO_VERSION CRDs"
  d=$(mod_dir "github.com/vmware-tanzu/velero@v$VELERO_VERSION") || { log "platform: cannot fetch "github.com/vmware-tanzu/velero@v$VELERO_VERSION""; exit 1; }
  cp_crds velero "$d"/config/crd/v1/bases/*.yaml "$d"/config/crd/v2alpha1/bases/*.yaml
  log "platform: external-snapshotter $EXTERNAL_SNAPSHOTTER_VERSION VolumeSnapshot CRDs"
  d=$(mod_dir "github.com/kubernetes-csi/external-snapshotter/client/v8@v$EXTERNAL_SNAPSHOTTER_VERSION") || { log "platform: cannot fetch external-snapshotter"; exit 1; }
  cp_crds snapshots "$d"/config/crd/snapshot.storage.k8s.io_*.yaml
  log "platform: VolSync $VOLSYNC_VERSION CRDs"
  d=$(mod_dir "github.com/backube/volsync@v$VOLSYNC_VERSION") || { log "platform: cannot fetch github.com/backube/volsync@v$VOLSYNC_VERSION"; exit 1; }
  cp_crds volsync "$d"/config/crd/bases/volsync.backube_*.yaml
  log "platform: Envoy Gateway $ENVOY_GATEWAY_VERSION CRDs (with its Gateway API CRDs) and chart"
  d=$(mod_dir "github.com/envoyproxy/gateway@v$ENVOY_GATEWAY_VERSION") || { log "platform: cannot fetch "github.com/envoyproxy/gateway@v$ENVOY_GATEWAY_VERSION""; exit 1; }
  cp_crds envoy-gateway "$d"/charts/gateway-helm/charts/crds/crds/gatewayapi-crds.yaml "$d"/charts/gateway-helm/charts/crds/crds/generated/*.yaml
  cp -r "$d/charts/gateway-helm" "$charts/gateway-helm"
  # what upstream's release does to the chart source: values.yaml from values.tmpl.yaml with the release's
  # image, and the release version in Chart.yaml
  chmod -R u+w "$charts/gateway-helm"
  sed -e "s|\${GatewayImage}|docker.io/envoyproxy/gateway:v$ENVOY_GATEWAY_VERSION|" -e 's|\${GatewayImagePullPolicy}|IfNotPresent|' \
    "$charts/gateway-helm/values.tmpl.yaml" > "$charts/gateway-helm/values.yaml"
  sed -i -e "s/^version: .*/version: v$ENVOY_GATEWAY_VERSION/" -e "s/^appVersion: .*/appVersion: \"v$ENVOY_GATEWAY_VERSION\"/" "$charts/gateway-helm/Chart.yaml"
  log "platform: NVIDIA device plugin $NVIDIA_DEVICE_PLUGIN_VERSION chart"
  d=$(mod_dir "github.com/NVIDIA/k8s-device-plugin@v$NVIDIA_DEVICE_PLUGIN_VERSION") || { log "platform: cannot fetch github.com/NVIDIA/k8s-device-plugin@v$NVIDIA_DEVICE_PLUGIN_VERSION"; exit 1; }
  cp -r "$d/deployments/helm/nvidia-device-plugin" "$charts/nvidia-device-plugin"
  chmod -R u+w "$crds" "$charts"
  touch "$crds/.done" "$charts/.done"; log "platform CRDs and charts: done"
}

# ---- kubelets (issue 15, Tier 2): kubelet, containerd, runc, CNI plugins, pause --------------------------
# Each in its own cache folder; kubelets-<key>/.done stamps the whole set (what the kubelets tests look for).
kubelets_key() { printf '%s-%s-%s-%s-%s' "$KUBERNETES_VERSION" "$CONTAINERD_VERSION" "$RUNC_VERSION" "$CNI_PLUGINS_VERSION" "$KUBELETS_STANDIN_REVISION"; }
kubelets() {
  # shellcheck disable=SC2086
  apt_install kubelets $KUBELETS_HOST_PACKAGES
  local stamp="$CACHE/kubelets-$(kubelets_key)"
  if [ -f "$stamp/.done" ]; then log "kubelets $(kubelets_key): cached"; return; fi
  local t0=$SECONDS
  controlplane # the wrapper module kubelet is built from (cached: nothing to do)
  local v=$KUBERNETES_VERSION
  if [ ! -f "$CACHE/kubelet-$v/.done" ]; then
    wrapper_build kubelet "$v" k8s.io/kubernetes "v$v" "$(kube_replaces)" "$(kube_ldflags)" k8s.io/kubernetes/cmd/kubelet=kubelet
  else log "kubelet $v: cached"; fi
  local pdir="$CACHE/pause-$v"
  if [ -f "$pdir/.done" ]; then log "pause $v: cached"; else
    # the Kubernetes sources' own pause (build/pause/linux/pause.c), linked statically
    local kmod; kmod=$(cd "$CACHE/kubelet-$v/src" && go list -m -f '{{.Dir}}' k8s.io/kubernetes)
    rm -rf "$pdir"; mkdir -p "$pdir/bin"
    gcc -Os -static -DVERSION="v$v" -o "$pdir/bin/pause" "$kmod/build/pause/linux/pause.c"
    touch "$pdir/.done"; log "pause $v: done"
  fi
  # containerd's go.mod has exclude directives, which `go install m@v` refuses: a wrapper module. No cgo,
  # and none of the snapshotters that need C headers (btrfs, devmapper, zfs): overlayfs and native remain.
  ( export CGO_ENABLED=0 GOFLAGS="$GOFLAGS -tags=no_btrfs,no_devmapper,no_zfs,no_aufs"
    wrapper_build containerd "$CONTAINERD_VERSION" github.com/containerd/containerd/v2 "v$CONTAINERD_VERSION" "" \
      "-s -w -X github.com/containerd/containerd/v2/version.Version=v$CONTAINERD_VERSION" \
      github.com/containerd/containerd/v2/cmd/containerd=containerd \
      github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2=containerd-shim-runc-v2 \
      github.com/containerd/containerd/v2/cmd/ctr=ctr )
  local rdir="$CACHE/runc-$RUNC_VERSION"
  if [ -f "$rdir/.done" ]; then log "runc $RUNC_VERSION: cached"; else
    lock runc
    if [ ! -f "$rdir/.done" ]; then
      log "runc $RUNC_VERSION: building from the Go module proxy (cgo, libseccomp)"
      rm -rf "$rdir"; mkdir -p "$rdir/bin"
      GOBIN="$rdir/bin" CGO_ENABLED=1 go install -tags seccomp "github.com/opencontainers/runc@v$RUNC_VERSION"
      touch "$rdir/.done"; log "runc $RUNC_VERSION: done"
    fi
  fi
  go_install cni-plugins "$CNI_PLUGINS_VERSION" "github.com/containernetworking/plugins/plugins/...@v$CNI_PLUGINS_VERSION"
  # the app stand-in the tests tag with the apps' upstream image names (standard library only, static)
  rm -rf "$stamp"; mkdir -p "$stamp/bin"
  (cd "$here/kubelets-standin" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$stamp/bin/standin" .)
  echo "$((SECONDS - t0))" > "$stamp/build-seconds"
  touch "$stamp/.done"; log "kubelets $(kubelets_key): done in $((SECONDS - t0)) s"
}

targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(all)
for t in "${targets[@]}"; do
  case $t in
    all) debian; quick; talos; controlplane; platform ;;
    quick|controlplane|talos|debian|platform|machines|flux|kubelets) $t ;;
    *) echo "unknown target $t" >&2; exit 2 ;;
  esac
done
