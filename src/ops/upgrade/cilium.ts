// Cilium's documented upgrade path (docs.cilium.io, Upgrade Guide), as steps of `drover upgrade --plan`:
//   - one minor release at a time, never down (the only tested path); a patch release any time
//   - pre-flight (required): the new chart rendered with preflight.enabled=true, agent=false,
//     operator.enabled=false (and, kube-proxy-free as Drover runs it, where the agents reach the API)
//     makes the cilium-pre-flight-check DaemonSet, which pulls the new image on every node; once it is
//     Ready on as many nodes as the cilium DaemonSet, it is deleted and the upgrade goes ahead
//   - a minor upgrade keeps the defaults of the release the cluster runs: the chart's
//     upgradeCompatibility value, from versions.yaml (upgradeCompatibility: { cilium: "1.19" })
//   - nothing when Cilium is not running yet (Flux installs it) or runs the pinned release
//   - the chart itself through its HelmRelease; Cilium's CRDs are registered by cilium-operator when it
//     starts (the chart has no crds/), so nothing is applied before it
import type { Lab } from "../../lab/types.js";
import { ciliumValues } from "../../render/platform/network.js";
import { NAMESPACES } from "../../render/platform/contract.js";
import { compareVersions, minorOf, minorsBetween, tryParseVersion, vText, type Version } from "./version.js";

/** The pre-flight DaemonSet the chart makes with preflight.enabled=true. */
export const PREFLIGHT_DAEMONSET = "cilium-pre-flight-check";
export const PREFLIGHT_FILE = "cilium-preflight.yaml";

export interface CiliumUpgrade {
  readonly from: string | undefined;
  readonly to: string;
  readonly steps: readonly { readonly what: string; readonly commands: readonly string[] }[];
  readonly blockers: readonly { readonly reason: string; readonly hint: string }[];
  readonly warnings: readonly string[];
}

/** `helm template` of the pre-flight, as the Upgrade Guide writes it, for this lab's chart source. */
export function preflightTemplateArgs(lab: Lab): string[] {
  const c = lab.versions.charts.cilium;
  const v = ciliumValues(lab) as { k8sServiceHost?: string; k8sServicePort?: number };
  const chartRef = c.source.kind === "oci" ? [c.source.url] : [c.chart, "--repo", c.source.url];
  return [
    "helm", "template", "cilium", ...chartRef, "--version", c.version, "--namespace", NAMESPACES.kubeSystem,
    "--set", "preflight.enabled=true", "--set", "agent=false", "--set", "operator.enabled=false",
    ...(v.k8sServiceHost ? ["--set", `k8sServiceHost=${v.k8sServiceHost}`, "--set", `k8sServicePort=${v.k8sServicePort}`] : []),
  ];
}

export function ciliumUpgrade(lab: Lab, running: string | undefined): CiliumUpgrade | undefined {
  if (lab.cni !== "cilium") return undefined;
  const toText = lab.versions.charts.cilium.version;
  const to = tryParseVersion(toText)!;
  // not running (yet): the chart's first install is Flux's, with nothing to keep compatible
  const from: Version | undefined = running ? tryParseVersion(running) : undefined;
  if (!running || (from && compareVersions(from, to) === 0)) return undefined;
  const blockers: { reason: string; hint: string }[] = [];
  const warnings: string[] = [];
  const compat = lab.versions.upgradeCompatibility.cilium;
  if (!from) blockers.push({ reason: `the running Cilium release "${running}" is not a version`, hint: "pass --from-cilium <major.minor.patch>" });
  else if (compareVersions(from, to) > 0) blockers.push({ reason: `Cilium ${vText(to)} is older than the running ${vText(from)}: Cilium documents no downgrade but a rollback of a failed upgrade (helm rollback)`, hint: `set charts.cilium in versions.yaml back to ${from.text} or later` });
  else if (minorsBetween(from, to) > 1) blockers.push({ reason: `Cilium ${vText(from)} → ${vText(to)} skips a minor release: Cilium's only tested upgrade path is one minor release at a time`, hint: `set charts.cilium in versions.yaml to the newest ${from.major}.${from.minor + 1}.x first, upgrade, then move on` });
  else if (minorsBetween(from, to) === 1 && compat !== minorOf(from)) {
    blockers.push({
      reason: `Cilium ${vText(from)} → ${vText(to)} is a minor upgrade: Cilium's upgrade path keeps the defaults of ${minorOf(from)} (the chart's upgradeCompatibility), ${compat ? `but versions.yaml says ${compat}` : "which versions.yaml does not set"}`,
      hint: `add to versions.yaml: upgradeCompatibility: { cilium: "${minorOf(from)}" }, render, commit, then plan again`,
    });
  }
  if (compat && from && compat !== minorOf(from) && minorsBetween(from, to) !== 1) warnings.push(`versions.yaml's upgradeCompatibility.cilium is ${compat}, the cluster runs ${minorOf(from)}: the chart keeps the defaults of ${compat}`);
  const ds = `kubectl -n ${NAMESPACES.kubeSystem}`;
  return {
    from: from?.text ?? running,
    to: to.text,
    steps: [
      {
        what: `Cilium pre-flight: the ${PREFLIGHT_DAEMONSET} DaemonSet pulls ${vText(to)}'s image on every node; go on when it is Ready on as many nodes as the cilium DaemonSet, then delete it`,
        commands: [
          `${preflightTemplateArgs(lab).join(" ")} > ${PREFLIGHT_FILE}`,
          `kubectl create -f ${PREFLIGHT_FILE}`,
          `${ds} rollout status daemonset/${PREFLIGHT_DAEMONSET} --timeout=10m`,
          `${ds} get daemonset cilium ${PREFLIGHT_DAEMONSET} -o custom-columns=NAME:.metadata.name,READY:.status.numberReady`,
          `kubectl delete -f ${PREFLIGHT_FILE}`,
        ],
      },
      {
        what: `Cilium ${from ? vText(from) : "?"} → ${vText(to)} through its HelmRelease${compat ? ` (upgradeCompatibility ${compat})` : ""}; cilium-operator registers the new CRDs as it starts, so nothing is applied first; the agents roll node by node`,
        commands: [`${ds} rollout status daemonset/cilium --timeout=15m`, `${ds} rollout status deployment/cilium-operator --timeout=10m`],
      },
    ],
    blockers,
    warnings,
  };
}
