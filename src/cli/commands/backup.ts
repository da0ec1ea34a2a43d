// drover backup status [lab]: the last backup of every app volume on every target (ops/backup-status.ts);
// drover restore <app> [lab] [--from <time>]: an app's volumes back as a backup had them (ops/restore.ts).
import type { Command } from "commander";
import { existsSync } from "node:fs";
import type { Context } from "../context.js";
import { LAB_HELP } from "../lab-argument.js";
import { bold, dim, green, red, table, yellow, type Output } from "../output.js";
import { kubeconfigOptions, parseDuration } from "../../ops/cluster-input.js";
import { Client } from "../../cluster/client.js";
import { loadLab } from "../../lab/file.js";
import { backupStatus, type BackupLine } from "../../ops/backup-status.js";
import { restoreApp, restorePlan } from "../../ops/restore.js";

interface KubeFlags { kubeconfig?: string; context?: string }

export function formatBackups(o: Output, lines: readonly BackupLine[]): string {
  if (!lines.length) return "no backups: no app of the lab has backup: true, and the cluster has no ReplicationSource";
  const state = (l: BackupLine) => (l.state === "ok" ? green(o, l.result ?? "ok") : l.state === "failed" ? red(o, "Failed") : l.state === "never" ? yellow(o, "no backup yet") : red(o, "not on the cluster"));
  const restore = (l: BackupLine) => (l.restore === "populator" ? "on rebuild" : l.restore === "direct" ? "on rebuild, into the claim" : "-");
  const rows = lines.map((l) => [`  ${l.app}`, l.namespace, l.claim, l.target, l.lastBackup ?? "-", state(l), l.duration ?? "-", l.nextBackup ?? "-", restore(l)]);
  const out = [bold(o, "backups"), table([["  app", "namespace", "volume", "target", "last backup", "result", "took", "next", "restore"], ...rows])];
  for (const l of lines.filter((x) => x.state === "failed" && x.message)) out.push(dim(o, `  ${l.namespace}/${l.source}: ${l.message}`));
  if (lines.some((l) => l.state === "missing")) out.push(dim(o, "  not on the cluster: Flux (or drover apply) has not applied the app's backups yet"));
  return out.join("\n");
}

export function register(program: Command, ctx: Context): void {
  const backup = program.command("backup").description("backups of the apps' volumes (VolSync)");
  kubeconfigOptions(backup
    .command("status")
    .description("each app volume's last backup per target: time, result, duration, next; from the live cluster")
    .argument("[lab]", `${LAB_HELP}; with none of them, every ReplicationSource of the cluster is listed`))
    .action(async (path: string | undefined, f: KubeFlags) => {
      const o = ctx.output();
      const lab = path !== undefined || existsSync("lab.yaml") ? loadLab(path).lab : undefined;
      const client = Client.fromKubeconfig({ kubeconfig: f.kubeconfig, context: f.context });
      try {
        const lines = await backupStatus(client, lab);
        o.out(o.json ? JSON.stringify({ backups: lines }, null, 2) : formatBackups(o, lines));
        if (lines.some((l) => l.state === "failed")) ctx.exit(1);
      } finally {
        client.close();
      }
    });

  kubeconfigOptions(program
    .command("restore")
    .description("stop an app, restore its volumes from the latest backup (or the last one at or before --from), start it again")
    .argument("<app>", "the app instance (apps[].name)")
    .argument("[lab]", LAB_HELP))
    .option("--from <time>", "restore the last backup taken at or before this time: 2026-12-06T03:00:00Z, a day (2026-12-06) or an age (12h, 2d)")
    .option("--timeout <duration>", "how long to wait for the app to stop and for each restore", "30m")
    .action(async (app: string, path: string | undefined, f: KubeFlags & { from?: string; timeout: string }) => {
      const o = ctx.output();
      const timeoutMs = parseDuration(f.timeout, "--timeout");
      const { lab } = loadLab(path);
      const plan = restorePlan(lab, app, { ...(f.from !== undefined ? { from: f.from } : {}), now: new Date() });
      const client = Client.fromKubeconfig({ kubeconfig: f.kubeconfig, context: f.context });
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once("SIGINT", stop);
      try {
        const r = await restoreApp(client, plan, { timeoutMs, signal: abort.signal, onStep: (t) => { if (!o.json) o.out(t); } });
        if (o.json) o.out(JSON.stringify({ app: plan.app, namespace: plan.namespace, restoreAsOf: plan.restoreAsOf ?? null, volumes: r.outcomes }, null, 2));
        else o.out(green(o, `${plan.app}: ${r.outcomes.length} volume(s) restored`));
      } finally {
        process.off("SIGINT", stop);
        client.close();
      }
    });
}
