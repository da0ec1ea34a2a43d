import type { Command } from "commander";
import type { Context } from "../context.js";
import { loadLab } from "../lab-file.js";
import { UserError, EXIT_USAGE } from "../errors.js";
import { baseline, whatIf, allSingle, volatileOff, type WhatIfReport } from "../../analyze/index.js";
import { didYouMean } from "../../spec/diagnostic.js";
import { bold, dim, green, red, table, yellow, type Output } from "../output.js";
import { humanBytes, formatMillicores } from "../../net/quantity.js";

const paintOutcome = (o: Output, outcome: string) =>
  outcome === "unaffected" ? green(o, outcome) : outcome === "down" ? red(o, outcome) : yellow(o, outcome === "restarted" ? "restarted elsewhere" : outcome);

export function formatReport(o: Output, r: WhatIfReport, verbose = true): string {
  const lines: string[] = [];
  lines.push(bold(o, `If ${r.down.join(", ") || "nothing"} ${r.down.length === 1 ? "goes" : "go"} off`) + dim(o, ` (nodes down: ${r.nodesDown.join(", ") || "none"})`));
  lines.push(`  etcd: ${r.etcd.remaining} of ${r.etcd.members} members remain, quorum needs ${r.etcd.quorum} — ${r.etcd.ok ? green(o, "quorum kept") : red(o, "QUORUM LOST")}`);
  lines.push(`  Kubernetes API: ${r.api.ok ? green(o, "available") : red(o, `unavailable (${r.api.reason})`)}`);
  for (const s of r.spofs) lines.push(`  ${red(o, "single point of failure")} ${s.component}: ${s.reason}`);
  const affected = r.apps.filter((a) => a.outcome !== "unaffected");
  const rows = (verbose ? r.apps : affected).map((a) => [a.app, `${a.before} → ${a.after}`, paintOutcome(o, a.outcome), a.reason ?? ""]);
  if (rows.length) lines.push(table([["APP", "REPLICAS", "OUTCOME", "WHY"], ...rows]).split("\n").map((l) => "  " + l).join("\n"));
  else lines.push(`  ${green(o, "every app is unaffected")}`);
  lines.push(dim(o, `  headroom left: ${formatMillicores(r.headroom.cpuMillis)} CPU, ${humanBytes(r.headroom.memoryBytes)} memory, ${r.headroom.pods} pod slots`));
  return lines.join("\n");
}

export function register(program: Command, ctx: Context): void {
  program
    .command("what-if")
    .description("simulate hosts going off: which apps survive, degrade, restart elsewhere or go down, and why")
    .argument("[lab]", "path to lab.yaml (or its folder)", "lab.yaml")
    .option("--down <hosts>", "comma-separated hosts to switch off")
    .option("--all-single", "every single-host failure, worst first")
    .option("--volatile-off", "all volatile hosts off at once")
    .action((path: string, opts: { down?: string; allSingle?: boolean; volatileOff?: boolean }) => {
      const o = ctx.output();
      const modes = [opts.down !== undefined, !!opts.allSingle, !!opts.volatileOff].filter(Boolean).length;
      if (modes !== 1) throw new UserError("say which hosts go off: --down host1,host2, --all-single or --volatile-off (exactly one)", undefined, EXIT_USAGE);
      const { lab } = loadLab(path);
      const b = baseline(lab);
      let reports: WhatIfReport[];
      if (opts.down !== undefined) {
        const hosts = opts.down.split(",").map((h) => h.trim()).filter(Boolean);
        const known = lab.hosts.map((h) => h.name);
        for (const h of hosts) if (!known.includes(h)) throw new UserError(`--down: unknown host ${h}`, didYouMean(h, known) ?? `hosts: ${known.join(", ")}`);
        reports = [whatIf(b, hosts)];
      } else if (opts.allSingle) reports = allSingle(b);
      else {
        const vol = lab.hosts.filter((h) => h.power === "volatile");
        if (!vol.length) throw new UserError("the lab has no volatile hosts", "mark hosts that come and go with power: volatile");
        reports = [volatileOff(b)];
      }
      if (o.json) {
        o.out(JSON.stringify(opts.allSingle ? reports : reports[0], null, 2));
        return;
      }
      o.out(reports.map((r) => formatReport(o, r, !opts.allSingle)).join("\n\n"));
    });
}
