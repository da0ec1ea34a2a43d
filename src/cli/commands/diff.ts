// drover diff [lab]: what drover apply would change, as unified diffs (live → desired after a server
// dry run), Secret values redacted. Exit code 0 when in sync, 1 when there are changes (like diff(1)).
// drover diff --against <git ref> [lab]: what the rendered tree gained, lost or changed since that
// revision (no cluster; ops/revision-diff.ts); exit code 1 on a difference only with --exit-code.
import type { Command } from "commander";
import { clusterCommand } from "../cluster-command.js";
import type { Context } from "../context.js";
import { bold, green, paint, type Output } from "../output.js";
import { clusterInput, type ClusterOptions } from "../../ops/cluster-input.js";
import { Client } from "../../cluster/client.js";
import { pruneDataFilters } from "../../cluster/prune.js";
import { diff, type DiffResult } from "../../cluster/diff.js";
import { refText } from "../../cluster/objects.js";
import { revisionDiff, type RevisionDiff } from "../../ops/revision-diff.js";

function colorDiff(o: Output, text: string): string {
  if (!o.color) return text;
  return text.split("\n").map((l) => (l.startsWith("+++") || l.startsWith("---") ? paint(o, 1, l) : l.startsWith("+") ? paint(o, 32, l) : l.startsWith("-") ? paint(o, 31, l) : l.startsWith("@@") ? paint(o, 36, l) : l)).join("\n");
}

export function printDiff(o: Output, r: DiffResult, server: string): void {
  if (!r.changes.length) {
    o.out(`${green(o, "✓")} ${server} matches the spec (${r.unchanged} objects${r.unserved ? `; ${r.unserved} of kinds it does not serve yet left out` : ""})`);
    return;
  }
  const out: string[] = [];
  for (const c of r.changes) out.push(colorDiff(o, c.diff.trimEnd()));
  const n = (k: string) => r.changes.filter((c) => c.change === k).length;
  out.push(`${bold(o, String(r.changes.length))} change${r.changes.length === 1 ? "" : "s"} against ${server}: ${n("create")} to create, ${n("update")} to update, ${n("prune")} to prune; ${r.unchanged} unchanged${r.unserved ? `; ${r.unserved} of kinds the cluster does not serve yet left out` : ""}`);
  if (n("adopt")) out.push(`${n("adopt")} object${n("adopt") === 1 ? "" : "s"} exist and were not created by Drover: ${r.changes.filter((c) => c.change === "adopt").map((c) => refText(c.ref)).join(", ")}; drover apply refuses them unless --adopt`);
  o.out(out.join("\n"));
}

export function printRevisionDiff(o: Output, r: RevisionDiff): void {
  const n = r.added.length + r.removed.length + r.changed.length;
  if (o.json) {
    o.out(JSON.stringify({ against: r.against, commit: r.commit, added: r.added, removed: r.removed, changed: r.changed, secretFiles: r.secret, secrets: r.secrets, diffs: Object.fromEntries(r.diffs) }, null, 2));
    return;
  }
  const out: string[] = [];
  for (const d of r.diffs.values()) out.push(colorDiff(o, d.trimEnd()));
  for (const p of r.secret) out.push(`${bold(o, p)}: ${r.added.includes(p) ? "added" : r.removed.includes(p) ? "removed" : "changed"} (holds secrets: not shown)`);
  const short = r.commit.slice(0, 12);
  if (!n) out.push(`${green(o, "✓")} the rendered tree is the same as at ${r.against} (${short})`);
  else out.push(`${bold(o, String(n))} file${n === 1 ? "" : "s"} differ from ${r.against} (${short}): ${r.added.length} added, ${r.removed.length} removed, ${r.changed.length} changed${r.secrets === "throwaway" ? " (compared with throwaway secrets: no age key opens the store)" : ""}`);
  o.out(out.join("\n"));
}

export function register(program: Command, ctx: Context): void {
  clusterCommand(program, "diff", "show what drover apply would change in the live cluster (server dry run; secrets redacted), or with --against <ref> what changed in the rendered tree since a Git revision")
    .option("--no-prune", "leave out what an apply would prune")
    .option("--prune-data", "show what drover apply --prune-data would prune: claims and namespaces that hold data too")
    .option("--against <ref>", "no cluster: diff the rendered tree of the lab at this Git revision (lab.yaml, versions.yaml, function scripts) against the lab now")
    .option("--exit-code", "with --against: exit 1 when the rendered trees differ (for CI)")
    .action(async (path: string | undefined, f: ClusterOptions & { prune: boolean; pruneData?: boolean; against?: string; exitCode?: boolean }) => {
      const o = ctx.output();
      if (f.against !== undefined) {
        const r = await revisionDiff(path, f.against, { ...(f.ageKey ? { ageKey: f.ageKey } : {}) });
        printRevisionDiff(o, r);
        if (f.exitCode && (r.added.length || r.removed.length || r.changed.length)) ctx.exit(1);
        return;
      }
      const input = await clusterInput(path, f);
      const client = Client.fromKubeconfig({ kubeconfig: f.kubeconfig, context: f.context });
      try {
        const r = await diff(client, input.objects, { prune: f.prune, ...(f.pruneData ? { pruneFilters: pruneDataFilters } : {}), skipUnserved: !!f.skipUnserved || input.lab !== undefined, ...(input.identity ? { lab: input.identity } : {}) });
        if (o.json) o.out(JSON.stringify({ server: client.server, unchanged: r.unchanged, changes: r.changes.map((c) => ({ ...c.ref, change: c.change, object: refText(c.ref), diff: c.diff })) }, null, 2));
        else printDiff(o, r, client.server);
        if (r.changes.length) ctx.exit(1);
      } finally {
        client.close();
      }
    });
}
