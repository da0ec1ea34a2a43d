// drover status [lab]: nodes, apps and drift between the spec and the live cluster; --watch refreshes
// (on a terminal in place; with --json one JSON document per line).
import type { Command } from "commander";
import { LAB_HELP } from "../lab-argument.js";
import { clusterCommand } from "../cluster-command.js";
import { existsSync } from "node:fs";
import type { Context } from "../context.js";
import { bold, dim, green, red, table, yellow, type Output } from "../output.js";
import { clusterInput, parseDuration, type ClusterInput, type ClusterOptions } from "../../ops/cluster-input.js";
import { Client } from "../../cluster/client.js";
import { clusterStatus, type StatusReport } from "../../cluster/status.js";
import { refText } from "../../cluster/objects.js";
import { liveLifetimes } from "../../cluster/lifetimes.js";
import { lifetimeWarnings, WARN_DAYS, type Lifetime } from "../../secrets/lifetimes.js";

/** The credentials section: every one that ends within WARN_DAYS (or has), with its date; else the next to end. */
export function formatLifetimes(o: Output, ls: readonly Lifetime[]): string {
  const warn = lifetimeWarnings(ls);
  const next = ls.find((l) => l.notAfter);
  const head = `${bold(o, "certificates and tokens")} ${warn.length ? yellow(o, `${warn.length} end${warn.length === 1 ? "s" : ""} within ${WARN_DAYS} days or already did`) : green(o, `none ends within ${WARN_DAYS} days`)}${!warn.length && next ? dim(o, ` (first: ${next.what} on ${next.notAfter})`) : ""}`;
  return [head, ...warn.map((w) => `  ${yellow(o, "warning:")} ${w}`)].join("\n");
}

export function formatStatus(o: Output, s: StatusReport, source: string | undefined): string {
  const lines: string[] = [`${bold(o, "cluster")} ${s.server} (Kubernetes ${s.version})${source ? dim(o, ` — spec ${source}`) : ""}`, ""];
  const state = (x: string) => (x === "Ready" || x === "ready" ? green(o, x) : x === "missing" || x === "NotReady" ? red(o, x) : yellow(o, x));
  lines.push(bold(o, `nodes (${s.nodes.filter((n) => n.state === "Ready").length}/${s.nodes.length} ready)`));
  lines.push(table([["  name", "state", "role", "arch", "host", "site"], ...s.nodes.map((n) => [
    `  ${n.name}`, `${state(n.state)}${n.cordoned ? yellow(o, ",cordoned") : ""}${n.unknown ? dim(o, " (not in spec)") : ""}`, n.role, n.arch, n.host || "-", n.site || "-",
  ])]));
  if (s.apps.length) {
    lines.push("", bold(o, `apps (${s.apps.filter((a) => a.state === "ready").length}/${s.apps.length} ready)`));
    lines.push(table([["  app", "namespace", "ready", "state", "urls"], ...s.apps.map((a) => [`  ${a.name}`, a.namespace, `${a.ready}/${a.desired}`, state(a.state), a.urls.join(" ") || dim(o, "(cluster only)")])]));
  }
  const d = s.drift;
  const driftCount = d.missing.length + d.changed.length + d.extra.length;
  lines.push("", bold(o, "drift") + " " + (driftCount === 0 ? green(o, `none — ${d.inSync} objects match the spec`) : yellow(o, `${d.missing.length} missing, ${d.changed.length} changed, ${d.extra.length} no longer in the spec; ${d.inSync} in sync`)));
  const show = (label: string, refs: readonly Parameters<typeof refText>[0][]) => {
    for (const r of refs.slice(0, 20)) lines.push(`  ${label} ${refText(r)}`);
    if (refs.length > 20) lines.push(dim(o, `  … and ${refs.length - 20} more ${label}`));
  };
  show("missing", d.missing);
  show("changed", d.changed);
  show("extra  ", d.extra);
  if (driftCount) lines.push(dim(o, "  drover diff shows the changes; drover apply brings the cluster back to the spec"));
  if (d.kept.length) lines.push(dim(o, `  ${d.kept.length} objects no longer in the spec are kept because they hold data (${d.kept.map((r) => refText(r)).slice(0, 5).join(", ")}${d.kept.length > 5 ? ", …" : ""}); drover apply --prune-data deletes them`));
  if (d.unserved.length) lines.push(dim(o, `  ${d.unserved.length} objects wait for CRDs the cluster does not serve yet (${[...new Set(d.unserved.map((r) => r.kind))].sort().join(", ")})`));
  return lines.join("\n");
}

export function register(program: Command, ctx: Context): void {
  clusterCommand(program, "status", "nodes, apps and drift between lab.yaml and the live cluster", `${LAB_HELP}; with none of them, only the cluster is shown`)
    .option("-w, --watch", "keep refreshing")
    .option("--interval <duration>", "refresh interval for --watch", "2s")
    .action(async (path: string | undefined, f: ClusterOptions & { watch?: boolean; interval: string }) => {
      const o = ctx.output();
      const interval = parseDuration(f.interval, "--interval");
      const haveLab = f.filename?.length || path !== undefined || existsSync("lab.yaml");
      const input: ClusterInput | undefined = haveLab ? await clusterInput(path, f) : undefined;
      const client = Client.fromKubeconfig({ kubeconfig: f.kubeconfig, context: f.context });
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      try {
        const tty = !!process.stdout.isTTY && !o.json;
        for (;;) {
          const s = await clusterStatus(client, { ...(input?.lab ? { lab: input.lab.lab } : {}), ...(input ? { desired: input.objects } : {}) });
          const lifetimes = await liveLifetimes(client);
          if (o.json) o.out(JSON.stringify({ ...s, lifetimes }, null, f.watch ? 0 : 2));
          else {
            if (f.watch && tty) process.stdout.write("\x1b[H\x1b[2J");
            o.out(formatStatus(o, s, input?.source) + "\n\n" + formatLifetimes(o, lifetimes) + (f.watch ? dim(o, `\n\nrefreshing every ${f.interval} (Ctrl-C to stop) — ${new Date().toISOString()}`) : ""));
          }
          if (!f.watch || abort.signal.aborted) break;
          await new Promise((r) => { const t = setTimeout(r, interval); abort.signal.addEventListener("abort", () => { clearTimeout(t); r(undefined); }, { once: true }); });
          if (abort.signal.aborted) break;
        }
      } finally {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        client.close();
      }
    });
}
