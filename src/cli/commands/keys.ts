// drover keys init: a new age identity for this machine (the key that opens the lab's secrets).
// Also adds a "secrets" section to `drover check`.
import type { Command } from "commander";
import { LAB_HELP } from "../lab-argument.js";
import type { Context } from "../context.js";
import { bold, green } from "../output.js";
import { initKeyFile, keyInitPath, tryLocalKey } from "../../secrets/keys.js";
import { summarySections } from "./check.js";
import { findLocalKey } from "../../secrets/keys.js";
import { loadLab } from "../../lab/file.js";
import { rotateKeys, rotationKinds } from "../../ops/rotate/index.js";
import { rollAppSecret } from "../../ops/rotate/app-secrets.js";
import { Client } from "../../cluster/client.js";
import { readStore, storeFile } from "../../secrets/store.js";
import { render, summarizeAdditions } from "./render.js";
import { dim, yellow } from "../output.js";
import { relative } from "node:path";
import { UserError } from "../../errors.js";
import { driveRollout, type DriveResult } from "../../ops/rotate/drive.js";

summarySections.push((lab) => {
  const file = lab.secretsStore.file;
  const rs = lab.secretsStore.recipients;
  if (rs) return { title: "secrets", lines: [`${file}, encrypted to ${rs.length} age recipient${rs.length === 1 ? "" : "s"}`], json: { file, recipients: rs, recipientsFrom: "lab.yaml" } };
  const key = tryLocalKey();
  const line = key
    ? `${file}, encrypted to your local age key ${key.recipient} (no secrets: in lab.yaml)`
    : `${file}, encrypted to your local age key once you have one (no secrets: in lab.yaml; run drover keys init)`;
  return { title: "secrets", lines: [line], json: { file, recipients: key ? [key.recipient] : [], recipientsFrom: "local key" } };
});

export function register(program: Command, ctx: Context): void {
  const keys = program.command("keys").description("manage the age key that decrypts the lab's secrets");
  keys
    .command("init")
    .description("create a new age identity file (mode 0600); refuses to overwrite one")
    .option("--age-key <file>", "where to write it (default: DROVER_AGE_KEY_FILE, SOPS_AGE_KEY_FILE, or ~/.config/sops/age/keys.txt)")
    .option("--json", "machine-readable output on stdout")
    .action((o: { ageKey?: string }) => {
      const out = ctx.output();
      const made = initKeyFile(keyInitPath({ keyFile: o.ageKey }));
      if (out.json) out.out(JSON.stringify({ file: made.path, recipient: made.recipient }, null, 2));
      else
        out.out(
          `${green(out, "✓")} wrote ${bold(out, made.path)} (mode 0600)\n  public key: ${bold(out, made.recipient)}\n  add it to lab.yaml under secrets.recipients; back the file up — without it the secrets cannot be decrypted`,
        );
    });

  keys
    .command("rotate")
    .description(`rotate key material in the secrets store, re-render, and print the rollout (${rotationKinds().join(", ")})`)
    .argument("<kind>", rotationKinds().join("|"))
    .argument("[lab]", LAB_HELP, "lab.yaml")
    .option("-o, --out <dir>", "output folder (default: out/ next to lab.yaml)")
    .option("--age-key <file>", "age key file (default: DROVER_AGE_KEY_FILE, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY, ~/.config/sops/age/keys.txt)")
    .option("--json", "machine-readable output on stdout")
    .option("--plan", "print the next step of the rotation and change nothing (no store write, no render)")
    .option("--run", "kubernetes-ca on Talos: run the printed talosctl steps too, in order, stopping at the first failure")
    .option("--talosctl <path>", "with --run: the talosctl binary", "talosctl")
    .option("--app <name>", "app-secrets: the app whose generated secrets to rotate")
    .option("--secret <name...>", "app-secrets: only these of its secrets (default: every one that can be replaced)")
    .option("--kubeconfig <file>", "app-secrets: apply the app's Secret to this cluster and restart what uses it")
    .option("--context <name>", "kubeconfig context")
    .action(async (kind: string, labPath: string, o: { out?: string; ageKey?: string; plan?: boolean; run?: boolean; talosctl?: string; app?: string; secret?: string[]; kubeconfig?: string; context?: string }) => {
      const out = ctx.output();
      const loaded = loadLab(labPath);
      const key = findLocalKey({ keyFile: o.ageKey });
      const options = { ...(o.app ? { app: o.app } : {}), ...(o.secret ? { secrets: o.secret } : {}) };
      if (o.run && !o.plan) {
        // refused before the store changes: a rollout of sentences cannot be run
        const p = await rotateKeys(kind, loaded.lab, loaded.dir, key, new Date(), options, true);
        if (!p.rollout.every((s) => s.commands?.length)) throw new UserError(`keys rotate ${kind} --run: its rollout has steps Drover cannot run itself`, "leave out --run and follow the printed steps");
      }
      const r = await rotateKeys(kind, loaded.lab, loaded.dir, key, new Date(), options, o.plan);
      if (o.plan) {
        if (out.json) out.out(JSON.stringify({ kind, plan: true, store: r.storeFile, changed: r.changed, rollout: r.rollout, notes: r.notes, ...(r.check ? { check: r.check } : {}) }, null, 2));
        else {
          const lines = [`${bold(out, `plan: keys rotate ${kind}`)} (nothing written)`, ...r.changed.map((c) => `  would change: ${c}`)];
          if (r.check) lines.push(`  check first (read-only): ${r.check.join(" ")}`);
          if (r.rollout.length) lines.push("  then roll out in this order:", ...r.rollout.map((s, i) => `  ${String(i + 1).padStart(3)}. ${bold(out, s.node)}: ${s.file} → ${s.action}`));
          for (const n of r.notes) lines.push(dim(out, `  note: ${n}`));
          out.out(lines.join("\n"));
        }
        return;
      }
      const rendered = await render(labPath, { out: o.out, ageKey: o.ageKey });
      const rel = relative(process.cwd(), rendered.outDir) || ".";
      let driven: DriveResult | undefined;
      if (o.run) {
        driven = await driveRollout(r.rollout, { outDir: rendered.outDir, ...(o.talosctl ? { talosctl: o.talosctl } : {}), onStep: (node, c) => { if (!out.json) out.err(dim(out, `  ${node}: ${c}`)); } });
        if (driven.failed) throw new UserError(`the store and the output hold the new phase, but the rollout stopped at ${driven.failed.node} (${driven.done.length} of ${r.rollout.length} nodes done): ${driven.failed.command}: ${driven.failed.error}`, "fix it, then run the printed steps from that node on (applying a config twice is harmless); do not run keys rotate again until every node has it");
      }
      let rolled: { secret: string; restarted: string[] } | undefined;
      if (kind === "app-secrets" && (o.kubeconfig || o.context)) {
        const client = Client.fromKubeconfig({ kubeconfig: o.kubeconfig, context: o.context });
        try {
          const store = await readStore(storeFile(loaded.lab, loaded.dir), r.storeFile, key.identities);
          rolled = await rollAppSecret(client, loaded.lab, store.secrets, o.app!);
        } finally {
          client.close();
        }
      }
      if (out.json) {
        out.out(JSON.stringify({ kind, store: r.storeFile, changed: r.changed, outDir: rendered.outDir, rollout: r.rollout, notes: r.notes, ...(r.check ? { check: r.check } : {}), ...(driven ? { ran: driven.done } : {}), ...(r.warnings?.length ? { warnings: r.warnings } : {}), ...(rolled ? { applied: rolled.secret, restarted: rolled.restarted } : {}) }, null, 2));
        return;
      }
      const lines = [`${green(out, "✓")} rotated ${bold(out, kind)} in ${bold(out, r.storeFile)}: ${summarizeAdditions(r.changed)}`, `  re-rendered ${rendered.files} files into ${rel}`];
      if (driven) lines.push(`  rolled out to ${driven.done.join(", ")}`);
      else if (r.rollout.length) {
        lines.push("  roll out in this order (each step on that node):");
        r.rollout.forEach((s, i) => lines.push(`  ${String(i + 1).padStart(3)}. ${bold(out, s.node)}: ${rel}/${s.file} → ${s.action}`));
      }
      if (rolled) lines.push(`  applied Secret ${bold(out, rolled.secret)}; restarted ${rolled.restarted.length ? rolled.restarted.join(", ") : "nothing (no workload uses it)"}`);
      for (const w of r.warnings ?? []) lines.push(yellow(out, `  warning: ${w}`));
      for (const n of rolled ? [] : r.notes) lines.push(dim(out, `  note: ${n}`));
      out.out(lines.join("\n"));
    });
}
