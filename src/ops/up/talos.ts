// `drover up`, Talos: every node from maintenance mode to a member of a running cluster.
//  1. a node that already answers with the lab's credentials at its lab address runs its config: skipped;
//  2. any other node must be waiting in maintenance mode: at the address given with --node name=addr, or
//     found by --discover (the Talos API port open, then matched by the MAC of its links to lab.yaml);
//     it gets its machine config (talosctl apply-config --insecure) and is waited for at its lab address;
//  3. etcd is bootstrapped exactly once: not when any control plane already lists etcd members, and a
//     bootstrap Talos refuses as AlreadyExists (a re-run after an interrupted bootstrap) counts as done;
//  4. the admin kubeconfig is fetched (talosctl kubeconfig) from the first control plane.
// Every step is decided from what the nodes answer, not from a record of earlier runs, so an
// interrupted `up` is simply run again.
import { connect } from "node:net";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Lab, Node } from "../../lab/types.js";
import { UserError } from "../../errors.js";
import { cidrSize, formatIp, parseCidr, parseIp } from "../../net/ip.js";
import { failure, type Runner } from "./runner.js";
import type { UpReport } from "./progress.js";
import * as talosctl from "./talos-commands.js";

export interface TalosOptions {
  readonly lab: Lab;
  /** the rendered output folder (talos/<node>.yaml, talos/talosconfig) */
  readonly outDir: string;
  /** the talosconfig to authenticate with (Drover's copy of the rendered one) */
  readonly talosconfig: string;
  readonly runner: Runner;
  /** the talosctl binary */
  readonly talosctl: string;
  /** node name → the address it waits at in maintenance mode (--node) */
  readonly maintenance?: ReadonlyMap<string, string>;
  /** addresses or CIDRs to look for nodes in maintenance mode (--discover) */
  readonly discover?: readonly string[];
  readonly timeoutMs: number;
  readonly pollMs?: number;
  readonly report: UpReport;
  readonly signal?: AbortSignal;
  /** TCP probe of the Talos API port (tests replace it) */
  readonly probe?: (address: string, port: number, timeoutMs: number) => Promise<boolean>;
}

export const TALOS_API_PORT = 50000;
const MAX_DISCOVER = 4096;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether a TCP port accepts connections. */
export function tcpProbe(address: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: address, port, timeout: timeoutMs });
    const done = (ok: boolean) => { s.destroy(); resolve(ok); };
    s.once("connect", () => done(true));
    s.once("timeout", () => done(false));
    s.once("error", () => done(false));
  });
}

/** The addresses of --discover: single addresses and IPv4 CIDRs (at most 4,096 addresses in all). */
export function discoverAddresses(items: readonly string[]): string[] {
  const out: string[] = [];
  for (const item of items) {
    if (item.includes("/")) {
      const r = parseCidr(item);
      if ("error" in r) throw new UserError(`--discover ${item}: ${r.error}`, r.hint ?? "give a CIDR such as 192.168.1.0/24, or addresses");
      const size = cidrSize(r.cidr);
      if (out.length + size > MAX_DISCOVER) throw new UserError(`--discover ${item}: ${size} addresses is more than drover scans (${MAX_DISCOVER})`, "give the DHCP range of the LAN, e.g. 192.168.1.0/24, or the addresses");
      const [first, last] = size <= 2 ? [r.cidr.base, r.cidr.base + size - 1] : [r.cidr.base + 1, r.cidr.base + size - 2];
      for (let ip = first; ip <= last; ip++) out.push(formatIp(ip));
    } else {
      if (parseIp(item) === undefined) throw new UserError(`--discover ${item}: not an IPv4 address or CIDR`, "e.g. --discover 192.168.1.0/24 or --discover 192.168.1.57");
      out.push(item);
    }
  }
  return [...new Set(out)];
}

/** The MAC addresses of a node's links, from `talosctl get links -o json` (a stream of JSON objects). */
export function linkMacs(stdout: string): string[] {
  const macs: string[] = [];
  for (const m of stdout.matchAll(/"hardwareAddr"\s*:\s*"([0-9a-fA-F:]{17})"/g)) macs.push(m[1]!.toLowerCase());
  return [...new Set(macs)];
}

async function mapLimit<T, R>(items: readonly T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (i < items.length) {
      const k = i++;
      out[k] = await fn(items[k]!);
    }
  }));
  return out;
}

/** Nodes in maintenance mode among `addresses`, matched to lab nodes by MAC: node name → address. */
export async function discoverNodes(o: TalosOptions, want: readonly Node[], addresses: readonly string[]): Promise<Map<string, string>> {
  const probe = o.probe ?? tcpProbe;
  const open = (await mapLimit(addresses, 64, async (a) => ((await probe(a, TALOS_API_PORT, 1500)) ? a : undefined))).filter((a): a is string => !!a);
  const byMac = new Map(want.filter((n) => n.mac).map((n) => [n.mac!.toLowerCase(), n.name]));
  const found = new Map<string, string>();
  for (const a of open) {
    const r = await o.runner.run(o.talosctl, talosctl.linksInsecure(a), { timeoutMs: 20_000 });
    if (r.code !== 0) continue; // not a Talos node in maintenance mode (or it answers only with credentials)
    for (const mac of linkMacs(r.stdout)) {
      const name = byMac.get(mac);
      if (name && !found.has(name)) found.set(name, a);
    }
  }
  return found;
}

async function answers(o: TalosOptions, n: Node): Promise<boolean> {
  const r = await o.runner.run(o.talosctl, talosctl.version(o.talosconfig, n.address), { timeoutMs: 15_000 });
  return r.code === 0;
}

async function waitAnswers(o: TalosOptions, n: Node): Promise<void> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    if (await answers(o, n)) return;
    if (Date.now() >= deadline || o.signal?.aborted) throw new UserError(`${n.name} did not come up with its machine config at ${n.address} within ${Math.round(o.timeoutMs / 1000)} s`, `check its console (it installs to ${n.installDisk} and reboots), then run drover up again`);
    o.report({ phase: "talos", status: "wait", message: `waiting for ${n.name} to install and reboot into its config at ${n.address}` });
    await sleep(o.pollMs ?? 5000);
  }
}

export interface TalosResult {
  readonly applied: readonly string[];
  readonly bootstrapped: boolean;
  /** the admin kubeconfig text talosctl wrote */
  readonly kubeconfig: string;
}

export async function upTalos(o: TalosOptions): Promise<TalosResult> {
  const { lab, report } = o;
  const first = lab.controlPlanes()[0];
  if (!first) throw new UserError("the lab has no control-plane node", "give a node role: controlplane in lab.yaml");
  // 1. which nodes already run their config
  report({ phase: "talos", status: "start", message: `checking ${lab.nodes.length} node${lab.nodes.length === 1 ? "" : "s"} at their lab addresses` });
  const configured = new Set<string>();
  for (const n of lab.nodes) if (await answers(o, n)) configured.add(n.name);
  const pending = lab.nodes.filter((n) => !configured.has(n.name));
  if (!pending.length) report({ phase: "talos", status: "skip", message: `all ${lab.nodes.length} nodes run their machine config` });

  // 2. find the others in maintenance mode and send them their config
  const applied: string[] = [];
  if (pending.length) {
    const at = new Map(o.maintenance ?? []);
    const unknown = [...at.keys()].filter((k) => !lab.nodes.some((n) => n.name === k));
    if (unknown.length) throw new UserError(`--node ${unknown.join(", ")}: no such node in lab.yaml`, `the nodes are: ${lab.nodes.map((n) => n.name).join(", ")}`);
    const look = pending.filter((n) => !at.has(n.name));
    if (look.length && o.discover?.length) {
      report({ phase: "talos", status: "start", message: `looking for ${look.length} node${look.length === 1 ? "" : "s"} in maintenance mode (${o.discover.join(", ")})` });
      for (const [name, a] of await discoverNodes(o, look, discoverAddresses(o.discover))) at.set(name, a);
    }
    const missing = pending.filter((n) => !at.has(n.name));
    if (missing.length) {
      const noMac = missing.filter((n) => !n.mac).map((n) => n.name);
      throw new UserError(
        `${missing.map((n) => n.name).join(", ")} ${missing.length === 1 ? "does" : "do"} not answer at ${missing.length === 1 ? "its lab address" : "their lab addresses"} and ${missing.length === 1 ? "was" : "were"} not found in maintenance mode`,
        `boot ${missing.length === 1 ? "it" : "them"} from the Talos image (boot/README.md), then pass the address DHCP gave: --node ${missing[0]!.name}=<address>, or --discover <LAN CIDR>${noMac.length ? ` (matching by MAC needs mac: in lab.yaml for ${noMac.join(", ")})` : ""}`,
      );
    }
    for (const n of pending) {
      const addr = at.get(n.name)!;
      report({ phase: "talos", status: "start", message: `sending ${n.name} its machine config (maintenance mode at ${addr})` });
      const r = await o.runner.run(o.talosctl, talosctl.applyConfigInsecure(addr, join(o.outDir, "talos", `${n.name}.yaml`)), { timeoutMs: 60_000 });
      if (r.code !== 0) {
        // the node may have taken the config and rebooted just before answering: check before failing
        if (!(await answers(o, n))) throw new UserError(`talosctl apply-config for ${n.name} at ${addr} failed: ${failure(r)}`, `is ${addr} the node's address in maintenance mode? run drover up again once it is`);
      }
      applied.push(n.name);
    }
    for (const n of pending) {
      await waitAnswers(o, n);
      report({ phase: "talos", status: "done", message: `${n.name} runs its machine config at ${n.address}` });
    }
  }

  // 3. etcd, exactly once
  let bootstrapped = false;
  let hasEtcd = false;
  for (const cp of lab.controlPlanes()) {
    const r = await o.runner.run(o.talosctl, talosctl.etcdMembers(o.talosconfig, cp.address), { timeoutMs: 20_000 });
    if (r.code === 0 && r.stdout.trim()) { hasEtcd = true; break; }
  }
  if (hasEtcd) report({ phase: "talos", status: "skip", message: "etcd is already bootstrapped" });
  else {
    report({ phase: "talos", status: "start", message: `bootstrapping etcd on ${first.name}` });
    const r = await o.runner.run(o.talosctl, talosctl.bootstrap(o.talosconfig, first.address), { timeoutMs: 60_000 });
    if (r.code !== 0 && !/AlreadyExists|already bootstrapped|etcd data directory is not empty/i.test(r.stderr + r.stdout)) {
      throw new UserError(`talosctl bootstrap on ${first.name} failed: ${failure(r)}`, "run drover up again; it bootstraps only when no control plane has etcd members");
    }
    bootstrapped = r.code === 0;
    report({ phase: "talos", status: bootstrapped ? "done" : "skip", message: bootstrapped ? `etcd bootstrapped on ${first.name}` : "etcd was already bootstrapped" });
  }

  // 4. the admin kubeconfig
  const tmp = mkdtempSync(join(tmpdir(), "drover-up-"));
  try {
    const file = join(tmp, "kubeconfig");
    const deadline = Date.now() + o.timeoutMs;
    for (;;) {
      const r = await o.runner.run(o.talosctl, talosctl.kubeconfig(o.talosconfig, first.address, file), { timeoutMs: 30_000 });
      if (r.code === 0) break;
      if (Date.now() >= deadline || o.signal?.aborted) throw new UserError(`talosctl kubeconfig from ${first.name} failed: ${failure(r)}`, "run drover up again once the control plane is up");
      report({ phase: "talos", status: "wait", message: `waiting for ${first.name} to hand out the kubeconfig` });
      await sleep(o.pollMs ?? 5000);
    }
    return { applied, bootstrapped, kubeconfig: readFileSync(file, "utf8") };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
