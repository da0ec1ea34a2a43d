// drover up [lab]: render, bring the machines up (Talos or k3s), commit and push the Flux tree, install
// Flux and wait until it has reconciled everything. Idempotent and resumable: each step is skipped when
// already done. Progress on a terminal (stderr); quiet when piped or with --json, which print the result.
import type { Command } from "commander";
import { delimiter, resolve } from "node:path";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Context } from "../context.js";
import type { Output } from "../output.js";
import { bold, dim, green, red, yellow } from "../output.js";
import { LAB_HELP } from "../lab-argument.js";
import { parseDuration } from "../../ops/cluster-input.js";
import { UserError, EXIT_INVALID } from "../../errors.js";
import { render } from "./render.js";
import { loadRenderableLab } from "../../render/load.js";
import { findLocalKey } from "../../secrets/keys.js";
import { loadSecrets } from "../../secrets/store.js";
import { up, type UpResult } from "../../ops/up/index.js";
import { upPaths } from "../../ops/up/state.js";
import { processRunner } from "../../ops/up/runner.js";
import { serveGit } from "../../ops/up/git-serve.js";
import type { UpEvent } from "../../ops/up/progress.js";
import { readFileSync } from "node:fs";

interface UpFlags {
  out?: string;
  ageKey?: string;
  render: boolean;
  kubeconfig?: string;
  context?: string;
  merge: boolean;
  mergeInto?: string;
  node?: string[];
  discover?: string[];
  remote?: string;
  repo?: string;
  knownHosts?: string;
  timeout: string;
  fluxTimeout: string;
  wait: boolean;
  until?: string;
  talosctl?: string;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** The user's kubeconfig, as kubectl picks the file it writes to: the first of $KUBECONFIG, else ~/.kube/config. */
export function userKubeconfig(env: NodeJS.ProcessEnv = process.env): string {
  const first = env.KUBECONFIG?.split(delimiter).find((p) => p.length > 0);
  return first ?? join(env.HOME || homedir(), ".kube", "config");
}

/** --node name=address, repeatable. */
export function parseNodeFlags(values: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of values) {
    const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)=(\S+)$/.exec(v);
    if (!m) throw new UserError(`--node ${v}: expected name=address`, "e.g. --node cp1=192.168.1.57 (the address the node got from DHCP in maintenance mode)");
    out.set(m[1]!, m[3]!);
  }
  return out;
}

/**
 * The progress of `up` on a terminal: a line rewritten in place while waiting, a line per finished step.
 * Trace events (each object created or changed) go to the stream only when `trace` (DROVER_TRACE=1),
 * terminal or not.
 */
export function upProgress(o: Output, stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number } = process.stderr, trace = !!process.env.DROVER_TRACE): { event(e: UpEvent): void; done(): void } {
  const tty = !!stream.isTTY && !o.json;
  let open = false;
  const clear = () => { if (open) { stream.write("\r\x1b[K"); open = false; } };
  return {
    event(e) {
      if (e.status === "trace") {
        if (trace) { clear(); stream.write(`drover up: ${e.message}\n`); }
        return;
      }
      if (!tty) return;
      const width = (stream.columns ?? 100) - 1;
      if (e.status === "start" || e.status === "wait") {
        clear();
        stream.write(`${dim(o, `${e.phase}:`)} ${e.message}`.slice(0, width + (o.color ? 9 : 0)));
        open = true;
      } else {
        clear();
        const mark = e.status === "done" ? green(o, "✓") : e.status === "skip" ? dim(o, "·") : yellow(o, "!");
        stream.write(`${mark} ${dim(o, `${e.phase}:`)} ${e.message}\n`);
      }
    },
    done: clear,
  };
}

function printResult(o: Output, r: UpResult, events: readonly UpEvent[], tty: boolean): void {
  const lines: string[] = [];
  if (!tty) for (const e of events.filter((x) => x.status !== "start" && x.status !== "wait")) lines.push(`${e.status === "done" ? "✓" : e.status === "skip" ? "·" : "!"} ${e.phase}: ${e.message}`);
  const flux = r.flux;
  const ok = !flux || flux.ready;
  const notReady = flux?.objects.filter((x) => !x.ready) ?? [];
  if (flux && !flux.ready && flux.objects.length) {
    const stalled = notReady.filter((x) => x.stalled).length;
    lines.push(red(o, `✗ ${notReady.length} of ${flux.objects.length} Flux objects are not Ready${stalled ? `; stopped waiting: ${stalled} cannot become Ready without a change (above: how to look further)` : ""}:`));
    for (const x of notReady) lines.push(`  ${x.stalled ? red(o, "stalled ") : ""}${x.kind} ${x.namespace}/${x.name}: ${x.reason ? `${x.reason}: ` : ""}${x.message}`);
  } else if (ok) lines.push(`${green(o, "✓")} ${bold(o, "up")}: kubeconfig ${r.kubeconfig}${flux?.ready ? `; ${flux.objects.length} Flux objects Ready` : ""}`);
  for (const n of r.notes) lines.push(yellow(o, `  note: ${n}`));
  o.out(lines.join("\n"));
}

export function register(program: Command, ctx: Context): void {
  program
    .command("serve-git")
    .description("serve the lab's Git repository (.drover/remote.git, which drover up pushes to) to the cluster at gitops.serve until stopped, for a lab without a Git host")
    .argument("[lab]", LAB_HELP)
    .action(async (path: string | undefined) => {
      const o = ctx.output();
      const loaded = loadRenderableLab(path);
      const listen = loaded.lab.gitops.serve;
      if (!listen) throw new UserError(`${loaded.path}: gitops.serve is not set`, "set gitops.serve: <address>:<port> (an address of this machine the cluster's nodes reach), render and run drover up; a lab with gitops.url or gitops.forge has its own Git host");
      const paths = upPaths(loaded.dir);
      const s = await serveGit({ repo: paths.localRemote, name: loaded.lab.name, listen });
      o.out(`${green(o, "✓")} serving ${paths.localRemote} read-only at ${bold(o, s.url)} (Ctrl-C stops)`);
      await new Promise<void>((resolve) => {
        const stop = () => { process.off("SIGINT", stop); process.off("SIGTERM", stop); resolve(); };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
      await s.close();
      o.out(`stopped after ${s.fetches} fetch${s.fetches === 1 ? "" : "es"}`);
    });
  program
    .command("up")
    .description("render, bring the machines up (Talos or k3s), commit and push the Flux tree, install Flux, wait until everything is Ready; run again to resume")
    .argument("[lab]", LAB_HELP)
    .option("-o, --out <dir>", "output folder (default: out/ next to lab.yaml)")
    .option("--age-key <file>", "age key file (default: DROVER_AGE_KEY_FILE, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY, ~/.config/sops/age/keys.txt)")
    .option("--no-render", "use the files of the last drover render as they are")
    .option("--node <name=address>", "Talos: the address a node waits at in maintenance mode (repeatable)", collect)
    .option("--discover <cidr>", "Talos: look for nodes in maintenance mode there, matched by MAC (repeatable; an address or CIDR)", collect)
    .option("--kubeconfig <file>", "use the existing cluster of this kubeconfig: the machine phase is skipped")
    .option("--context <name>", "with --kubeconfig: its context")
    .option("--merge-into <file>", "the kubeconfig to merge the new context into (default: the first of $KUBECONFIG, else ~/.kube/config)")
    .option("--no-merge", "do not merge the new context into your kubeconfig")
    .option("--remote <url>", "the Git remote to push to (default: gitops.url, else a local bare repository in .drover/)")
    .option("--repo <dir>", "the Git working tree drover commits to (default: .drover/repo next to lab.yaml)")
    .option("--known-hosts <file>", "known_hosts lines of the Git remote for Flux (default: ssh-keyscan asks it)")
    .option("--timeout <duration>", "how long to wait for the machines and the Kubernetes API", "20m")
    .option("--flux-timeout <duration>", "how long to wait for every Kustomization and HelmRelease", "15m")
    .option("--no-wait", "do not wait for Flux to reconcile")
    .option("--until <phase>", "stop after this phase: machines, cluster, gitops or flux")
    .option("--talosctl <path>", "the talosctl binary (default: talosctl on PATH)")
    .action(async (path: string | undefined, f: UpFlags) => {
      const o = ctx.output();
      if (f.until && !["machines", "cluster", "gitops", "flux"].includes(f.until)) throw new UserError(`--until ${f.until}: not a phase`, "use machines, cluster, gitops or flux");
      const machinesTimeoutMs = parseDuration(f.timeout, "--timeout");
      const fluxTimeoutMs = parseDuration(f.fluxTimeout, "--flux-timeout");
      const events: UpEvent[] = [];
      const progress = upProgress(o);
      const report = (e: UpEvent) => { if (e.status !== "trace") events.push(e); progress.event(e); };
      const abort = new AbortController();
      const onSignal = () => { if (abort.signal.aborted) process.exit(130); abort.abort(); };
      process.on("SIGINT", onSignal);
      try {
        let outDir: string;
        if (f.render) {
          report({ phase: "render", status: "start", message: "rendering the lab" });
          const r = await render(path, { ...(f.out ? { out: f.out } : {}), ...(f.ageKey ? { ageKey: f.ageKey } : {}) });
          outDir = r.outDir;
          report({ phase: "render", status: "done", message: `${r.files} files in ${r.outDir}${r.store.saved.length ? "; secrets store updated" : ""}` });
          if (r.needs.some((n) => n.kind === "credential")) report({ phase: "render", status: "warn", message: `still needed: ${r.needs.filter((n) => n.kind === "credential").map((n) => n.name).join(", ")} (drover secrets set NAME)` });
        } else outDir = "";
        const loaded = loadRenderableLab(path);
        if (!f.render) outDir = resolve(f.out ?? resolve(loaded.dir, "out"));
        const key = findLocalKey({ keyFile: f.ageKey });
        const store = await loadSecrets(loaded.lab, loaded.dir, key);
        store.save();
        const paths = upPaths(loaded.dir, { ...(f.repo ? { repo: resolve(f.repo) } : {}) });
        const r = await up({
          lab: loaded.lab, secrets: store.secrets, outDir, paths, ageIdentities: key.identities, recipients: store.recipients,
          runner: processRunner,
          tools: { talosctl: f.talosctl ?? process.env.DROVER_TALOSCTL ?? "talosctl", ssh: "ssh", sshKeyscan: "ssh-keyscan", git: "git" },
          ...(f.kubeconfig ? { existingKubeconfig: resolve(f.kubeconfig) } : {}), ...(f.context ? { existingContext: f.context } : {}),
          ...(f.merge && !f.kubeconfig ? { mergeInto: resolve(f.mergeInto ?? userKubeconfig()) } : {}),
          ...(f.node?.length ? { maintenance: parseNodeFlags(f.node) } : {}), ...(f.discover?.length ? { discover: f.discover } : {}),
          ...(f.remote ? { remote: f.remote } : {}),
          ...(f.knownHosts ? { knownHosts: readFileSync(f.knownHosts, "utf8") } : {}),
          machinesTimeoutMs, fluxTimeoutMs, wait: f.wait, ...(f.until ? { until: f.until as "machines" } : {}),
          report, signal: abort.signal,
        });
        progress.done();
        if (o.json) o.out(JSON.stringify({ ...r, steps: events.filter((e) => e.status !== "wait") }, null, 2));
        else printResult(o, r, events, !!process.stderr.isTTY);
        if (r.flux && !r.flux.ready && f.wait && r.flux.objects.length) ctx.exit(EXIT_INVALID);
      } finally {
        progress.done();
        process.off("SIGINT", onSignal);
      }
    });
}
