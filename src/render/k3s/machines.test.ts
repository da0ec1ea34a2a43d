// Tier 1 (issue 15): Drover's rendered k3s NoCloud seeds, unchanged, boot real Debian 12 machines.
// Two QEMU VMs (TCG) from the image `scripts/tools/install.sh machines` builds, on a LAN bridge in a
// network namespace (gateway on the bridge, an address behind it on the router), checked through the
// QEMU guest agent: static address and a working default route, DNS, hostname, every written file and its
// mode, wg-quick@wg0 up on the kernel's WireGuard with pings over the mesh both ways, and the k3s install
// step: on srv1 it fetches the installer by name from the stand-in on the gateway and runs it with exactly the
// environment Drover intends; w1's download fails (404), which must fail cloud-init loudly.
//
// Heavy (minutes of CPU): `npm run test:machines` runs it alone; `npm test` runs it only when the VM
// image is built and otherwise says loudly that it did not (scripts/test.mjs).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { parse } from "yaml";
import { K3S_INSTALL_PATH, k3sInstallEnv } from "./cloud-init.js";
import { bootMachinesLab, STANDIN_ENV, type BootedLab } from "../../testing/machines-boot.js";
import { BEYOND_GATEWAY, INSTALLER_HOST, INSTALLER_URL, MACHINES_GATEWAY } from "../../testing/machines-lab.js";

describe("machines (Tier 1): rendered k3s seeds boot Debian 12 VMs under QEMU", { timeout: 45 * 60_000 }, () => {
  let b: BootedLab;
  const vm = (n: string) => b.vms.get(n)!;

  before(async () => {
    b = await bootMachinesLab({ failInstallFor: ["w1"] });
  });
  after(async () => {
    if (b) {
      for (const v of b.vms.values()) console.error(`machines: ${v.name} ${Object.entries(v.marks).map(([k, ms]) => `${k} ${(ms / 1000).toFixed(0)} s`).join(", ")}`);
      await b.close();
    }
  });

  it("static address on the MAC-matched NIC, the default route through the gateway (no net-tools)", async () => {
    for (const n of b.lab.nodes) {
      const v = vm(n.name);
      const link = await v.sh("ip -o link show lan0");
      assert.ok(link.toLowerCase().includes(n.mac!.toLowerCase()), `${n.name}: lan0 is the NIC with the node's MAC: ${link}`);
      assert.match(await v.sh("ip -4 -o addr show dev lan0"), new RegExp(`inet ${n.address.replaceAll(".", "\\.")}/${n.prefix} `), n.name);
      assert.match(await v.sh("ip -4 route show default"), new RegExp(`^default via ${MACHINES_GATEWAY.replaceAll(".", "\\.")} dev lan0`, "m"), n.name);
      await v.sh("! command -v route && ! test -e /sbin/route").catch(() => assert.fail(`${n.name}: net-tools must be absent for this to prove anything`));
      // an address on the router's loopback, not on the LAN: reachable only through the default route
      await v.sh(`ping -c 1 -W 5 ${BEYOND_GATEWAY}`);
    }
  });

  it("DNS: the LAN's servers and search domain in resolv.conf; the installer's name resolves through them", async () => {
    for (const n of b.lab.nodes) {
      const conf = await vm(n.name).sh("cat /etc/resolv.conf");
      assert.match(conf, new RegExp(`^search ${b.lab.domains.private.replaceAll(".", "\\.")}$`, "m"), `${n.name}:\n${conf}`);
      assert.deepEqual(conf.split("\n").filter((l) => l.startsWith("nameserver ")), n.dns.map((d) => `nameserver ${d}`), `${n.name}:\n${conf}`);
      assert.equal((await vm(n.name).sh(`getent ahostsv4 ${INSTALLER_HOST} | head -n 1`)).split(/\s+/)[0], MACHINES_GATEWAY);
      assert.ok(b.installerRequests.some((r) => r.client === n.address && r.path === `dns ${INSTALLER_HOST} 1`), `${n.name} asked the LAN's DNS`);
    }
  });

  it("hostname and FQDN", async () => {
    for (const n of b.lab.nodes) {
      assert.equal((await vm(n.name).sh("hostname")).trim(), n.name);
      assert.equal((await vm(n.name).sh("hostname --fqdn")).trim(), `${n.name}.${b.lab.domains.private}`);
    }
  });

  it("every written file has its content, owner and mode (keys 0600)", async () => {
    for (const n of b.lab.nodes) {
      const ud = parse(b.files.get(`${n.name}/user-data`)!.content) as { write_files: { path: string; owner: string; permissions: string; content: string }[] };
      assert.ok(ud.write_files.some((f) => f.path === K3S_INSTALL_PATH));
      for (const f of ud.write_files) {
        const [mode, owner, sum] = (await vm(n.name).sh(`stat -c '%a %U:%G' '${f.path}' | tr '\\n' ' '; sha256sum < '${f.path}'`)).split(/\s+/);
        assert.equal(mode, f.permissions.replace(/^0/, ""), `${n.name}:${f.path} mode`);
        assert.equal(owner, f.owner, `${n.name}:${f.path} owner`);
        assert.equal(sum, createHash("sha256").update(f.content).digest("hex"), `${n.name}:${f.path} content`);
      }
    }
  });

  it("wg-quick@wg0 is up on the kernel's WireGuard and the mesh carries pings both ways", async () => {
    for (const n of b.lab.nodes) {
      const v = vm(n.name);
      assert.equal((await v.sh("systemctl is-active wg-quick@wg0")).trim(), "active", n.name);
      assert.match(await v.sh("ip -d link show wg0"), /\bwireguard\b/, `${n.name}: wg0 is a kernel WireGuard link`);
      await v.sh("test -d /sys/module/wireguard");
      assert.equal((await v.sh("wg show wg0 listen-port")).trim(), String(b.lab.overlay.port));
    }
    for (const n of b.lab.nodes) {
      for (const peer of b.lab.nodes.filter((p) => p.name !== n.name)) {
        await vm(n.name).sh(`ping -c 3 -i 0.5 -W 5 ${peer.overlayAddress}`, 120_000);
        vm(n.name).mark("mesh up");
      }
      const hs = (await vm(n.name).sh("wg show wg0 latest-handshakes")).trim().split("\n");
      assert.ok(hs.every((l) => Number(l.split(/\s+/)[1]) > 0), `${n.name}: a handshake with every peer: ${hs.join("; ")}`);
    }
  });

  it("k3s install step: srv1 runs the installer from the configured URL with exactly the intended environment", async () => {
    const srv1 = b.lab.node("srv1");
    assert.deepEqual(b.cloudInit.get("srv1"), [], "cloud-init on srv1 finished without errors");
    const env = await vm("srv1").sh(`cat ${STANDIN_ENV}`);
    const k3sVars = Object.fromEntries(
      env
        .split("\n")
        .filter((l) => /^(INSTALL_K3S_|K3S_)/.test(l))
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    assert.deepEqual(k3sVars, Object.fromEntries(k3sInstallEnv(b.lab, srv1)));
    assert.deepEqual(k3sVars, { INSTALL_K3S_VERSION: "v1.35.4+k3s1", INSTALL_K3S_EXEC: "server" });
    assert.ok(b.installerRequests.some((r) => r.client === srv1.address && r.path === new URL(INSTALLER_URL).pathname && r.status === 200), JSON.stringify(b.installerRequests));
  });

  it("k3s install step: a failed installer download fails cloud-init loudly on w1 and runs nothing", async () => {
    const w1 = vm("w1");
    const errors = b.cloudInit.get("w1")!;
    assert.ok(errors.some((e) => /scripts.user|runcmd/.test(e)), `cloud-init must report the failed runcmd: ${JSON.stringify(errors)}`);
    const status = await w1.exec(["/usr/bin/cloud-init", "status"], 120_000);
    assert.match(status.stdout, /status: error/, status.stdout + status.stderr);
    assert.notEqual(status.code, 0, "cloud-init status exits non-zero");
    assert.match(await w1.sh("cat /var/log/cloud-init-output.log"), new RegExp(`drover: downloading the k3s installer from ${INSTALLER_URL.replaceAll(".", "\\.")} failed`));
    assert.equal((await w1.exec(["/usr/bin/test", "-e", STANDIN_ENV])).code, 1, "the installer never ran");
    assert.ok(b.installerRequests.some((r) => r.client === b.lab.node("w1").address && r.status === 404));
    // the steps before it did run: the overlay is up
    assert.equal((await w1.sh("systemctl is-active wg-quick@wg0")).trim(), "active");
  });
});
