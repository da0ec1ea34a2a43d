import type { Command } from "commander";
import type { Lab } from "../../lab/types.js";
import { LAB_HELP } from "../lab-argument.js";
import { humanBytes } from "../../net/quantity.js";
import type { Context } from "../context.js";
import { bold, dim, green, printDiagnostics, yellow } from "../output.js";
import { loadRenderableLab as loadLab } from "../../render/load.js";
import type { LoadedLab } from "../../lab/file.js";
import type { Need } from "../../render/needs.js";
import type { LabSecrets } from "../../secrets/types.js";
import { lifetimeWarnings, storeLifetimes, WARN_DAYS, type Lifetime } from "../../secrets/lifetimes.js";

/**
 * The credentials and placeholders the lab still needs: checked against the secrets store when the local
 * age key opens it, else everything the lab asks for (a throwaway set of secrets stands in for the store).
 */
export async function stillNeeded(loaded: LoadedLab, ageKey?: string): Promise<{ storeRead: boolean; items: Need[]; lifetimes?: Lifetime[] }> {
  const [{ labNeeds }, { tryLocalKey }, { readStore, storeFile }, { existsSync }] = await Promise.all([import("../../render/needs.js"), import("../../secrets/keys.js"), import("../../secrets/store.js"), import("node:fs")]);
  const file = storeFile(loaded.lab, loaded.dir);
  const key = existsSync(file) ? tryLocalKey({ keyFile: ageKey }) : undefined;
  let secrets: LabSecrets | undefined;
  if (key) {
    try {
      secrets = (await readStore(file, file, key.identities)).secrets;
    } catch {
      secrets = undefined; // not ours to open: say what the lab asks for
    }
  }
  const storeRead = secrets !== undefined;
  const lifetimes = secrets ? storeLifetimes(loaded.lab, secrets) : undefined;
  // without the store: a throwaway one, so generated values (an in-lab Pi-hole's password) count as present
  secrets ??= (await import("../../secrets/generate.js")).ensureSecrets(loaded.lab, undefined).secrets;
  return { storeRead, items: labNeeds(loaded.lab, secrets), ...(lifetimes ? { lifetimes } : {}) };
}

/** Facts about a lab for `drover check`; extra sections (what-if headroom, …) register here. */
export type SummarySection = (lab: Lab) => { title: string; lines: string[]; json: Record<string, unknown> } | undefined;
export const summarySections: SummarySection[] = [];

export function summarize(lab: Lab) {
  const count = <T>(xs: readonly T[], key: (x: T) => string) => {
    const m: Record<string, number> = {};
    for (const x of xs) m[key(x)] = (m[key(x)] ?? 0) + 1;
    return Object.fromEntries(Object.entries(m).sort());
  };
  return {
    name: lab.name,
    distribution: lab.distribution,
    kubernetesVersion: lab.kubernetesVersion,
    endpoint: lab.endpoint.url,
    sites: lab.sites.map((s) => ({ name: s.name, kind: s.kind, lan: s.lan, hosts: s.hosts.length, nodes: s.nodes.length })),
    hosts: {
      total: lab.hosts.length,
      byArch: count(lab.hosts, (h) => h.arch),
      byPower: count(lab.hosts, (h) => h.power),
      cpu: lab.hosts.reduce((a, h) => a + h.cpu, 0),
      memoryBytes: lab.hosts.reduce((a, h) => a + h.memoryBytes, 0),
    },
    nodes: { total: lab.nodes.length, byRole: count(lab.nodes, (n) => n.role), byKind: count(lab.nodes, (n) => n.kind), byArch: count(lab.nodes, (n) => n.arch) },
    apps: { total: lab.apps.length, byExposure: count(lab.apps, (a) => a.exposure.kind) },
    seats: lab.seats.length,
    functions: lab.functions.length,
    storageClasses: lab.storageClasses.map((c) => `${c.name} (${c.type}${c.default ? ", default" : ""})`),
  };
}

const fmt = (m: Record<string, number>) => Object.entries(m).map(([k, v]) => `${v} ${k}`).join(", ") || "none";

export function register(program: Command, ctx: Context): void {
  program
    .command("check")
    .description("validate lab.yaml and print a summary of the lab")
    .argument("[lab]", LAB_HELP, "lab.yaml")
    .option("--age-key <file>", "age key that opens the secrets store, to tell which credentials are still missing (default: DROVER_AGE_KEY_FILE, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY, ~/.config/sops/age/keys.txt)")
    .action(async (path: string, opts: { ageKey?: string }) => {
      const o = ctx.output();
      const loaded = loadLab(path);
      const { lab, diagnostics } = loaded;
      const s = summarize(lab);
      const sections = summarySections.map((f) => f(lab)).filter((x) => x !== undefined);
      const { lifetimes, ...needs } = await stillNeeded(loaded, opts.ageKey);
      const expiring = lifetimes ? lifetimeWarnings(lifetimes) : [];
      if (o.json) {
        o.out(JSON.stringify({ valid: true, file: loaded.display, summary: s, ...Object.fromEntries(sections.map((x) => [x.title, x.json])), needs, ...(lifetimes ? { lifetimes } : {}), diagnostics }, null, 2));
        return;
      }
      printDiagnostics(o, diagnostics);
      const lines = [
        `${green(o, "✓")} ${bold(o, loaded.display)} is valid: lab ${bold(o, lab.name)} (${lab.distribution}, Kubernetes ${lab.kubernetesVersion}, API ${lab.endpoint.url})`,
        `  sites   ${s.sites.map((x) => `${x.name} ${dim(o, `(${x.kind}, ${x.lan}, ${x.hosts} hosts)`)}`).join(", ")}`,
        `  hosts   ${s.hosts.total}: ${fmt(s.hosts.byArch)}; ${fmt(s.hosts.byPower)}; ${s.hosts.cpu} cores, ${humanBytes(s.hosts.memoryBytes)}`,
        `  nodes   ${s.nodes.total}: ${fmt(s.nodes.byRole)}; ${fmt(s.nodes.byKind)}`,
        `  apps    ${s.apps.total}: ${fmt(s.apps.byExposure)}`,
        `  storage ${s.storageClasses.join(", ") || "none"}`,
        `  mesh    ${lab.overlay.topology} on ${lab.overlay.subnet}, ${lab.seats.length} seat${lab.seats.length === 1 ? "" : "s"}`,
      ];
      if (s.functions) lines.push(`  funcs   ${s.functions}`);
      for (const sec of sections) {
        lines.push(`  ${bold(o, sec.title)}`);
        for (const l of sec.lines) lines.push(`    ${l}`);
      }
      if (needs.items.length) {
        lines.push(`  ${bold(o, "needed")} ${dim(o, needs.storeRead ? "(not in the secrets store yet)" : "(the secrets store was not opened: some may be stored already)")}`);
        for (const n of needs.items) lines.push(`    ${yellow(o, n.name)}: ${n.what}\n      ${dim(o, `→ ${n.fix}`)}`);
      }
      if (lifetimes) {
        const next = lifetimes.find((l) => l.notAfter);
        lines.push(`  ${bold(o, "certificates")} ${expiring.length ? yellow(o, `${expiring.length} need${expiring.length === 1 ? "s" : ""} renewing (within ${WARN_DAYS} days or past)`) : dim(o, `none ends within ${WARN_DAYS} days${next ? `; first: ${next.what} on ${next.notAfter}` : ""}`)}`);
        for (const w of expiring) lines.push(`    ${yellow(o, "warning:")} ${w}`);
      }
      const warnings = diagnostics.filter((d) => d.severity === "warning").length;
      if (warnings) lines.push(yellow(o, `  ${warnings} warning${warnings === 1 ? "" : "s"} (above)`));
      o.out(lines.join("\n"));
    });
}
