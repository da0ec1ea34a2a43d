// UPSes (issue 16, item 5): the NUT files Drover renders run for real. In a network namespace holding
// the UPS host's address, each host of proxmox-k3s's UPS gets its own mount namespace (its /etc an
// overlay, the rendered folder installed into /etc/nut as the README says, /sbin/shutdown a stub that
// records the call): the real upsd, driver controller and upsmon/upssched of Debian's NUT. Only the
// hardware is a stand-in (the dummy-ups driver reading a status file). On battery the worker-only Pi
// shuts down after its timer, the others stay; at low battery the secondary goes, then the UPS's host
// last (with NUT's killpower flag).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { loadLabText } from "../../lab/load.js";
import { EXAMPLES, debianTool } from "../../testing/paths.js";
import { tempDir, } from "../../testing/age-key.js";
import { renderLab } from "../index.js";
import { nodeSchematic } from "../boot/schematic.js";
import { testSecrets } from "../../testing/apps-lab.js";

const text = readFileSync(join(EXAMPLES, "proxmox-k3s", "lab.yaml"), "utf8");

test("proxmox-k3s's UPS plan: the Pis early, the control-plane hosts at low battery, pve3 (the UPS's host, TrueNAS) last", () => {
  const lab = loadLabText(text, "lab.yaml").lab!;
  assert.ok(lab);
  const [ups] = lab.ups;
  assert.deepEqual(ups!.hosts.map((h) => [h.host, h.role, h.step]), [
    ["rpi4-1", "secondary", "early"], ["rpi5-1", "secondary", "early"], ["rpi5-2", "secondary", "early"],
    ["pve1", "secondary", "low-battery"], ["pve2", "secondary", "low-battery"], ["pve3", "primary", "last"],
  ]);
  assert.equal(ups!.earlyAfterSeconds, 500);
  assert.equal(ups!.serverAddress, "10.10.10.13");
});

test("UPS mistakes are errors at their place: a Talos host as NUT server, a host on two UPSes, the UPS's host not powered by it", () => {
  const errs = (t: string) => loadLabText(t, "lab.yaml").diagnostics.filter((d) => d.severity === "error").map((d) => `${d.path}: ${d.message}`);
  assert.deepEqual(errs(text.replace("powers: [pve1, pve2, pve3,", "powers: [pve1, pve2,")), ["ups[0].powers: UPS rack is plugged into host pve3, which is not among the hosts it powers"]);
  assert.deepEqual(errs(text.replace("runtime: 25m }", "runtime: 25m }\n  - { name: spare, host: pve1, powers: [pve1], runtime: 10m }")).map((e) => e.replace(/\d+/, "N")), ["ups[N].powers[0]: host pve1 is already powered by UPS rack"]);
  assert.match(errs(text.replace("runtime: 25m", "runtime: 25 minutes"))[0]!, /runtime: must be minutes or hours/);
  const talos = readFileSync(join(EXAMPLES, "talos-mixed", "lab.yaml"), "utf8");
  assert.deepEqual(errs(talos.replace("{ name: ups, host: nuc1,", "{ name: ups, host: rpi4-1,")), ["ups[0].host: host rpi4-1 runs Talos, whose NUT is a client only: it cannot watch the UPS"]);
});

test("talos-mixed: the Talos Pis on the UPS get the nut-client extension and its upsmon settings in their machine config", () => {
  const talos = readFileSync(join(EXAMPLES, "talos-mixed", "lab.yaml"), "utf8");
  const lab = loadLabText(talos, "lab.yaml").lab!;
  const t = renderLab(lab, testSecrets(lab));
  const ext = parseAllDocuments(t.get("talos/talos09.yaml")!.content).map((d) => d.toJS()).find((d) => d?.kind === "ExtensionServiceConfig");
  assert.equal(ext.name, "nut-client");
  assert.equal(ext.configFiles[0].mountPath, "/usr/local/etc/nut/upsmon.conf");
  assert.match(ext.configFiles[0].content, /^MONITOR ups@192\.168\.10\.11:3493 1 upsmon-secondary [0-9a-f]{64} secondary$/m);
  assert.match(ext.configFiles[0].content, /^SHUTDOWNCMD "\/sbin\/poweroff"$/m);
  assert.ok(nodeSchematic(lab, lab.node("talos09")).customization.systemExtensions!.officialExtensions.includes("siderolabs/nut-client"));
  assert.ok(!(nodeSchematic(lab, lab.node("talos03")).customization.systemExtensions?.officialExtensions ?? []).includes("siderolabs/nut-client"), "a VM node's host runs NUT, not the VM");
  // the VM nodes' hosts run Debian's NUT from nut/<host>/; the hosts not on the UPS get nothing
  assert.ok(t.has("nut/nuc1/ups.conf") && t.has("nut/nuc2/upsmon.conf"));
  assert.ok(![...t.keys()].some((p) => p.startsWith("nut/gamer/") || p.startsWith("nut/rpi4-1/")));
});

test("the real NUT runs proxmox-k3s's UPS files: the Pi goes after its timer on battery, then pve1 and pve3 last at low battery", { timeout: 240_000 }, async () => {
  const tools = { ip: debianTool("ip"), unshare: debianTool("unshare"), upsd: debianTool("upsd"), upsmon: debianTool("upsmon"), upsdrvctl: debianTool("upsdrvctl") };
  assert.ok(existsSync("/lib/nut/dummy-ups"), "NUT's dummy-ups driver is missing; run scripts/tools/install.sh debian");
  // a 3-minute battery: the early timer fires after a minute
  const lab = loadLabText(text.replace("runtime: 25m", "runtime: 3m"), "lab.yaml").lab!;
  assert.equal(lab.ups[0]!.earlyAfterSeconds, 60);
  const t = renderLab(lab, testSecrets(lab));
  const root = tempDir("drover-nut-");
  // NUT's programs run as the nut user: they read the status file and run the stub from here
  chmodSync(root, 0o755);
  const ns = `drover-nut-${process.pid}`;
  const procs: ChildProcess[] = [];
  try {
    execFileSync(tools.ip, ["netns", "add", ns]);
    execFileSync(tools.ip, ["netns", "exec", ns, "ip", "link", "set", "lo", "up"]);
    execFileSync(tools.ip, ["netns", "exec", ns, "ip", "addr", "add", `${lab.ups[0]!.serverAddress}/32`, "dev", "lo"]);
    const stub = join(root, "shutdown");
    writeFileSync(stub, `#!/bin/sh\necho "$(date +%s.%N) $DROVER_TEST_HOST $*" >> ${join(root, "shutdowns")}\n`);
    chmodSync(stub, 0o755);
    const dev = join(root, "rack.dev");
    const status = (s: string) => writeFileSync(dev, `ups.status: ${s}\nbattery.charge: ${s.includes("LB") ? 10 : 100}\n`, { mode: 0o644 });
    status("OL");
    const host = (h: string, command: string) => {
      const dir = join(root, h);
      mkdirSync(join(dir, "conf"), { recursive: true });
      mkdirSync(join(dir, "upper"));
      mkdirSync(join(dir, "work"));
      for (const [p, f] of t) if (p.startsWith(`nut/${h}/`)) writeFileSync(join(dir, "conf", p.slice(`nut/${h}/`.length)), f.content);
      // the hardware: only the driver and its port change (dummy-ups reads the status file)
      if (existsSync(join(dir, "conf", "ups.conf"))) writeFileSync(join(dir, "conf", "ups.conf"), readFileSync(join(dir, "conf", "ups.conf"), "utf8").replace("driver = usbhid-ups", "driver = dummy-ups").replace("port = auto", `port = ${dev}`));
      const script = [
        "mount --make-rprivate /",
        "mount -t tmpfs -o mode=0770 tmpfs /run/nut && chgrp nut /run/nut",
        `mount -t overlay overlay -o lowerdir=/etc,upperdir=${dir}/upper,workdir=${dir}/work /etc`,
        `mount --bind ${stub} /sbin/shutdown`,
        // the README's install step
        `install -o root -g nut -m 0640 ${dir}/conf/* /etc/nut/`,
        "if [ -f /etc/nut/drover-upssched-cmd ]; then chown root:root /etc/nut/drover-upssched-cmd; chmod 0755 /etc/nut/drover-upssched-cmd; fi",
        command,
      ].join("\n");
      const p = spawn(tools.ip, ["netns", "exec", ns, tools.unshare, "-m", "sh", "-ec", script], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, DROVER_TEST_HOST: h } });
      let log = "";
      p.stdout!.on("data", (d) => (log += d));
      p.stderr!.on("data", (d) => (log += d));
      p.on("close", (code, signal) => (log += `\n[${h}: exited ${code ?? signal}]`));
      procs.push(p);
      return () => log;
    };
    const server = host("pve3", `${tools.upsdrvctl} start\n${tools.upsd} -F &\nsleep 1\nexec ${tools.upsmon} -F`);
    const until = async (what: string, ok: () => boolean, ms: number) => {
      const end = Date.now() + ms;
      while (!ok()) {
        if (Date.now() > end) assert.fail(`${what} did not happen in ${ms / 1000} s; pve3's log:\n${server()}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    await until("pve3's upsmon logging in", () => /upsmon-primary@127\.0\.0\.1 logged into UPS \[rack\]/.test(server()), 30_000);
    host("pve1", `exec ${tools.upsmon} -F`);
    const pi = host("rpi5-1", `exec ${tools.upsmon} -F`);
    await until("both secondaries logging in", () => (server().match(/upsmon-secondary@\S+ logged into UPS \[rack\]/g) ?? []).length === 2, 30_000);
    const shutdowns = () => (existsSync(join(root, "shutdowns")) ? readFileSync(join(root, "shutdowns"), "utf8").trim().split("\n").map((l) => l.split(" ")) : []);

    status("OB DISCHRG");
    await until("the Pi's early shutdown", () => shutdowns().length > 0, 120_000);
    assert.deepEqual(shutdowns().map((s) => s.slice(1)), [["rpi5-1", "-h", "+0"]], pi());
    await new Promise((r) => setTimeout(r, 3_000));
    assert.equal(shutdowns().length, 1, "only the worker-only Pi goes early");

    status("OB DISCHRG LB");
    await until("pve1 and pve3 shutting down", () => shutdowns().length === 3, 60_000);
    const order = shutdowns().map((s) => s[1]);
    assert.deepEqual(order, ["rpi5-1", "pve1", "pve3"]);
    assert.ok(existsSync(join(root, "pve3", "upper", "killpower")), "the primary sets NUT's killpower flag (the UPS is powered off at the end)");
  } finally {
    for (const p of procs) p.kill("SIGKILL");
    try {
      const pids = execFileSync(tools.ip, ["netns", "pids", ns], { encoding: "utf8" }).split("\n").filter(Boolean);
      for (const pid of pids) try { process.kill(Number(pid), "SIGKILL"); } catch { /* gone */ }
    } catch { /* no namespace */ }
    try { execFileSync(tools.ip, ["netns", "del", ns]); } catch { /* not made */ }
    rmSync(root, { recursive: true, force: true });
  }
});
