// Where `scripts/tools/install.sh kubelets` puts the real node runtime (issue 15, Tier 2): kubelet,
// pause, containerd, runc, the CNI plugins and the app stand-in, each in its cache folder keyed by the
// versions pinned in scripts/tools/versions.sh; kubelets-<key>/.done stamps the whole set.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, TOOLS_CACHE, toolVersions } from "./paths.js";


/** The stamp folder of the whole set (as install.sh's kubelets_key names it). */
export function kubeletsStampDir(): string {
  const v = toolVersions();
  return join(TOOLS_CACHE, `kubelets-${v.KUBERNETES_VERSION}-${v.CONTAINERD_VERSION}-${v.RUNC_VERSION}-${v.CNI_PLUGINS_VERSION}-${v.KUBELETS_STANDIN_REVISION}`);
}

export interface KubeletsTools {
  readonly kubelet: string;
  readonly pause: string;
  readonly containerd: string;
  /** the folder holding containerd, containerd-shim-runc-v2 and ctr (the shim is found on PATH) */
  readonly containerdBin: string;
  readonly runc: string;
  readonly cniBin: string;
  readonly standin: string;
  readonly registry: string;
  /** systemd-nspawn, for nodes that boot systemd (graceful node shutdown) */
  readonly nspawn: string;
  readonly versions: { readonly kubernetes: string; readonly containerd: string; readonly runc: string; readonly cni: string };
}

/** The built set; throws (failing the test) when `scripts/tools/install.sh kubelets` has not built it. */
export function kubeletsTools(): KubeletsTools {
  const stamp = kubeletsStampDir();
  if (!existsSync(join(stamp, ".done"))) throw new Error(`the kubelets tools are not built (${stamp}); run scripts/tools/install.sh kubelets (or npm run test:kubelets)`);
  // the host programs install.sh kubelets installs from Debian (KUBELETS_HOST_PACKAGES)
  for (const [bin, pkg] of [["/usr/bin/docker-registry", "docker-registry"], ["/usr/bin/systemd-nspawn", "systemd-container"]] as const) {
    if (!existsSync(bin)) throw new Error(`${bin} is missing (Debian's ${pkg}); run scripts/tools/install.sh kubelets, which installs the kubelets tests' host packages`);
  }
  const v = toolVersions();
  const c = (dir: string, bin: string) => join(TOOLS_CACHE, dir, "bin", bin);
  return {
    kubelet: c(`kubelet-${v.KUBERNETES_VERSION}`, "kubelet"),
    pause: c(`pause-${v.KUBERNETES_VERSION}`, "pause"),
    containerd: c(`containerd-${v.CONTAINERD_VERSION}`, "containerd"),
    containerdBin: join(TOOLS_CACHE, `containerd-${v.CONTAINERD_VERSION}`, "bin"),
    runc: c(`runc-${v.RUNC_VERSION}`, "runc"),
    cniBin: join(TOOLS_CACHE, `cni-plugins-${v.CNI_PLUGINS_VERSION}`, "bin"),
    standin: join(stamp, "bin", "standin"),
    registry: "/usr/bin/docker-registry",
    nspawn: "/usr/bin/systemd-nspawn",
    versions: { kubernetes: v.KUBERNETES_VERSION!, containerd: v.CONTAINERD_VERSION!, runc: v.RUNC_VERSION!, cni: v.CNI_PLUGINS_VERSION! },
  };
}
