// What changes a node's software during an upgrade, behind one narrow interface so the roll's logic
// (order, drain, wait, stop on failure) is the same whatever does the change:
//  - talosctl (Talos): `talosctl upgrade --image <installer> --nodes <address>` per node, and one
//    `talosctl upgrade-k8s --to <version>` for Kubernetes (talosctl takes the components in the
//    version-skew order itself);
//  - a test runner (src/testing) that bumps a kwok node's reported versions.
import { spawn } from "node:child_process";
import { UserError } from "../../errors.js";
import type { KubernetesPhase, NodeStep } from "./plan.js";

export interface UpgradeRunner {
  /** changes the node's software as the step says; resolves once the change is accepted (the node may still be rebooting) */
  node(step: NodeStep): Promise<void>;
  /** the cluster-wide Kubernetes upgrade (Talos: talosctl upgrade-k8s); undefined when the phase goes node by node */
  cluster?(phase: KubernetesPhase): Promise<void>;
}

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs argv (no shell) in `cwd`, collecting its output; `timeoutMs` kills it. */
export function runCommand(argv: readonly string[], timeoutMs = 45 * 60_000, cwd?: string): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"], ...(cwd ? { cwd } : {}) });
    let stdout = "", stderr = "";
    p.stdout.on("data", (d: Buffer) => { stdout += d.toString(); });
    p.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => p.kill("SIGTERM"), timeoutMs);
    p.on("error", (e) => { clearTimeout(timer); reject(e); });
    p.on("close", (code) => { clearTimeout(timer); resolve({ code: code ?? 1, stdout, stderr }); });
  });
}

/** A failed command's own words (its stderr, else stdout), on one line, for the report. */
export const lastLine = (r: CommandResult): string => {
  const text = (r.stderr.trim() || r.stdout.trim()).split("\n").map((l) => l.trim()).filter(Boolean).join("; ");
  return text ? (text.length > 600 ? `${text.slice(0, 600)}…` : text) : `exit code ${r.code}`;
};

/**
 * The real thing for Talos: the plan's talosctl argv, run with the talosctl binary given (default
 * "talosctl" on PATH). A non-zero exit is the step's failure, with talosctl's own message.
 */
export function talosctlRunner(talosctl = "talosctl", run: (argv: readonly string[]) => Promise<CommandResult> = runCommand): UpgradeRunner {
  const exec = async (argv: readonly string[], what: string) => {
    if (argv[0] !== "talosctl") throw new Error(`internal: not a talosctl command: ${argv.join(" ")}`);
    let r: CommandResult;
    try {
      r = await run([talosctl, ...argv.slice(1)]);
    } catch (e) {
      throw new UserError(`${what}: cannot run ${talosctl}: ${(e as Error).message}`, "install talosctl (the version of the lab's Talos) or pass --talosctl <path>");
    }
    if (r.code !== 0) throw new UserError(`${what}: talosctl failed: ${lastLine(r)}`, "see talosctl's message above; the node stays cordoned until you fix it and run drover upgrade again");
  };
  return {
    node: async (step) => {
      if (step.kind !== "talos") throw new UserError(`${step.node}: a ${step.kind} step cannot be run by talosctl`, "k3s nodes upgrade through the system-upgrade-controller Plans (drover upgrade applies them) or the printed commands");
      return exec(step.command, `upgrading Talos on ${step.node}`);
    },
    cluster: (phase) => exec(phase.command ?? [], `upgrading Kubernetes to ${phase.to}`),
  };
}
