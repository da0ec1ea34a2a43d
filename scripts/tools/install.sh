#!/usr/bin/env bash
# Builds or installs the real upstream tools used by Drover's test suite, pinned by version,
# cached outside the repo in $DROVER_TOOLS (default ~/.cache/drover-tools/<name>-<version>/bin).
# Usage: scripts/tools/install.sh [all|quick|controlplane|talos|debian]...   (default: all)
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
  local dir="$CACHE/$name-$version"
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

quick() {
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

controlplane() {
  local v=$KUBERNETES_VERSION minor=${KUBERNETES_VERSION#*.}; minor=${minor%%.*}
  local stagev="v0.${KUBERNETES_VERSION#*.}"
  local replaces="replace (" m
  for m in $(curl -fsSL "https://proxy.golang.org/k8s.io/kubernetes/@v/v$v.mod" | awk '$2=="=>" && $3 ~ /^\.\/staging/ {print $1}'); do
    replaces+=$'\n'"	$m => $m $stagev"
  done
  replaces+=$'\n)'
  local ld="-s -w"
  for pkgpath in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $pkgpath.gitVersion=v$v -X $pkgpath.gitMajor=1 -X $pkgpath.gitMinor=$minor -X $pkgpath.gitTreeState=clean -X $pkgpath.buildDate=1970-01-01T00:00:00Z"
  done
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

talos() {
  local trep
  trep=$(curl -fsSL "https://proxy.golang.org/github.com/siderolabs/talos/@v/v$TALOS_VERSION.mod" | python3 -c '
import re,sys
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
        rhs=lhs.split()[0]+" v'"$TALOS_VERSION"'"
    res.append("replace "+lhs+" => "+rhs)
print("\n".join(res))')
  local m
  for m in $TALOS_REPLACE_UNAVAILABLE; do trep+=$'\n'"replace ${m%%=*} => ${m%%=*} ${m#*=}"; done
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

debian() {
  local missing=() p
  for p in $DEBIAN_PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -eq 0 ]; then log "debian packages: installed"; return; fi
  lock debian
  log "debian packages: installing ${missing[*]}"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  log "debian packages: done"
}

targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(all)
for t in "${targets[@]}"; do
  case $t in
    all) debian; quick; talos; controlplane ;;
    quick|controlplane|talos|debian) $t ;;
    *) echo "unknown target $t" >&2; exit 2 ;;
  esac
done
