import type { Command } from "commander";
import type { Context } from "../context.js";
import { LAB_HELP } from "../lab-argument.js";
import { loadLab } from "../../lab/file.js";
import { UserError, EXIT_USAGE } from "../errors.js";
import { baseline, whatIf, allSingle, volatileOff, volatileHosts, powerCut, type WhatIfReport, type PowerCutStep } from "../../analyze/index.js";
import { didYouMean } from "../../spec/diagnostic.js";
import { bold, dim, green, red, table, yellow, type Output } from "../output.js";
import { humanBytes, formatMillicores } from "../../net/quantity.js";

const paintOutcome = (o: Output, outcome: string) =>
  outcome === "unaffected" ? green(o, outcome) : outcome === "down" ? red(o, outcome) : yellow(o, outcome === "restarted" ? "restarted elsewhere" : outcome);

const unitText = (r: WhatIfReport): string =>
  r.unit.kind === "chassis" ? `chassis ${r.unit.name} (${r.down.join(", ")})` : r.unit.kind === "site" ? `site ${r.unit.name} (power cut or WAN loss: ${r.down.join(", ")})` : r.down.join(", ") || "nothing";

export function formatReport(o: Output, r: WhatIfReport, verbose = true): string {
  const lines: string[] = [];
  const plural = r.unit.kind === "hosts" && r.down.length !== 1;
  const how = r.shutdown === "graceful" ? `${plural ? "are" : "is"} shut down as planned` : `${plural ? "go" : "goes"} off without warning`;
  const guests = r.guestsDown.length ? `; guest VMs down: ${r.guestsDown.join(", ")}` : "";
  lines.push(bold(o, `If ${unitText(r)} ${how}`) + dim(o, ` (nodes down: ${r.nodesDown.join(", ") || "none"}${guests})`));
  lines.push(`  etcd: ${r.etcd.remaining} of ${r.etcd.members} members remain, quorum needs ${r.etcd.quorum} — ${r.etcd.ok ? green(o, "quorum kept") : red(o, "QUORUM LOST")}`);
  lines.push(`  Kubernetes API: ${r.api.ok ? green(o, "available") : red(o, `unavailable (${r.api.reason})`)}`);
  if (!r.rescheduling.ok) lines.push(`  ${red(o, "nothing is rescheduled")} (no API): ${r.rescheduling.reason}`);
  const byReason = new Map<string, string[]>();
  for (const u of r.ungracefulNodes) (byReason.get(u.reason) ?? byReason.set(u.reason, []).get(u.reason)!).push(u.node);
  for (const [why, nodes] of byReason) lines.push(`  ${yellow(o, "not a graceful shutdown")} for ${nodes.join(", ")}: ${why}`);
  for (const a of r.assumes) lines.push(dim(o, `  assumes ${a}`));
  for (const s of r.spofs) lines.push(`  ${red(o, "single point of failure")} ${s.component}: ${s.reason}`);
  // storage, DNS and gateways are listed as single points of failure; a monitor only matters when its class is lost (listed too)
  for (const s of r.services) if (!["storage", "dns", "gateway", "ceph-monitor"].includes(s.kind)) lines.push(`  ${yellow(o, "service down")} ${s.what} (${s.address}, ${s.servedBy}): ${s.effect}`);
  const affected = r.apps.filter((a) => a.outcome !== "unaffected" || a.alternatives?.length);
  // an outcome that depends on how kube-scheduler breaks ties reads "restarted or down"
  const outcomeText = (a: (typeof r.apps)[number]) => [a.outcome, ...(a.alternatives ?? [])].map((x) => paintOutcome(o, x)).join(" or ");
  const rows = (verbose ? r.apps : affected).map((a) => [a.app, `${a.before} → ${a.after}`, outcomeText(a), a.reason ?? ""]);
  if (rows.length) lines.push(table([["APP", "REPLICAS", "OUTCOME", "WHY"], ...rows]).split("\n").map((l) => "  " + l).join("\n"));
  else lines.push(`  ${green(o, "every app is unaffected")}`);
  if (r.outOfService.length) {
    lines.push(`  StatefulSet pods stay Terminating on a node lost without a graceful shutdown; once you know the node is off, mark it out-of-service to restart them elsewhere (remove the taint when it is back):`);
    for (const x of r.outOfService) lines.push(`    ${x.command}`);
  }
  lines.push(dim(o, `  headroom left: ${formatMillicores(r.headroom.cpuMillis)} CPU, ${humanBytes(r.headroom.memoryBytes)} memory, ${r.headroom.pods} pod slots`));
  return lines.join("\n");
}

/** One step of a power cut: when, what NUT does, and the lab with every host off by then. */
function formatStep(o: Output, s: PowerCutStep): string {
  const head = bold(o, `After ${s.afterMinutes} min: ${s.what}`) + (s.hostsOff.length ? dim(o, ` (off now: ${s.hostsOff.join(", ")})`) : "");
  return `${head}\n${formatReport(o, s.report, false)}`;
}

export function register(program: Command, ctx: Context): void {
  program
    .command("what-if")
    .description("simulate hosts going off: which apps survive, degrade, restart elsewhere or go down, and why")
    .argument("[lab]", LAB_HELP, "lab.yaml")
    .option("--down <hosts>", "comma-separated hosts that fail without warning (power cut, crash)")
    .option("--off <hosts>", "comma-separated hosts shut down as planned (graceful node shutdown)")
    .option("--all-single", "every single failure — each host, each chassis, each site — worst first")
    .option("--volatile-off", "all volatile hosts shut down as planned, at once")
    .option("--power-cut <site>", "the mains fail at a site: step by step as its UPSes run down (ups: in lab.yaml)")
    .action((path: string, opts: { down?: string; off?: string; allSingle?: boolean; volatileOff?: boolean; powerCut?: string }) => {
      const o = ctx.output();
      const modes = [opts.down !== undefined, opts.off !== undefined, !!opts.allSingle, !!opts.volatileOff, opts.powerCut !== undefined].filter(Boolean).length;
      if (modes !== 1) throw new UserError("say which hosts go off: --down host1,host2, --off host1,host2, --all-single, --volatile-off or --power-cut site (exactly one)", undefined, EXIT_USAGE);
      const { lab } = loadLab(path);
      if (opts.powerCut !== undefined) {
        const sites = lab.sites.map((s) => s.name);
        if (!sites.includes(opts.powerCut)) throw new UserError(`--power-cut: unknown site ${opts.powerCut}`, didYouMean(opts.powerCut, sites) ?? `sites: ${sites.join(", ")}`);
        const steps = powerCut(baseline(lab), opts.powerCut);
        if (o.json) o.out(JSON.stringify(steps, null, 2));
        else o.out(steps.map((s) => formatStep(o, s)).join("\n\n"));
        return;
      }
      let reports: WhatIfReport[];
      const chosen = (flag: string, list: string) => {
        const hosts = list.split(",").map((h) => h.trim()).filter(Boolean);
        const known = lab.hosts.map((h) => h.name);
        for (const h of hosts) if (!known.includes(h)) throw new UserError(`${flag}: unknown host ${h}`, didYouMean(h, known) ?? `hosts: ${known.join(", ")}`);
        return hosts;
      };
      if (opts.volatileOff && !volatileHosts(lab).length) {
        // nothing to switch off is an answer, not an error
        if (o.json) o.out(JSON.stringify({ down: [], volatileHosts: [], message: "the lab has no volatile hosts" }, null, 2));
        else o.out("The lab has no volatile hosts: nothing goes off for the evening. (Mark hosts that come and go with power: volatile.)");
        return;
      }
      const b = baseline(lab);
      if (opts.down !== undefined) reports = [whatIf(b, chosen("--down", opts.down))];
      else if (opts.off !== undefined) reports = [whatIf(b, chosen("--off", opts.off), { shutdown: "graceful" })];
      else if (opts.allSingle) reports = allSingle(b);
      else reports = [volatileOff(b)];
      if (o.json) {
        o.out(JSON.stringify(opts.allSingle ? reports : reports[0], null, 2));
        return;
      }
      o.out(reports.map((r) => formatReport(o, r, !opts.allSingle)).join("\n\n"));
    });
}
