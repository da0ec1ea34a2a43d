// drover node add | remove: day-2 node operations (src/ops/node-add.ts, node-remove.ts).
import type { Command } from "commander";
import { LAB_HELP } from "../lab-argument.js";
import { InvalidArgumentError, Option } from "commander";
import type { Context } from "../context.js";
import type { Output } from "../output.js";
import { bold, dim, green, yellow } from "../output.js";
import { render, renderDeps } from "./render.js";
import { nodeAdd, waitNodeReady, type NodeAddRequest } from "../../ops/node-add.js";
import { nodeRemove } from "../../ops/node-remove.js";
import type { Step } from "../../ops/steps.js";
import { Client } from "../../cluster/client.js";
import { durationMs } from "../../ops/cluster-input.js";
import type { DrainEvent } from "../../cluster/drain/index.js";

const int = (what: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`${what} must be a whole number`);
  return n;
};

/** "30s", "5m", "1h", "250ms" or plain seconds → ms (kubectl's --timeout takes the same). */
export function parseDuration(v: string): number {
  const ms = durationMs(v);
  if (ms === undefined) throw new InvalidArgumentError("must be a duration such as 90s, 5m or 1h (0 = no limit)");
  return ms;
}

const label = (v: string, prev: Record<string, string> = {}): Record<string, string> => {
  const i = v.indexOf("=");
  if (i <= 0) throw new InvalidArgumentError("labels are key=value");
  return { ...prev, [v.slice(0, i)]: v.slice(i + 1) };
};

function printSteps(out: Output, steps: readonly Step[]): void {
  if (!steps.length) return;
  out.out(bold(out, "\nnext steps:"));
  steps.forEach((s, i) => {
    out.out(`  ${i + 1}. ${s.title}`);
    for (const c of s.commands) out.out(`       ${c}`);
  });
}

function clientOf(o: { kubeconfig?: string; context?: string }, maxSockets = 16): Client | undefined {
  if (o.kubeconfig === undefined && o.context === undefined) return undefined;
  return Client.fromKubeconfig({ ...(o.kubeconfig ? { kubeconfig: o.kubeconfig } : {}), ...(o.context ? { context: o.context } : {}), maxSockets });
}

function drainPrinter(out: Output): (e: DrainEvent) => void {
  let retries = 0;
  return (e) => {
    if (out.json) return;
    if (e.type === "cordoned") out.err(`node/${e.node} ${e.already ? "already cordoned" : "cordoned"}`);
    else if (e.type === "warning") out.err(yellow(out, `Warning: ${e.message}`));
    else if (e.type === "retry" && retries++ % 20 === 0) out.err(dim(out, `pod ${e.pod}: ${e.message} (retrying)`));
    else if (e.type === "evicted") out.err(`pod/${e.pod.slice(e.pod.indexOf("/") + 1)} evicted`);
  };
}

interface CommonOpts { lab?: string; out?: string; ageKey?: string; kubeconfig?: string; context?: string }

export function register(program: Command, ctx: Context): void {
  const node = program.command("node").description("add or remove a node: lab.yaml, keys, rendered configs and the cluster together");
  const common = (c: Command) => c
    .argument("[lab]", LAB_HELP, "lab.yaml")
    .addOption(new Option("--lab <file>", "the lab (the [lab] operand's older spelling)").hideHelp())
    .option("-o, --out <dir>", "output folder of the render (default: out/ next to lab.yaml)")
    .option("--age-key <file>", "age key file (default: DROVER_AGE_KEY_FILE, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY, ~/.config/sops/age/keys.txt)")
    .option("--kubeconfig <file>", "act on the cluster too (default context, unless --context)")
    .option("--context <name>", "kubeconfig context")
    .option("--json", "machine-readable output on stdout");

  common(node.command("add").description("add a node to lab.yaml, make its keys, re-render it and every peer, and print how to bring the machine in")
    .argument("<name>", "the new node's name")
    .requiredOption("--host <host>", "the host (machine) it runs on, from hosts:")
    .option("--role <role>", "controlplane or worker", "worker")
    .option("--kind <kind>", "baremetal, vm or cloud (default: vm on a hypervisor, cloud on a provider, else baremetal)")
    .option("--address <ip>", "its LAN address (default: the next free one in its site's LAN)")
    .option("--cpu <n>", "CPUs (VMs)", int("--cpu"))
    .option("--memory <size>", "memory (VMs), e.g. 8Gi")
    .option("--mac <mac>", "MAC address")
    .option("--install-disk <device>", "disk to install to, e.g. /dev/sda")
    .option("--public-address <addr>", "public address (cloud nodes)")
    .option("--label <key=value>", "a node label (repeatable)", label)
    .option("--wait-timeout <duration>", "with --kubeconfig: how long to wait for the Node to be Ready", parseDuration, 15 * 60_000))
    .action(async (name: string, lab: string, o: CommonOpts & { host: string; role: string; kind?: string; address?: string; cpu?: number; memory?: string; mac?: string; installDisk?: string; publicAddress?: string; label?: Record<string, string>; waitTimeout: number }) => {
      const out = ctx.output();
      if (o.role !== "controlplane" && o.role !== "worker") throw new InvalidArgumentError("--role must be controlplane or worker");
      const req: NodeAddRequest = {
        name, host: o.host, role: o.role,
        ...(o.kind ? { kind: o.kind as NodeAddRequest["kind"] } : {}),
        ...(o.address ? { address: o.address } : {}), ...(o.cpu !== undefined ? { cpu: o.cpu } : {}), ...(o.memory ? { memory: o.memory } : {}),
        ...(o.mac ? { mac: o.mac } : {}), ...(o.installDisk ? { installDisk: o.installDisk } : {}), ...(o.publicAddress ? { publicAddress: o.publicAddress } : {}),
        ...(o.label ? { labels: o.label } : {}),
      };
      const client = clientOf(o);
      try {
        const r = await nodeAdd(req, {
          labPath: lab, ...(o.out ? { out: o.out } : {}), ...(o.ageKey ? { ageKey: o.ageKey } : {}),
          generators: renderDeps.generators,
          rerender: (p) => render(p, { ...(o.out ? { out: o.out } : {}), ...(o.ageKey ? { ageKey: o.ageKey } : {}) }),
        });
        if (!out.json) {
          out.out(`${green(out, "✓")} added ${bold(out, name)} (${r.node.role} on ${r.node.host}, ${r.node.address}${r.addressAllocated ? ", allocated" : ""}; overlay ${r.node.overlayAddress}) to ${r.lab}`);
          if (r.secretsAdded.length) out.out(`  secrets: ${r.secretsAdded.length} added (${r.secretsAdded.filter((s) => s.startsWith("wireguard key")).join(", ") || "none"} …)`);
          out.out(`  rendered: ${r.diff.added.length} new, ${r.diff.changed.length} changed file${r.diff.changed.length === 1 ? "" : "s"}; ${Object.keys(r.peersChanged).length} peer${Object.keys(r.peersChanged).length === 1 ? "" : "s"} updated`);
          for (const w of r.warnings) out.err(yellow(out, `warning: ${w}`));
          printSteps(out, r.steps);
        }
        let ready = false;
        if (client) {
          if (!out.json) out.err(`waiting for node ${name} to be Ready at ${client.server} …`);
          await waitNodeReady(client, name, o.waitTimeout, (s) => { if (!out.json) out.err(dim(out, `  ${name}: ${s}`)); });
          ready = true;
          if (!out.json) out.out(`${green(out, "✓")} node ${bold(out, name)} is Ready`);
        }
        if (out.json) out.out(JSON.stringify({ ...r, ready }, null, 2));
      } finally {
        client?.close();
      }
    });

  common(node.command("remove").description("drain and delete a node (kubectl drain semantics), drop it from lab.yaml, its keys and every peer's WireGuard config")
    .argument("<name>", "the node to remove")
    .option("--force", "evict pods that declare no controller and orphaned DaemonSet pods (as kubectl drain --force); says nothing about etcd quorum")
    .option("--ignore-quorum", "remove a control plane even when etcd would lose quorum (may leave the cluster without a working etcd)")
    .option("--ignore-daemonsets", "leave DaemonSet-managed pods (they go with the Node) instead of refusing")
    .option("--delete-emptydir-data", "evict pods with emptyDir volumes, losing that data")
    .option("--disable-eviction", "delete pods instead of evicting them: bypasses PodDisruptionBudgets")
    .option("--grace-period <seconds>", "seconds each pod gets to terminate (default: the pod's own)", int("--grace-period"), -1)
    .option("--timeout <duration>", "give up draining after this long (0 = never)", parseDuration, 0)
    .option("--skip-wait-for-delete-timeout <seconds>", "don't wait for pods deleted more than this many seconds ago", int("--skip-wait-for-delete-timeout"), 0)
    .option("--pod-selector <selector>", "only evict pods matching this label selector"))
    .action(async (name: string, lab: string, o: CommonOpts & { force?: boolean; ignoreQuorum?: boolean; ignoreDaemonsets?: boolean; deleteEmptydirData?: boolean; disableEviction?: boolean; gracePeriod: number; timeout: number; skipWaitForDeleteTimeout: number; podSelector?: string }) => {
      const out = ctx.output();
      const client = clientOf(o, 64);
      try {
        const r = await nodeRemove(name, {
          labPath: lab, ...(o.out ? { out: o.out } : {}), ...(o.ageKey ? { ageKey: o.ageKey } : {}),
          generators: renderDeps.generators,
          rerender: (p) => render(p, { ...(o.out ? { out: o.out } : {}), ...(o.ageKey ? { ageKey: o.ageKey } : {}) }),
          ...(client ? { client } : {}),
          ignoreQuorum: !!o.ignoreQuorum,
          drain: {
            force: !!o.force, ignoreDaemonSets: !!o.ignoreDaemonsets, deleteEmptyDirData: !!o.deleteEmptydirData, disableEviction: !!o.disableEviction,
            gracePeriodSeconds: o.gracePeriod, timeoutMs: o.timeout, skipWaitForDeleteTimeoutSeconds: o.skipWaitForDeleteTimeout,
            ...(o.podSelector ? { podSelector: o.podSelector } : {}),
          },
          onDrainEvent: drainPrinter(out),
        });
        if (out.json) {
          out.out(JSON.stringify(r, null, 2));
          return;
        }
        if (r.quorum) out.out(dim(out, r.quorum.safe ? r.quorum.summary : `${yellow(out, "quorum ignored (--ignore-quorum)")}: ${r.quorum.reason}`));
        if (r.drained) out.out(`${green(out, "✓")} drained ${bold(out, name)}: ${r.drained.evicted.length} pod${r.drained.evicted.length === 1 ? "" : "s"} evicted${r.drained.left.length ? `, ${r.drained.left.length} left (DaemonSet/mirror)` : ""}`);
        if (client) out.out(r.nodeDeleted ? `${green(out, "✓")} deleted Node ${bold(out, name)}` : dim(out, `  ${name} is not in the cluster at ${client.server}; nothing to drain`));
        out.out(`${green(out, "✓")} removed ${bold(out, name)} from ${r.lab}; ${r.secretsRemoved.length} key${r.secretsRemoved.length === 1 ? "" : "s"} dropped from the secrets store`);
        for (const w of r.warnings) out.err(yellow(out, `warning: ${w}`));
        out.out(`  rendered: ${r.diff.removed.length} removed, ${r.diff.changed.length} changed file${r.diff.changed.length === 1 ? "" : "s"}; ${Object.keys(r.peersChanged).length} peer${Object.keys(r.peersChanged).length === 1 ? "" : "s"} no longer list it`);
        printSteps(out, r.steps);
      } finally {
        client?.close();
      }
    });
}
