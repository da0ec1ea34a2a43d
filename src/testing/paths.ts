// Paths for tests: the repo root, the examples, and the cache of real upstream tools.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";

/** dist/testing/paths.js → repo root */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const EXAMPLES = join(ROOT, "examples");

export function exampleFiles(): string[] {
  return ["starter", "talos-mixed", "pi-cluster", "proxmox-k3s", "multi-site"]
    .map((n) => join(EXAMPLES, n, "lab.yaml"))
    .filter((p) => existsSync(p));
}

/** The pins of scripts/tools/versions.sh (NAME=value lines), read by every harness that finds a cached tool. */
export function toolVersions(): Record<string, string> {
  const text = readFileSync(join(ROOT, "scripts/tools/versions.sh"), "utf8");
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/^([A-Z][A-Z0-9_]*)=("?)([^"\n]*)\2$/gm)) out[m[1]!] = m[3]!;
  return out;
}

export const TOOLS_CACHE = process.env.DROVER_TOOLS ?? join(homedir(), ".cache", "drover-tools");

/**
 * Path to a pinned upstream tool built by scripts/tools/install.sh, e.g. tool("sops").
 * Throws (failing the test) when it is missing: tests never silently skip a real check.
 */
export function tool(name: "sops" | "age" | "age-keygen" | "kubeconform" | "kustomize" | "helm" | "kwok" | "kwokctl" | "talosctl" | "kube-apiserver" | "kube-controller-manager" | "kube-scheduler" | "kubectl" | "etcd" | "amtool" | "restic" | "rest-server" | "go-yaml-reader" | "go-x509-check"): string {
  const v = toolVersions();
  const table: Record<string, [string, string]> = {
    sops: ["sops", v.SOPS_VERSION!], age: ["age", v.AGE_VERSION!], "age-keygen": ["age", v.AGE_VERSION!],
    kubeconform: ["kubeconform", v.KUBECONFORM_VERSION!], kustomize: ["kustomize", v.KUSTOMIZE_VERSION!], helm: ["helm", v.HELM_VERSION!],
    kwok: ["kwok", v.KWOK_VERSION!], kwokctl: ["kwok", v.KWOK_VERSION!], talosctl: ["talosctl", v.TALOS_VERSION!],
    "kube-apiserver": ["kubernetes", v.KUBERNETES_VERSION!], "kube-controller-manager": ["kubernetes", v.KUBERNETES_VERSION!],
    "kube-scheduler": ["kubernetes", v.KUBERNETES_VERSION!], kubectl: ["kubernetes", v.KUBERNETES_VERSION!], etcd: ["etcd", v.ETCD_VERSION!],
    amtool: ["amtool", v.ALERTMANAGER_VERSION!],
    restic: ["restic", v.RESTIC_VERSION!], "rest-server": ["rest-server", v.REST_SERVER_VERSION!],
    "go-yaml-reader": ["go-yaml-reader", v.GO_YAML_READER_VERSION!], "go-x509-check": ["go-x509-check", v.GO_X509_CHECK_VERSION!],
  };
  const [dir, version] = table[name]!;
  const p = join(TOOLS_CACHE, `${dir}-${version}`, "bin", name);
  if (!existsSync(p)) throw new Error(`${name} ${version} is not built at ${p}; run scripts/tools/install.sh`);
  return p;
}

/** A cached data folder from install.sh (e.g. "k8s-openapi", "talos-schema"). */
export function toolData(prefix: "k8s-openapi" | "talos-schema"): string {
  const v = toolVersions();
  const version = prefix === "k8s-openapi" ? v.KUBERNETES_VERSION : v.TALOS_VERSION;
  const p = join(TOOLS_CACHE, `${prefix}-${version}`);
  if (!existsSync(p)) throw new Error(`${prefix} ${version} is not at ${p}; run scripts/tools/install.sh`);
  return p;
}

/**
 * The platform's upstream CRD files ("crds": <project>/*.yaml) or charts ("charts": <chart>/) fetched by
 * `scripts/tools/install.sh platform` at the versions pinned in versions.sh.
 */
export function platformData(kind: "crds" | "charts"): string {
  const v = toolVersions();
  const key = [v.FLUX_VERSION, v.CILIUM_VERSION, v.CERT_MANAGER_VERSION, v.METALLB_VERSION, v.EXTERNAL_DNS_VERSION, v.KUBE_PROMETHEUS_STACK_VERSION, v.VELERO_VERSION, v.ENVOY_GATEWAY_VERSION, v.EXTERNAL_SNAPSHOTTER_VERSION, `volsync${v.VOLSYNC_VERSION}`, `nvdp${v.NVIDIA_DEVICE_PLUGIN_VERSION}`].join("-");
  const p = join(TOOLS_CACHE, `platform-${kind}-${key}`);
  if (!existsSync(join(p, ".done"))) throw new Error(`platform ${kind} are not at ${p}; run scripts/tools/install.sh platform`);
  return p;
}

/**
 * Path to a program from a Debian package that scripts/tools/install.sh installs (DEBIAN_PACKAGES in
 * versions.sh), e.g. debianTool("cloud-init"). Throws (failing the test) when it is missing.
 */
export function debianTool(name: "cloud-init" | "wireguard-go" | "wg" | "wg-quick" | "ip" | "ping" | "nft" | "conntrack" | "sysctl" | "zbarimg" | "qrencode" | "shellcheck" | "sshd" | "ssh" | "ssh-keygen" | "git" | "upsd" | "upsmon" | "upsdrvctl" | "unshare" | "openssl"): string {
  for (const dir of ["/usr/bin", "/usr/sbin", "/bin", "/sbin"]) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  throw new Error(`${name} is not installed; run scripts/tools/install.sh debian (Debian packages: ${toolVersions().DEBIAN_PACKAGES})`);
}
