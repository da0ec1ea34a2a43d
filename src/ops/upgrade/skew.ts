// The upgrade paths each upstream documents, as rules a plan is checked against.
//
// Kubernetes (version-skew policy, https://kubernetes.io/releases/version-skew-policy/, as of 1.35):
//  - kube-apiserver instances of an HA control plane are within one minor version of each other, so the
//    control plane moves one minor release at a time (1.34 → 1.36 must go through 1.35);
//  - kube-controller-manager and kube-scheduler are never newer than the API servers they talk to
//    (and may be one minor older): they follow once every API server is upgraded;
//  - the kubelet is never newer than kube-apiserver and may be up to three minor versions older
//    (two before 1.25): kubelets go last, and may be left behind by at most three minors.
// Talos (docs.siderolabs.com, "Supported upgrade paths"): the configuration migration is tested
// between adjacent minor releases only, so upgrade through the latest patch of every intermediate minor.
import { compareVersions, minorsBetween, minorOf, vText, type Version } from "./version.js";

/** how many minor versions a kubelet may lag the API server (1.25 and later) */
export const KUBELET_MAX_LAG = 3;

export type Verdict = { readonly ok: true; readonly note?: string } | { readonly ok: false; readonly reason: string; readonly hint: string };

/** Whether the control plane may go from `from` to `to` in one upgrade. */
export function controlPlanePath(from: Version, to: Version): Verdict {
  const c = compareVersions(from, to);
  if (c === 0) return { ok: true, note: `Kubernetes is already at ${vText(to)}` };
  if (c > 0) return { ok: false, reason: `Kubernetes ${vText(to)} is older than the running ${vText(from)}: a control plane is never downgraded`, hint: `set cluster.kubernetesVersion back to ${from.text} or later` };
  const minors = minorsBetween(from, to);
  if (minors > 1) {
    const next = `${from.major}.${from.minor + 1}`;
    return {
      ok: false,
      reason: `Kubernetes ${vText(from)} → ${vText(to)} skips ${minors - 1} minor release${minors === 2 ? "" : "s"}: kube-apiserver instances must stay within one minor version of each other, so the control plane moves one minor at a time`,
      hint: `upgrade to the latest ${next}.x first (set cluster.kubernetesVersion to ${next}.<patch>, run drover upgrade), then to ${minorOf(to)}`,
    };
  }
  return { ok: true };
}

/** Whether kubelets at `kubelet` may run against API servers at `apiserver`. */
export function kubeletSkew(kubelet: Version, apiserver: Version): Verdict {
  if (compareVersions(kubelet, apiserver) > 0) return { ok: false, reason: `kubelet ${vText(kubelet)} is newer than kube-apiserver ${vText(apiserver)}`, hint: "upgrade the control plane first" };
  const lag = minorsBetween(kubelet, apiserver);
  if (lag > KUBELET_MAX_LAG) {
    return { ok: false, reason: `kubelet ${vText(kubelet)} would be ${lag} minor versions behind kube-apiserver ${vText(apiserver)}; the version-skew policy allows ${KUBELET_MAX_LAG}`, hint: "upgrade the kubelets before moving the control plane further" };
  }
  return { ok: true };
}

/** Whether a Talos node may go from `from` to `to` in one upgrade. */
export function talosPath(from: Version, to: Version): Verdict {
  const c = compareVersions(from, to);
  if (c === 0) return { ok: true, note: `Talos is already at ${vText(to)}` };
  if (c > 0) return { ok: false, reason: `Talos ${vText(to)} is older than the running ${vText(from)}: use talosctl rollback for a failed upgrade, never a downgrade`, hint: `set cluster.talosVersion back to ${from.text} or later` };
  const minors = minorsBetween(from, to);
  if (minors > 1) {
    const next = `${from.major}.${from.minor + 1}`;
    return {
      ok: false,
      reason: `Talos ${vText(from)} → ${vText(to)} skips ${minors - 1} minor release${minors === 2 ? "" : "s"}: Talos tests its configuration migration between adjacent minor releases only`,
      hint: `upgrade to the latest ${next}.x first (set cluster.talosVersion to ${next}.<patch>, run drover upgrade), then to ${minorOf(to)}`,
    };
  }
  return { ok: true };
}
