// drover up, Talos phase. Talos cannot boot here, so:
// - every talosctl invocation `up` makes is run against the real talosctl 1.12.6 with the talosconfig
//   Drover renders: talosctl accepts the flags and the config (it gets as far as dialling the node) and
//   fails only because nothing listens — a connection error, never a flag or config error;
// - `talosctl config info` reads Drover's talosconfig;
// - the phase logic (find in maintenance mode by MAC, apply, bootstrap exactly once, resume after an
//   interruption at each step) runs against a recorded runner that plays the nodes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadTestLab } from "../../testing/apps-lab.js";
import { upTalosLabYaml } from "../../testing/up-labs.js";
import { realSecrets } from "../../testing/talos-labs.js";
import { tempDir } from "../../testing/age-key.js";
import { tool } from "../../testing/paths.js";
import { renderTalos } from "../../render/talos/index.js";
import { tcpProbe, upTalos, discoverAddresses, linkMacs, type TalosOptions } from "./talos.js";
import * as talosctl from "./talos-commands.js";
import type { RunResult, Runner } from "./runner.js";
import type { UpEvent } from "./progress.js";

const lab = loadTestLab(upTalosLabYaml());
const secrets = realSecrets(lab);

function renderedTalos(): { dir: string; talosconfig: string } {
  const dir = tempDir("drover-up-talos-");
  for (const [p, f] of renderTalos(lab, secrets)) {
    mkdirSync(join(dir, "talos", p, ".."), { recursive: true });
    writeFileSync(join(dir, "talos", p), f.content, { mode: 0o600 });
  }
  return { dir, talosconfig: join(dir, "talos", "talosconfig") };
}

test("talosctl 1.12.6 accepts Drover's talosconfig and every invocation of drover up (fails only on the connection)", async () => {
  const { dir, talosconfig } = renderedTalos();
  const t = tool("talosctl");
  const env = { PATH: process.env.PATH, HOME: tempDir() };
  const info = spawnSync(t, ["--talosconfig", talosconfig, "config", "info"], { encoding: "utf8", env });
  assert.equal(info.status, 0, info.stderr);
  assert.match(info.stdout, new RegExp(`Current context:\\s+${lab.name}`));
  assert.match(info.stdout, /Endpoints:\s+192\.168\.30\.11, 192\.168\.30\.12, 192\.168\.30\.13/);
  // nothing may listen on the Talos API port of the address used, or the check below would not be one
  const addr = "127.0.0.1";
  assert.equal(await tcpProbe(addr, 50000, 1000), false, "something listens on 127.0.0.1:50000");
  const calls: [string, string[]][] = [
    ["get links --insecure", talosctl.linksInsecure(addr)],
    ["apply-config --insecure", talosctl.applyConfigInsecure(addr, join(dir, "talos", "cp1.yaml"))],
    ["version", talosctl.version(talosconfig, addr)],
    ["etcd members", talosctl.etcdMembers(talosconfig, addr)],
    ["bootstrap", talosctl.bootstrap(talosconfig, addr)],
    ["kubeconfig", talosctl.kubeconfig(talosconfig, addr, join(dir, "kubeconfig"))],
  ];
  for (const [what, args] of calls) {
    const r = spawnSync(t, args, { encoding: "utf8", env, timeout: 60_000 });
    assert.notEqual(r.status, 0, `${what}: succeeded against nothing?`);
    assert.doesNotMatch(r.stderr, /unknown (flag|command|shorthand)|accepts \d+ arg|invalid argument|Usage:/, `${what}: talosctl refused the invocation: ${r.stderr}`);
    assert.match(r.stderr, /connection refused|Unavailable|dial tcp/, `${what}: expected a connection error, got: ${r.stderr}`);
  }
  // the check is a check: a wrong flag is told apart
  const bad = spawnSync(t, ["apply-config", "--insecure", "--nodes", addr, "--files", "x"], { encoding: "utf8", env });
  assert.match(bad.stderr, /unknown flag/);
});

/** A recorded runner that plays Talos nodes: maintenance mode, then configured; etcd bootstrapped once. */
class FakeTalos implements Runner {
  readonly calls: string[] = [];
  readonly configured = new Set<string>();
  bootstraps = 0;
  etcdUp = false;
  /** a call that "crashes drover" (throws) the first time it is made: an interrupted run */
  interruptAt?: string;
  /** maintenance address → node MAC */
  constructor(readonly maintenance: Map<string, string>, readonly labAddr: Map<string, string>) {}
  async run(_p: string, args: readonly string[]): Promise<RunResult> {
    const a = args.join(" ");
    this.calls.push(a);
    if (this.interruptAt && a.includes(this.interruptAt)) {
      this.interruptAt = undefined;
      throw new Error("interrupted");
    }
    const node = args[args.indexOf("--nodes") + 1]!;
    const ok = (stdout = ""): RunResult => ({ code: 0, stdout, stderr: "" });
    const refused: RunResult = { code: 1, stdout: "", stderr: `rpc error: code = Unavailable desc = dial tcp ${node}:50000: connect: connection refused` };
    if (a.startsWith("get links --insecure")) {
      const mac = this.maintenance.get(node);
      return mac ? ok(`{"node":"${node}","spec":{"hardwareAddr":"${mac.toUpperCase()}"}}\n{"node":"${node}","spec":{"hardwareAddr":"00:00:00:00:00:00"}}`) : refused;
    }
    if (a.startsWith("apply-config --insecure")) {
      const mac = this.maintenance.get(node);
      if (!mac) return refused;
      this.maintenance.delete(node);
      const name = [...this.labAddr].find(([, m]) => m === mac)![0];
      this.configured.add(name);
      return ok();
    }
    const name = [...this.labAddr.keys()].find((n) => lab.nodes.find((x) => x.name === n)!.address === node);
    if (!name || !this.configured.has(name)) return refused;
    if (a.endsWith(" version")) return ok("Server: Tag: v1.12.6");
    if (a.endsWith(" etcd members")) return this.etcdUp ? ok("NODE ID HOSTNAME\n192.168.30.11 1 cp1") : { code: 1, stdout: "", stderr: "rpc error: code = Unavailable desc = etcd is not running" };
    if (a.endsWith(" bootstrap")) {
      if (this.bootstraps > 0) return { code: 1, stdout: "", stderr: "rpc error: code = AlreadyExists desc = etcd data directory is not empty" };
      this.bootstraps++;
      this.etcdUp = true;
      return ok();
    }
    if (a.includes(" kubeconfig ")) {
      if (!this.etcdUp) return { code: 1, stdout: "", stderr: "not ready" };
      writeFileSync(args[args.indexOf("kubeconfig") + 1]!, "apiVersion: v1\nkind: Config\n");
      return ok();
    }
    return { code: 1, stdout: "", stderr: `fake: unexpected ${a}` };
  }
}

function scenario(): { fake: FakeTalos; opts: (events: UpEvent[]) => TalosOptions } {
  const macs = new Map(lab.nodes.map((n) => [n.name, n.mac!]));
  // DHCP gave the nodes other addresses in maintenance mode
  const maint = new Map([["192.168.30.101", macs.get("cp1")!], ["192.168.30.102", macs.get("cp2")!], ["192.168.30.103", macs.get("cp3")!], ["192.168.30.104", macs.get("w1")!]]);
  const fake = new FakeTalos(maint, macs);
  return {
    fake,
    opts: (events) => ({
      lab, outDir: "/out", talosconfig: "/state/talosconfig", runner: fake, talosctl: "talosctl",
      discover: ["192.168.30.96/28"], timeoutMs: 1000, pollMs: 1, report: (e) => events.push(e),
      probe: async (a) => fake.maintenance.has(a),
    }),
  };
}

test("Talos phase: finds the nodes by MAC, applies each config once, bootstraps etcd once; a second run does nothing", async () => {
  const { fake, opts } = scenario();
  const ev: UpEvent[] = [];
  const r = await upTalos(opts(ev));
  assert.deepEqual([...r.applied].sort(), ["cp1", "cp2", "cp3", "w1"]);
  assert.equal(r.bootstrapped, true);
  assert.equal(fake.bootstraps, 1);
  const applies = fake.calls.filter((c) => c.startsWith("apply-config"));
  assert.deepEqual(applies.sort(), [
    "apply-config --insecure --nodes 192.168.30.101 --file /out/talos/cp1.yaml",
    "apply-config --insecure --nodes 192.168.30.102 --file /out/talos/cp2.yaml",
    "apply-config --insecure --nodes 192.168.30.103 --file /out/talos/cp3.yaml",
    "apply-config --insecure --nodes 192.168.30.104 --file /out/talos/w1.yaml",
  ]);
  assert.equal(fake.calls.filter((c) => c.endsWith(" bootstrap")).length, 1);
  assert.match(fake.calls.find((c) => c.endsWith(" bootstrap"))!, /--endpoints 192\.168\.30\.11 --nodes 192\.168\.30\.11 bootstrap$/);
  // again: nothing applied, no bootstrap call at all
  fake.calls.length = 0;
  const ev2: UpEvent[] = [];
  const r2 = await upTalos(opts(ev2));
  assert.deepEqual(r2.applied, []);
  assert.equal(r2.bootstrapped, false);
  assert.equal(fake.calls.filter((c) => c.startsWith("apply-config") || c.endsWith(" bootstrap") || c.startsWith("get links")).length, 0);
  assert.ok(ev2.some((e) => e.status === "skip" && /all 4 nodes run/.test(e.message)));
  assert.ok(ev2.some((e) => e.status === "skip" && /already bootstrapped/.test(e.message)));
});

for (const step of ["apply-config --insecure --nodes 192.168.30.103", "bootstrap", " kubeconfig "]) {
  test(`Talos phase: interrupted at "${step.trim()}" and run again, it finishes with exactly one bootstrap`, async () => {
    const { fake, opts } = scenario();
    fake.interruptAt = step;
    await assert.rejects(upTalos(opts([])), /interrupted/);
    const r = await upTalos(opts([]));
    assert.ok(r.kubeconfig.includes("kind: Config"));
    assert.equal(fake.bootstraps, 1);
    assert.equal(fake.configured.size, 4);
    for (const n of ["101", "102", "103", "104"]) assert.equal(fake.calls.filter((c) => c.startsWith(`apply-config --insecure --nodes 192.168.30.${n} `)).length, n === "103" && step.includes("103") ? 2 : 1);
  });
}

test("Talos phase: a bootstrap whose answer was lost (etcd not listing members yet) is not repeated: AlreadyExists counts as done", async () => {
  const { fake, opts } = scenario();
  await upTalos(opts([]));
  fake.etcdUp = false; // etcd restarting: members not listed, but its data directory exists
  const ev: UpEvent[] = [];
  const r = await upTalos(opts(ev)).catch((e: Error) => e);
  // kubeconfig then waits for etcd; the point is that no second bootstrap happened
  assert.equal(fake.bootstraps, 1);
  assert.ok(ev.some((e) => /already bootstrapped/.test(e.message)), JSON.stringify(ev));
  void r;
});

test("Talos phase: a node neither configured nor found says how to point drover at it", async () => {
  const { fake, opts } = scenario();
  fake.maintenance.delete("192.168.30.104");
  await assert.rejects(upTalos(opts([])), (e: Error & { hint?: string }) => /w1 does not answer/.test(e.message) && /--node w1=<address>/.test(e.hint ?? ""));
  // --node names it directly
  fake.maintenance.set("192.168.30.150", lab.nodes.find((n) => n.name === "w1")!.mac!);
  const o = opts([]);
  const r = await upTalos({ ...o, maintenance: new Map([["w1", "192.168.30.150"]]) });
  assert.ok(r.applied.includes("w1"));
  assert.throws(() => discoverAddresses(["10.0.0.0/8"]), /more than drover scans/);
  assert.equal(discoverAddresses(["192.168.30.96/30"]).join(","), "192.168.30.97,192.168.30.98");
  assert.deepEqual(linkMacs('{"spec":{"hardwareAddr":"AA:BB:CC:DD:EE:FF"}}'), ["aa:bb:cc:dd:ee:ff"]);
});
