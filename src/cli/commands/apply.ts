// drover apply [lab]: the rendered cluster layer onto the cluster with server-side apply, in
// dependency order, pruning what Drover created before and the spec dropped (never what it did not
// create: existing objects are taken over only with --adopt), then waiting for
// workloads with a progress line. Ctrl-C stops cleanly (in-flight requests finish, the inventory
// records what was applied); run it again to converge.
import type { Command } from "commander";
import { clusterCommand } from "../cluster-command.js";
import type { Context } from "../context.js";
import type { Output } from "../output.js";
import { bold, dim, green, red, yellow } from "../output.js";
import { clusterInput, parseDuration, type ClusterOptions } from "../../ops/cluster-input.js";
import { Client } from "../../cluster/client.js";
import { pruneDataFilters } from "../../cluster/prune.js";
import { apply, type ApplyProgress, type ApplyResult } from "../../cluster/apply.js";
import { refText } from "../../cluster/objects.js";
import { LEVEL_NAMES } from "../../cluster/order.js";
import { EXIT_INVALID } from "../errors.js";
import { UserError } from "../../errors.js";
import { fluxRunsCluster } from "../../cluster/flux-status.js";

interface ApplyFlags extends ClusterOptions {
  pruneData?: boolean;
  dryRun?: boolean;
  adopt?: boolean;
  prune: boolean;
  wait: boolean;
  timeout: string;
  waitLock: string;
  concurrency: string;
  overFlux?: boolean;
}

/**
 * apply's progress: one line on a terminal's stderr, rewritten in place (Output.progress); nothing with
 * --json or when stderr is not a terminal, where only the result is printed. Waiting for another
 * apply's lock is said in any case (on stderr, not with --json): it can take long and is not progress.
 */
export function progressPrinter(o: Output): { update(p: ApplyProgress): void; done(): void } {
  let lockSaid = false;
  return {
    update(p) {
      switch (p.phase) {
        case "lock": {
          const line = `waiting for another apply to finish (${p.holder}${p.since ? `, since ${p.since}` : ""})`;
          if (!lockSaid && !o.json) {
            o.progress("");
            o.err(line);
          }
          lockSaid = true;
          o.progress(line);
          break;
        }
        case "apply":
          o.progress(`applying ${LEVEL_NAMES[p.level] ?? "objects"}: ${p.done}/${p.total}${p.ref ? ` ${refText(p.ref)}` : ""}`);
          break;
        case "crds":
          o.progress(`waiting for ${p.pending} CustomResourceDefinition${p.pending === 1 ? "" : "s"} to be established`);
          break;
        case "prune":
          o.progress(`pruning: ${p.done}/${p.total}`);
          break;
        case "wait":
          o.progress(`waiting for workloads: ${p.ready}/${p.total} ready${p.pending[0] ? ` — ${refText(p.pending[0].ref)}: ${p.pending[0].message}` : ""}`);
          break;
      }
    },
    done() {
      o.progress("");
    },
  };
}

export function printResult(o: Output, r: ApplyResult, server: string): void {
  const c = r.counts;
  const verb = r.dryRun ? "would apply (server dry run, nothing written)" : "applied";
  const parts = [`${c.created} created`, `${c.configured} configured`, `${c.unchanged} unchanged`, `${c.pruned} ${r.dryRun ? "to prune" : "pruned"}`];
  if (c.adopted) parts.push(yellow(o, `${c.adopted} ${r.dryRun ? "to adopt" : "adopted"}`));
  if (c.released) parts.push(`${c.released} ${r.dryRun ? "to release" : "released"}`);
  if (c.kept) parts.push(yellow(o, `${c.kept} kept`));
  if (c.failed) parts.push(red(o, `${c.failed} failed`));
  if (c["not-applied"]) parts.push(yellow(o, `${c["not-applied"]} not applied`));
  if (c.skipped) parts.push(yellow(o, `${c.skipped} skipped`));
  const total = r.results.filter((x) => x.action !== "pruned" && x.action !== "released" && x.action !== "kept" && x.action !== "skipped").length;
  const ok = !c.failed && !r.notReady.length && !r.interrupted;
  const lines = [`${ok ? green(o, "✓") : red(o, "✗")} ${verb} ${bold(o, String(total))} objects to ${server}: ${parts.join(", ")}`];
  for (const x of r.results) {
    if (x.action === "unchanged" || x.action === "not-applied" || x.action === "skipped") continue;
    const mark = x.action === "failed" ? red(o, "failed")
      : x.action === "pruned" ? yellow(o, r.dryRun ? "would prune" : "pruned")
      : x.action === "adopted" ? yellow(o, r.dryRun ? "would adopt (exists, not created by Drover)" : "adopted (existed, not created by Drover; never pruned)")
      : x.action === "released" ? (r.dryRun ? "would release, not delete" : "released, not deleted")
      : x.action === "kept" ? yellow(o, "not pruned") : x.action;
    lines.push(`  ${refText(x.ref)}  ${mark}${x.error ? `: ${x.error}` : ""}${x.reason ? `: ${x.reason}` : ""}`);
  }
  for (const n of r.notReady) lines.push(`  ${refText(n.ref)}  ${red(o, n.failed ? "failed" : "not ready")}: ${n.message}`);
  const skipped = r.results.filter((x) => x.action === "skipped");
  if (skipped.length) {
    const kinds = [...new Set(skipped.map((x) => `${x.ref.kind} (${x.ref.apiVersion})`))].sort();
    lines.push(yellow(o, `  skipped ${skipped.length} objects whose kinds the cluster does not serve yet: ${kinds.join(", ")}`));
    lines.push(dim(o, "  their CRDs come with Flux and the platform charts (flux install / flux bootstrap); apply again once they are served"));
  }
  for (const w of r.warnings.slice(0, 20)) lines.push(yellow(o, `  warning from the API server: ${w}`));
  if (r.warnings.length > 20) lines.push(yellow(o, `  … and ${r.warnings.length - 20} more warnings (--json lists them all)`));
  if (r.interrupted) lines.push(yellow(o, "  interrupted: what was applied is recorded; run drover apply again to finish"));
  else if (c["not-applied"]) lines.push(dim(o, "  objects after a failure were not applied; fix the failure and run drover apply again"));
  o.out(lines.join("\n"));
}

export function register(program: Command, ctx: Context): void {
  clusterCommand(program, "apply", "apply the rendered cluster layer (server-side apply, CRDs and namespaces first), prune what the spec dropped, wait for readiness")
    .option("--dry-run", "server-side dry run: report what would change, write nothing")
    .option("--adopt", "take over objects of the spec that exist and that Drover did not create (listed; never pruned later)")
    .option("--no-prune", "keep objects Drover applied before that the spec no longer has")
    .option("--prune-data", "also prune what holds data: app volume claims and their namespaces (marked kustomize.toolkit.fluxcd.io/prune: disabled), kept otherwise")
    .option("--no-wait", "do not wait for workloads to become ready")
    .option("--timeout <duration>", "how long to wait for readiness", "5m")
    .option("--wait-lock <duration>", "how long to wait when another apply holds the lock (0 = refuse)", "0")
    .option("--concurrency <n>", "requests in flight at once", "32")
    .option("--over-flux", "apply even though Flux reconciles the cluster (Flux puts back what Git says at its next reconcile)")
    .action(async (path: string | undefined, f: ApplyFlags) => {
      const o = ctx.output();
      const timeoutMs = parseDuration(f.timeout, "--timeout");
      const lockWaitMs = parseDuration(f.waitLock, "--wait-lock");
      const input = await clusterInput(path, f);
      const client = Client.fromKubeconfig({ kubeconfig: f.kubeconfig, context: f.context, maxSockets: Math.max(4, Math.min(64, Number(f.concurrency) || 32)) });
      const abort = new AbortController();
      let interrupts = 0;
      const onSignal = (sig: NodeJS.Signals) => {
        interrupts++;
        if (interrupts > 1) process.exit(130);
        if (!o.json) process.stderr.write(`\n${sig}: stopping after the requests in flight (press Ctrl-C again to quit at once)\n`);
        abort.abort();
      };
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
      const progress = progressPrinter(o);
      try {
        // once Flux reconciles the cluster from Git, Git is the source of truth: apply would fight it
        if (!f.dryRun && !f.overFlux && await fluxRunsCluster(client)) {
          throw new UserError(`Flux reconciles the cluster at ${client.server} (Kustomization flux-system/flux-system is Ready): what drover apply writes, Flux would put back from Git`, "commit and push the render with drover up (Flux applies it), see drift with drover diff, or pass --over-flux to apply anyway");
        }
        const r = await apply(client, input.objects, {
          skipUnserved: !!f.skipUnserved || input.lab !== undefined,
          dryRun: !!f.dryRun, prune: f.prune, ...(f.pruneData ? { pruneFilters: pruneDataFilters } : {}), wait: f.wait, timeoutMs, lockWaitMs, adopt: !!f.adopt,
          ...(input.identity ? { lab: input.identity } : {}),
          concurrency: Number(f.concurrency) || 32, signal: abort.signal, onProgress: (p) => progress.update(p),
          ...(process.env.DROVER_TRACE ? { trace: (line: string) => process.stderr.write(`drover apply: ${line}\n`) } : {}),
        });
        progress.done();
        if (o.json) {
          const results = r.results.map((x) => ({ ...x.ref, action: x.action, ...(x.error ? { error: x.error } : {}), ...(x.reason ? { reason: x.reason } : {}) }));
          o.out(JSON.stringify({ server: client.server, ...r, results, adopted: results.filter((x) => x.action === "adopted") }, null, 2));
        }
        else printResult(o, r, client.server);
        if (r.interrupted) ctx.exit(130);
        else if (r.counts.failed || r.notReady.length) ctx.exit(EXIT_INVALID);
      } finally {
        progress.done();
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
        client.close();
      }
    });
}
