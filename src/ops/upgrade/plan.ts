// `drover upgrade --plan`: from the versions running (read from the cluster's Nodes, or given) to the
// versions lab.yaml pins, the steps in the order they are safe to take, each checked before anything
// runs. Phases, in order:
//   1. Talos OS (Talos labs): node by node, control planes first, workers by failure domain; each step
//      drains the node (kubectl drain semantics), runs `talosctl upgrade`, waits for the node to be Ready
//      at the new version and the apps healthy, uncordons. Each step is checked with what-if.
//   2. Kubernetes, by the version-skew policy: every kube-apiserver, then controller-manager and
//      scheduler, then the kubelets. Talos: one `talosctl upgrade-k8s`, which takes the components in
//      exactly that order; k3s: the server nodes one at a time (each restarts all its components), then
//      the agents, drained (node by node, or the system-upgrade-controller Plans of plan-k3s.ts).
//   3. Flux and the platform charts: Flux's CRDs first, then its controllers; every chart through its
//      HelmRelease, which replaces the chart's CRDs before upgrading it (install/upgrade crds:
//      CreateReplace) and rolls back on failure.
// A plan with blockers is refused as a whole: nothing runs.
import type { Lab, Node } from "../../lab/types.js";
import { capabilitiesOf } from "../../distributions/index.js";
import { baseline, type Baseline } from "../../analyze/whatif.js";
import { installerImage, nodeSchematic, platformOf } from "../../render/boot/schematic.js";
import { fluxBootstrapCommands } from "../../render/flux/flux-system.js";
import { FLUX_VERSION } from "../../render/flux/layout.js";
import { checkDrain, protectedApps, type StepCheck } from "./drain-check.js";
import { domainOf, domainText, upgradeOrder } from "./order.js";
import { controlPlanePath, kubeletSkew, talosPath, type Verdict } from "./skew.js";
import { k3sUpgradePlans } from "../../render/k3s/upgrade-plans.js";
import { ciliumUpgrade, type CiliumUpgrade } from "./cilium.js";
import { compareVersions, parseVersion, tryParseVersion, vText, type Version } from "./version.js";

/** What runs now, per node (undefined: not known). */
export interface RunningVersions {
  readonly nodes: Readonly<Record<string, { readonly talos?: string; readonly kubelet?: string }>>;
  /** kube-apiserver's version (GET /version); else the highest kubelet of a control plane */
  readonly apiserver?: string;
  /** the running Cilium release (the cilium DaemonSet's image tag) */
  readonly cilium?: string;
}

export type StepKind = "talos" | "kubelet" | "k3s-server" | "k3s-agent";

export interface NodeStep {
  readonly kind: StepKind;
  readonly node: string;
  readonly role: Node["role"];
  /** site / chassis / host */
  readonly domain: string;
  readonly from: string | undefined;
  readonly to: string;
  /** drained before and uncordoned after */
  readonly drain: boolean;
  readonly check: StepCheck;
  /** what runs on the node (argv), for the plan's reader; the runner runs the same */
  readonly command: readonly string[];
}

export interface KubernetesPhase {
  readonly from: string | undefined;
  readonly to: string;
  /** talosctl upgrade-k8s (one command, cluster-wide) or node by node */
  readonly mode: "talosctl upgrade-k8s" | "node-by-node";
  /** the order the components move in (the version-skew policy) */
  readonly stages: readonly { readonly component: string; readonly nodes: readonly string[] }[];
  /** talosctl upgrade-k8s's argv (Talos) */
  readonly command?: readonly string[];
  /** per-node steps (k3s) */
  readonly steps: readonly NodeStep[];
  /** k3s: the system-upgrade-controller Plans drover upgrade applies (render/k3s/upgrade-plans.ts) */
  readonly plans?: readonly Record<string, unknown>[];
}

export interface PlatformPhase {
  readonly steps: readonly { readonly what: string; readonly commands: readonly string[] }[];
  /** a Cilium release change and its documented path (pre-flight first) */
  readonly cilium?: CiliumUpgrade;
}

export interface Blocker {
  readonly phase: "talos" | "kubernetes" | "platform";
  readonly node?: string;
  readonly reason: string;
  readonly hint: string;
}

export interface UpgradePlan {
  readonly lab: string;
  readonly distribution: Lab["distribution"];
  readonly talos: { readonly to: string; readonly steps: readonly NodeStep[] } | undefined;
  readonly kubernetes: KubernetesPhase | undefined;
  readonly platform: PlatformPhase;
  readonly blockers: readonly Blocker[];
  readonly warnings: readonly string[];
  /** nodes already at the target, skipped */
  readonly upToDate: readonly string[];
  readonly ok: boolean;
}

export interface PlanOptions {
  readonly running: RunningVersions;
  /** where talosconfig is (rendered output folder), for the commands */
  readonly outDir?: string;
  /** a baseline computed already (the dashboard, benchmarks) */
  readonly baseline?: Baseline;
}

/** "Talos (v1.12.6)" (a Node's status.nodeInfo.osImage) → "1.12.6" */
export function talosFromOsImage(osImage: string | undefined): string | undefined {
  const m = /\bTalos \(v?(\d+\.\d+\.\d+[^)]*)\)/.exec(osImage ?? "");
  return m?.[1];
}

export function installerFor(lab: Lab, n: Node): string {
  return installerImage(nodeSchematic(lab, n), lab.talosVersion, platformOf(n, lab.host(n.host).provider) !== undefined);
}

export const talosconfigPath = (outDir: string | undefined): string => `${outDir ?? "out"}/talos/talosconfig`;

export function talosUpgradeCommand(lab: Lab, n: Node, outDir?: string): string[] {
  return ["talosctl", "--talosconfig", talosconfigPath(outDir), "upgrade", "--nodes", n.address, "--image", installerFor(lab, n), "--wait"];
}

export function talosUpgradeK8sCommand(lab: Lab, to: string, outDir?: string): string[] {
  const cp = lab.controlPlanes()[0]!;
  return ["talosctl", "--talosconfig", talosconfigPath(outDir), "upgrade-k8s", "--nodes", cp.address, "--to", to];
}

const verdictBlocker = (v: Verdict, phase: Blocker["phase"], node?: string): Blocker[] => (v.ok ? [] : [{ phase, ...(node ? { node } : {}), reason: v.reason, hint: v.hint }]);

export function upgradePlan(lab: Lab, opts: PlanOptions): UpgradePlan {
  const blockers: Blocker[] = [];
  const warnings: string[] = [];
  const upToDate = new Set<string>();
  const order = upgradeOrder(lab);
  const running = (n: Node) => opts.running.nodes[n.name] ?? {};
  let b: Baseline | undefined = opts.baseline;
  let guard: Map<string, number> | undefined;
  const check = (n: Node): StepCheck => {
    b ??= baseline(lab);
    guard ??= protectedApps(lab);
    return checkDrain(b, n.name, guard);
  };
  const stepBlockers = (phase: Blocker["phase"], s: NodeStep) =>
    s.check.problems.map((p): Blocker => ({ phase, node: s.node, reason: p, hint: `make room first (add a node, lower requests) or spread the app, then plan again; nothing was changed` }));

  // 1. Talos OS
  const { upgrade } = capabilitiesOf(lab.distribution);
  let talos: UpgradePlan["talos"];
  if (upgrade.os) {
    const to = parseVersion(lab.talosVersion, "cluster.talosVersion");
    const steps: NodeStep[] = [];
    for (const n of order) {
      const fromText = running(n).talos;
      const from = fromText ? tryParseVersion(fromText) : undefined;
      if (from && compareVersions(from, to) === 0) {
        upToDate.add(`${n.name} (Talos ${vText(to)})`);
        continue;
      }
      if (from) blockers.push(...verdictBlocker(talosPath(from, to), "talos", n.name));
      else warnings.push(`the running Talos version of ${n.name} is not known: the plan assumes it is one minor release or less behind ${vText(to)}`);
      const s: NodeStep = { kind: "talos", node: n.name, role: n.role, domain: domainText(domainOf(lab, n)), from: fromText, to: to.text, drain: true, check: check(n), command: talosUpgradeCommand(lab, n, opts.outDir) };
      blockers.push(...stepBlockers("talos", s));
      steps.push(s);
    }
    talos = { to: to.text, steps };
  }

  // 2. Kubernetes
  const k8sTo = parseVersion(lab.kubernetesVersion, "cluster.kubernetesVersion");
  const kubelets = order.map((n) => [n, running(n).kubelet ? tryParseVersion(running(n).kubelet!) : undefined] as const);
  const cpKubelets = kubelets.filter(([n, v]) => n.role === "controlplane" && v).map(([, v]) => v!);
  const apiText = opts.running.apiserver;
  const api: Version | undefined = apiText ? tryParseVersion(apiText) : cpKubelets.sort(compareVersions).at(-1);
  let kubernetes: KubernetesPhase | undefined;
  const stale = kubelets.filter(([, v]) => !v || compareVersions(v, k8sTo) !== 0);
  const apiStale = !api || compareVersions(api, k8sTo) !== 0;
  if (stale.length || apiStale) {
    if (api) blockers.push(...verdictBlocker(controlPlanePath(api, k8sTo), "kubernetes"));
    else warnings.push(`the running Kubernetes version is not known: the plan assumes the control plane is one minor release or less behind ${vText(k8sTo)}`);
    // kubelets must stay within the skew of the new API servers until they are upgraded
    for (const [n, v] of kubelets) if (v) blockers.push(...verdictBlocker(kubeletSkew(v, k8sTo), "kubernetes", n.name));
    const cps = lab.controlPlanes().map((n) => n.name);
    const stages = [
      { component: "kube-apiserver", nodes: cps },
      { component: "kube-controller-manager", nodes: cps },
      { component: "kube-scheduler", nodes: cps },
      ...(lab.cni === "cilium" ? [] : [{ component: "kube-proxy", nodes: ["(DaemonSet)"] }]),
      { component: "kubelet", nodes: stale.map(([n]) => n.name) },
    ];
    if (upgrade.kubernetes === "cluster-command") {
      kubernetes = { from: api?.text, to: k8sTo.text, mode: "talosctl upgrade-k8s", stages, command: talosUpgradeK8sCommand(lab, k8sTo.text, opts.outDir), steps: [] };
    } else {
      // k3s: one binary per node; servers first (all their components at once), then agents
      const k3sTo = lab.k3sVersion;
      const steps: NodeStep[] = [];
      for (const [n, v] of kubelets) {
        if (v && compareVersions(v, k8sTo) === 0) {
          upToDate.add(`${n.name} (Kubernetes ${vText(k8sTo)})`);
          continue;
        }
        const server = n.role === "controlplane";
        const s: NodeStep = {
          kind: server ? "k3s-server" : "k3s-agent", node: n.name, role: n.role, domain: domainText(domainOf(lab, n)), from: v?.text, to: k3sTo,
          drain: true, check: check(n),
          command: ["sh", "-c", `curl -sfL ${lab.k3sInstallerUrl} | INSTALL_K3S_VERSION=${k3sTo} sh -s - ${server ? "server" : "agent"}`],
        };
        blockers.push(...stepBlockers("kubernetes", s));
        steps.push(s);
      }
      kubernetes = { from: api?.text, to: k8sTo.text, mode: "node-by-node", stages, steps, plans: k3sUpgradePlans(lab) };
    }
  } else {
    for (const n of order) upToDate.add(`${n.name} (Kubernetes ${vText(k8sTo)})`);
  }

  // 3. Flux and the platform charts (Cilium by its documented path: pre-flight before the push)
  const [crds, wait, sync] = fluxBootstrapCommands(lab);
  const cilium = ciliumUpgrade(lab, opts.running.cilium);
  for (const b of cilium?.blockers ?? []) blockers.push({ phase: "platform", ...b });
  warnings.push(...(cilium?.warnings ?? []));
  const platform: PlatformPhase = {
    steps: [
      { what: `Flux ${FLUX_VERSION}: its CRDs first (new API versions served before any controller uses them), then the controllers`, commands: [crds!, wait!, sync!] },
      ...(cilium ? [cilium.steps[0]!] : []),
      { what: "platform charts: each HelmRelease replaces its chart's CRDs before upgrading (crds: CreateReplace) and rolls back a failed upgrade; Flux applies them in dependsOn order after the commit is pushed", commands: ["git commit -am 'upgrade' && git push", "flux reconcile kustomization flux-system --with-source"] },
      ...(cilium ? cilium.steps.slice(1) : []),
    ],
    ...(cilium ? { cilium } : {}),
  };
  return {
    lab: lab.name,
    distribution: lab.distribution,
    talos,
    kubernetes,
    platform,
    blockers,
    warnings: [...new Set([...warnings, ...[...(talos?.steps ?? []), ...(kubernetes?.steps ?? [])].flatMap((s) => s.check.warnings)])],
    upToDate: [...upToDate],
    ok: blockers.length === 0,
  };
}
