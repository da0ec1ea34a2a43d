// drover upgrade [lab]: roll the cluster to the versions lab.yaml pins (src/ops/upgrade); --plan only
// prints the plan (offline with --from-talos/--from-kubernetes, else from the cluster's Nodes).
import type { Command } from "commander";
import { resolve } from "node:path";
import { LAB_HELP } from "../lab-argument.js";
import type { Context } from "../context.js";
import { bold, dim, green, red, yellow, type Output } from "../output.js";
import { loadLab } from "../../lab/file.js";
import { Client } from "../../cluster/client.js";
import { apiServerVersion, ciliumVersion, nodeVersions } from "../../cluster/nodes.js";
import { upgradePlan, talosFromOsImage, type RunningVersions, type UpgradePlan, type NodeStep } from "../../ops/upgrade/plan.js";
import { runUpgrade } from "../../ops/upgrade/run.js";
import { talosctlRunner } from "../../ops/upgrade/runner.js";
import type { RollEvent } from "../../ops/upgrade/roll.js";
import { UserError } from "../../errors.js";
import { preflightTemplateArgs } from "../../ops/upgrade/cilium.js";
import { runCommand, lastLine } from "../../ops/upgrade/runner.js";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../../cluster/objects.js";
import type { Lab } from "../../lab/types.js";

/** The plan's pre-flight render, by the helm binary given. */
async function renderPreflight(lab: Lab, helm: string): Promise<KubeObject[]> {
  const argv = [helm, ...preflightTemplateArgs(lab).slice(1)];
  let r;
  try {
    r = await runCommand(argv, 10 * 60_000);
  } catch (e) {
    throw new UserError(`cannot run ${helm}: ${(e as Error).message}`, "install helm or pass --helm <path>: it renders the Cilium pre-flight");
  }
  if (r.code !== 0) throw new UserError(`the Cilium pre-flight could not be rendered: helm failed: ${lastLine(r)}`, argv.join(" "));
  return parseAllDocuments(r.stdout).map((d) => d.toJS() as KubeObject).filter((d) => d && typeof d === "object");
}
import { parseDuration } from "./node.js";
import { kubeconfigOptions } from "../../ops/cluster-input.js";

interface Opts { plan?: boolean; out?: string; kubeconfig?: string; context?: string; fromTalos?: string; fromKubernetes?: string; fromCilium?: string; talosctl?: string; helm?: string; timeout: string }

const stepLine = (o: Output, s: NodeStep, i: number) => {
  const c = s.check;
  const notes = [
    c.kept.length ? `keeps ${c.kept.join(", ")} serving` : "",
    c.restarts.length ? `restarts ${c.restarts.join(", ")}` : "",
  ].filter(Boolean).join("; ");
  return `  ${String(i + 1).padStart(3)}. ${bold(o, s.node)} ${dim(o, `(${s.role}, ${s.domain})`)} ${s.from ?? "?"} → ${s.to}${s.drain ? ", drained" : ""}${c.ok ? "" : red(o, " BLOCKED")}${notes ? dim(o, ` — ${notes}`) : ""}`;
};

export function formatPlan(o: Output, p: UpgradePlan): string {
  const lines: string[] = [bold(o, `upgrade plan for lab ${p.lab} (${p.distribution})`)];
  if (p.talos) {
    lines.push("", bold(o, `1. Talos OS → ${p.talos.to}`) + (p.talos.steps.length ? ` (${p.talos.steps.length} nodes, one at a time: drain, talosctl upgrade, Ready, uncordon)` : green(o, " nothing to do")));
    p.talos.steps.forEach((s, i) => lines.push(stepLine(o, s, i)));
  }
  const k = p.kubernetes;
  lines.push("", bold(o, `${p.talos ? 2 : 1}. Kubernetes${k ? ` ${k.from ?? "?"} → ${k.to}` : ""}`) + (k ? "" : green(o, " nothing to do")));
  if (k) {
    lines.push(`  order (version-skew policy): ${k.stages.map((s) => s.component).join(" → ")}`);
    if (k.command) lines.push(`  ${k.command.join(" ")}`);
    if (k.plans?.length) lines.push(`  system-upgrade-controller Plans (drover upgrade applies them, then follows the Nodes): ${k.plans.map((p) => (p.metadata as { name: string }).name).join(", ")} — servers one at a time, cordoned; then agents one at a time, drained; each step below is checked as the controller would take it`);
    k.steps.forEach((s, i) => lines.push(stepLine(o, s, i)));
  }
  const cilium = p.platform.cilium;
  lines.push("", bold(o, `${p.talos ? 3 : 2}. Flux and platform charts`) + (cilium ? ` (Cilium ${cilium.from ?? "?"} → ${cilium.to}, pre-flight first)` : ""));
  for (const s of p.platform.steps) {
    lines.push(`  - ${s.what}`);
    for (const c of s.commands) lines.push(dim(o, `      ${c}`));
  }
  if (p.upToDate.length) lines.push("", dim(o, `up to date: ${p.upToDate.join(", ")}`));
  for (const w of p.warnings) lines.push(yellow(o, `warning: ${w}`));
  if (p.blockers.length) {
    lines.push("", red(o, bold(o, `refused: ${p.blockers.length} blocker${p.blockers.length === 1 ? "" : "s"}`)));
    for (const b of p.blockers) lines.push(`  - ${b.phase}${b.node ? ` ${b.node}` : ""}: ${b.reason}`, dim(o, `    ${b.hint}`));
  } else lines.push("", green(o, "✓ every step keeps etcd quorum and every app with a PodDisruptionBudget serving"));
  return lines.join("\n");
}

/**
 * upgrade's progress on a terminal (stderr): a line per finished stage that stays ("[2/5] n2: upgrade
 * v1.11.5 → v1.12.6", "  n2 Ready at v1.12.6") and one line below it for what runs now (draining and
 * how many pods are evicted, upgrading, waiting for Ready). Nothing with --json or when stderr is not a
 * terminal: there the result alone is printed.
 */
export function upgradeProgress(o: Output): (e: RollEvent) => void {
  let at = "";
  let evicted = 0;
  return (e) => {
    switch (e.type) {
      case "step":
        at = `[${e.index + 1}/${e.total}] ${e.step.node}`;
        evicted = 0;
        o.step(bold(o, `${at}: ${e.step.kind} ${e.step.from ?? "?"} → ${e.step.to}`));
        o.progress(`${at}: draining`);
        break;
      case "drain":
        if (e.event.type === "evicted") {
          evicted++;
          o.progress(`${at}: draining, ${evicted} pod${evicted === 1 ? "" : "s"} evicted (last: ${e.event.pod})`);
        } else if (e.event.type === "retry") o.progress(`${at}: draining, waiting to evict ${e.event.pod}: ${e.event.message}`);
        else if (e.event.type === "warning") o.step(dim(o, `  ${e.event.message}`));
        break;
      case "upgrading":
        if (evicted) o.step(dim(o, `  ${e.node} drained: ${evicted} pod${evicted === 1 ? "" : "s"} evicted`));
        o.progress(`${at}: upgrading ${e.node}, then waiting for it to be Ready`);
        break;
      case "ready":
        o.step(`  ${e.node} Ready at ${e.version}`);
        o.progress(`${at}: uncordoning ${e.node}`);
        break;
      case "uncordoned":
        o.step(`  ${e.node} uncordoned`);
        o.progress(`${at}: waiting for the disruption budgets to be met again`);
        break;
      case "healthy":
        o.progress("");
        break;
      case "cluster":
        o.step(bold(o, `Kubernetes → ${e.phase.to}: ${(e.phase.command ?? []).join(" ")}`));
        o.progress(`Kubernetes → ${e.phase.to}: ${e.phase.mode === "talosctl upgrade-k8s" ? "running talosctl upgrade-k8s (control plane components, then kubelets)" : "node by node"}`);
        break;
    }
  };
}

export function register(program: Command, ctx: Context): void {
  kubeconfigOptions(program
    .command("upgrade")
    .description("roll Talos, Kubernetes, Flux and the platform to the versions lab.yaml pins, one node at a time (see --plan)")
    .argument("[lab]", LAB_HELP)
    .option("--plan", "print the plan and change nothing")
    .option("-o, --out <dir>", "the rendered output folder (its talos/talosconfig; default out/ next to lab.yaml)"))
    .option("--from-talos <version>", "the Talos version running now (default: read from the Nodes)")
    .option("--from-kubernetes <version>", "the Kubernetes version running now (default: read from the cluster)")
    .option("--from-cilium <version>", "the Cilium release running now (default: read from the cilium DaemonSet)")
    .option("--talosctl <path>", "the talosctl binary", "talosctl")
    .option("--helm <path>", "the helm binary (renders the Cilium pre-flight)", "helm")
    .option("--timeout <duration>", "per node: how long the drain and the return to Ready may take", "15m")
    .action(async (labPath: string | undefined, f: Opts) => {
      const o = ctx.output();
      const loaded = loadLab(labPath);
      const lab = loaded.lab;
      const outDir = resolve(f.out ?? resolve(loaded.dir, "out"));
      const offline = f.plan && (f.fromTalos || f.fromKubernetes || f.fromCilium) && !f.kubeconfig && !f.context;
      const client = offline ? undefined : Client.fromKubeconfig({ kubeconfig: f.kubeconfig, context: f.context });
      try {
        let running: RunningVersions = { nodes: {} };
        if (client) {
          o.progress(`reading the versions the cluster at ${client.server} runs`);
          const nodes = await nodeVersions(client);
          const cilium = lab.cni === "cilium" ? await ciliumVersion(client) : undefined;
          running = { nodes: Object.fromEntries(nodes.map((n) => [n.name, { talos: talosFromOsImage(n.osImage), kubelet: n.kubeletVersion }])), apiserver: await apiServerVersion(client), ...(cilium ? { cilium } : {}) };
        }
        if (f.fromTalos || f.fromKubernetes) {
          running = {
            nodes: Object.fromEntries(lab.nodes.map((n) => [n.name, { ...running.nodes[n.name], ...(f.fromTalos ? { talos: f.fromTalos } : {}), ...(f.fromKubernetes ? { kubelet: f.fromKubernetes } : {}) }])),
            ...(f.fromKubernetes ? { apiserver: f.fromKubernetes } : running.apiserver ? { apiserver: running.apiserver } : {}),
          };
        }
        if (f.fromCilium) running = { ...running, cilium: f.fromCilium };
        o.progress("planning the upgrade");
        const plan = upgradePlan(lab, { running, outDir });
        o.progress("");
        if (f.plan || !client) {
          o.out(o.json ? JSON.stringify(plan, null, 2) : formatPlan(o, plan));
          if (!plan.ok) throw new UserError(`the plan has ${plan.blockers.length} blocker${plan.blockers.length === 1 ? "" : "s"} (above); nothing was changed`, plan.blockers[0]!.hint);
          return;
        }
        if (!o.json) o.err(formatPlan(o, plan) + "\n");
        const timeout = parseDuration(f.timeout);
        const r = await runUpgrade(lab, plan, {
          client, runner: talosctlRunner(f.talosctl), readyTimeoutMs: timeout, drain: { timeoutMs: timeout }, onEvent: upgradeProgress(o),
          // k3s: the system-upgrade-controller takes the nodes (talosctl takes Talos's)
          k3sPlans: plan.kubernetes?.plans !== undefined,
          onPlansEvent: (e) => {
            if (e.type === "plans") {
              o.step(bold(o, `applied ${e.applied.join(", ")}`));
              o.progress("waiting for the system-upgrade-controller to move the nodes");
            } else o.step(`  ${e.node} at ${e.version}`);
          },
        });
        o.progress("");
        if (o.json) o.out(JSON.stringify({ plan, result: r }, null, 2));
        else if (r.ok) o.out(green(o, r.cilium ? "✓ nodes upgraded and the Cilium pre-flight passed: push the commit (Flux moves Cilium), then watch kubectl -n kube-system rollout status daemonset/cilium" : "✓ upgrade complete"));
        if (!r.ok) {
          const failed = r.talos && !r.talos.ok ? r.talos.failed : r.kubernetes && "failed" in r.kubernetes ? r.kubernetes.failed : undefined;
          const why = failed ? `${failed.node} failed at ${failed.stage}: ${failed.error}` : (r.kubernetes as { error?: string } | undefined)?.error ?? "unknown";
          throw new UserError(`upgrade stopped: ${why}`, failed?.cordoned ? `${failed.node} stays cordoned; fix it and run drover upgrade again (done nodes are skipped)` : "fix it and run drover upgrade again (done nodes are skipped)");
        }
      } finally {
        o.progress(""); // an error is printed on a clean line
        client?.close();
      }
    });
}
