// Tier 1 (issue 15): the site-leaders mesh on real machines. Drover's rendered k3s NoCloud seeds, unchanged,
// boot two Debian 12 VMs under QEMU (TCG) on two sites (src/testing/machines-sites.ts): srv1 at home, whose
// router forwards the WireGuard port to it (the site's leader and the seats' hub), and c1, a cloud VM behind
// a NAT box that lets nothing in. Checked through the QEMU guest agent, on the VMs' kernel WireGuard: the
// NAT really is one-way, c1 opens the tunnel and keeps it open, pings cross it both ways, every address
// the rendered configs route (the other site's node, the k3s join address, flannel's pod tunnel) goes
// through wg0, and pod traffic crosses on a flannel-style tunnel built from the rendered values. Then a
// seat (the config `drover seat show` prints, run with wg-quick over wireguard-go in a namespace on the
// "internet") reaches a private service on the home LAN through the hub, and the cloud node across sites.
//
// Heavy (minutes of CPU): `npm run test:machines` runs it with the other machines tests; `npm test` runs
// it only when the VM image is built and otherwise says loudly that it did not (scripts/test.mjs).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { parse } from "yaml";
import { parseWgQuick } from "./conf.js";
import { FLANNEL_WIREGUARD_PORT } from "../k3s/config.js";
import { bootMachinesSites, PRIVATE_SERVICE_PORT, SEAT_IFACE, type BootedSites } from "../../testing/machines-sites.js";
import { SITES_CLOUD_WAN, SITES_HOME_WAN, SITES_PRIVATE_SERVICE } from "../../testing/machines-sites-lab.js";
import { sleep } from "../../testing/machines.js";

describe("machines (Tier 1): a site-leaders lab with a NATed cloud VM, and a seat reaching a private service", { timeout: 45 * 60_000 }, () => {
  let b: BootedSites;
  const vm = (n: string) => b.vms.get(n)!;
  const wg0 = (n: string) => (parse(b.files.get(`${n}/user-data`)!.content) as { write_files: { path: string; content: string }[] }).write_files.find((f) => f.path === "/etc/wireguard/wg0.conf")!.content;
  const k3sConfig = (n: string) => parse(b.files.get(`${n}/config.yaml`)!.content) as Record<string, unknown>;
  const key = (n: string) => b.secrets.wireguard[`node/${n}`]!.publicKey;
  const other = (n: string) => (n === "srv1" ? "c1" : "srv1");
  /** `wg show wg0 <what>` as public key → value */
  const wgShow = async (n: string, what: string) => new Map((await vm(n).sh(`wg show wg0 ${what}`)).trim().split("\n").map((l) => l.split(/\s+/) as [string, string]));

  before(async () => {
    b = await bootMachinesSites();
  });
  after(async () => {
    if (b) {
      for (const v of b.vms.values()) console.error(`machines (sites): ${v.name} ${Object.entries(v.marks).map(([k, ms]) => `${k} ${(ms / 1000).toFixed(0)} s`).join(", ")}`);
      await b.close();
    }
  });

  it("both seeds finish cloud-init without errors; each node fetched the installer from behind its site's NAT", () => {
    for (const n of b.lab.nodes) assert.deepEqual(b.cloudInit.get(n.name), [], `${n.name}: cloud-init errors`);
    for (const wan of [SITES_HOME_WAN, SITES_CLOUD_WAN]) assert.ok(b.installerRequests.some((r) => r.client === wan && r.path === "/k3s/install.sh" && r.status === 200), `a download from ${wan}: ${JSON.stringify(b.installerRequests)}`);
  });

  it("the NAT is one-way: nothing reaches the cloud LAN from outside; the home leader has no endpoint for c1, c1 dials the home site's forwarded port", async () => {
    const c1 = b.lab.node("c1");
    const srv1 = b.lab.node("srv1");
    assert.notEqual((await vm("srv1").exec(["/bin/ping", "-n", "-c", "1", "-W", "2", c1.address])).code, 0, "srv1 must not reach c1's LAN address");
    assert.notEqual((await vm("c1").exec(["/bin/ping", "-n", "-c", "1", "-W", "2", srv1.address])).code, 0, "c1 must not reach srv1's LAN address");
    await assert.rejects(b.inet.exec(["ping", "-n", "-c", "1", "-W", "2", c1.address]), /failed/, "the internet must not reach the cloud LAN");
    const home = parseWgQuick(wg0("srv1")).peers.find((p) => p.publicKey === key("c1"))!;
    assert.equal(home.endpoint, undefined, "srv1 cannot dial c1");
    const cloud = parseWgQuick(wg0("c1")).peers.find((p) => p.publicKey === key("srv1"))!;
    assert.equal(cloud.endpoint, `${SITES_HOME_WAN}:${b.lab.overlay.port}`);
    assert.match(wg0("c1"), new RegExp(`PersistentKeepalive = ${b.lab.overlay.keepalive}\\n`), "c1 keeps its NAT mapping open");
  });

  it("kernel WireGuard: c1 opens the tunnel through both NATs, keeps it alive, and pings cross it both ways", async () => {
    for (const n of b.lab.nodes) {
      assert.equal((await vm(n.name).sh("systemctl is-active wg-quick@wg0")).trim(), "active", n.name);
      assert.match(await vm(n.name).sh("ip -d link show wg0"), /\bwireguard\b/, `${n.name}: wg0 is a kernel WireGuard link`);
    }
    // handshakes: c1 sends keepalives every 25 s, so the tunnel comes up without traffic from srv1
    const deadline = Date.now() + 5 * 60_000;
    for (;;) {
      const hs = await wgShow("srv1", "latest-handshakes");
      if (Number(hs.get(key("c1"))) > 0) break;
      if (Date.now() > deadline) throw vm("srv1").fail(`no handshake with c1: ${[...hs].join("; ")}`);
      await sleep(3000);
    }
    // the tunnel was opened from behind the cloud NAT: srv1 learned c1's endpoint as the NAT box's address
    assert.match((await wgShow("srv1", "endpoints")).get(key("c1")) ?? "", new RegExp(`^${SITES_CLOUD_WAN.replaceAll(".", "\\.")}:\\d+$`));
    assert.equal((await wgShow("c1", "endpoints")).get(key("srv1")), `${SITES_HOME_WAN}:${b.lab.overlay.port}`);
    assert.equal((await wgShow("c1", "persistent-keepalive")).get(key("srv1")), String(b.lab.overlay.keepalive));
    // from the home node to the cloud node through the tunnel c1 opened, and back
    for (const n of ["srv1", "c1"]) {
      await vm(n).sh(`ping -n -c 3 -i 0.5 -W 5 ${b.lab.node(other(n)).overlayAddress}`, 120_000);
      vm(n).mark("mesh up");
    }
  });

  it("routes: every address the rendered wg0 allows, the k3s join address and flannel's external address go through wg0", async () => {
    for (const n of b.lab.nodes) {
      const targets = new Map<string, string>();
      for (const p of parseWgQuick(wg0(n.name)).peers) for (const a of p.allowedIps) targets.set(a.replace(/\/\d+$/, ""), `AllowedIPs ${a}`);
      const server = k3sConfig(n.name).server;
      if (typeof server === "string") targets.set(new URL(server).hostname, `k3s server ${server}`);
      targets.set(String(k3sConfig(other(n.name))["node-external-ip"]), `${other(n.name)}'s node-external-ip (flannel's endpoint)`);
      for (const [addr, why] of targets) assert.match(await vm(n.name).sh(`ip -o route get ${addr}`), /\bdev wg0\b/, `${n.name}: ${addr} (${why})`);
    }
    // the cloud agent joins the server across sites: its k3s server address answers over the mesh
    const server = new URL(String(k3sConfig("c1").server)).hostname;
    assert.equal(server, b.lab.node("srv1").overlayAddress);
    await vm("c1").sh(`ping -n -c 2 -W 5 ${server}`, 60_000);
  });

  it("pod traffic: a flannel wireguard tunnel built from the rendered values (port, keepalive, external IPs) carries the pod ranges across sites", async () => {
    // what flannel's wireguard-native backend sets up on each node from config.yaml and flannel-net-conf.json:
    // its own WireGuard link on the net-conf's port, each peer at its node-external-ip, the peer's pod subnet routed to it
    const netConf = JSON.parse((parse(b.files.get("c1/user-data")!.content) as { write_files: { path: string; content: string }[] }).write_files.find((f) => f.path.endsWith("flannel-net-conf.json"))!.content) as { Network: string; Backend: { ListenPort: number; PersistentKeepaliveInterval: number } };
    assert.equal(netConf.Backend.ListenPort, FLANNEL_WIREGUARD_PORT);
    assert.equal(netConf.Network, b.lab.podCIDR);
    const [a, bb] = b.lab.podCIDR.split("/")[0]!.split(".");
    const podNet = (i: number) => `${a}.${bb}.${i}.0/24`;
    const podIp = (i: number) => `${a}.${bb}.${i}.1`;
    const idx = { srv1: 0, c1: 1 } as Record<string, number>;
    const pub = new Map<string, string>();
    for (const n of ["srv1", "c1"]) {
      await vm(n).sh(`umask 077; wg genkey > /run/flannel.key; ip link add flannel-wg type wireguard; wg set flannel-wg listen-port ${netConf.Backend.ListenPort} private-key /run/flannel.key; ip addr add ${podIp(idx[n]!)}/32 dev flannel-wg; ip link set flannel-wg up`);
      pub.set(n, (await vm(n).sh("wg pubkey < /run/flannel.key")).trim());
    }
    for (const n of ["srv1", "c1"]) {
      const o = other(n);
      await vm(n).sh(`wg set flannel-wg peer ${pub.get(o)} endpoint ${k3sConfig(o)["node-external-ip"]}:${netConf.Backend.ListenPort} allowed-ips ${podNet(idx[o]!)} persistent-keepalive ${netConf.Backend.PersistentKeepaliveInterval}; ip route add ${podNet(idx[o]!)} dev flannel-wg`);
    }
    for (const n of ["c1", "srv1"]) await vm(n).sh(`ping -n -c 3 -i 0.5 -W 5 -I ${podIp(idx[n]!)} ${podIp(idx[other(n)]!)}`, 120_000);
    // full-size pod packets (flannel-wg's MTU, no fragmentation allowed inside) still cross the mesh
    const mtu = Number((await vm("c1").sh("cat /sys/class/net/flannel-wg/mtu")).trim());
    await vm("c1").sh(`ping -n -c 2 -W 5 -M do -s ${mtu - 28} -I ${podIp(1)} ${podIp(0)}`, 60_000);
  });

  it("seat: the rendered seat config, on wg-quick over wireguard-go, reaches the private service through the hub, and the cloud node across sites", async () => {
    const seatPeer = parseWgQuick(b.seatConf).peers;
    assert.equal(seatPeer.length, 1);
    assert.equal(seatPeer[0]!.publicKey, key("srv1"), "the seat's one peer is the hub, srv1");
    assert.equal(seatPeer[0]!.endpoint, `${SITES_HOME_WAN}:${b.lab.overlay.port}`);
    assert.ok(seatPeer[0]!.allowedIps.some((c) => c.endsWith("/29") && SITES_PRIVATE_SERVICE.startsWith(c.split("/")[0]!.split(".").slice(0, 3).join("."))), `the seat routes the load-balancer pool: ${seatPeer[0]!.allowedIps.join(", ")}`);
    // before the tunnel: the private address is nowhere on the internet
    await assert.rejects(b.seat.exec(["ping", "-n", "-c", "1", "-W", "2", SITES_PRIVATE_SERVICE]));
    await b.seatUp();
    for (const addr of [SITES_PRIVATE_SERVICE, b.lab.node("c1").overlayAddress]) assert.match((await b.seat.exec(["ip", "-o", "route", "get", addr])).stdout, new RegExp(`\\bdev ${SEAT_IFACE}\\b`), addr);
    const fetch = `fetch("http://${SITES_PRIVATE_SERVICE}:${PRIVATE_SERVICE_PORT}/", { signal: AbortSignal.timeout(20000) }).then(async (r) => process.stdout.write(r.status + " " + (await r.text())))`;
    let body = "";
    const deadline = Date.now() + 3 * 60_000;
    while (!body) {
      body = await b.seat.exec([process.execPath, "-e", fetch], { timeoutMs: 30_000 }).then((r) => r.stdout, (e: Error) => (Date.now() > deadline ? Promise.reject(e) : ""));
    }
    // the hub masquerades the seat onto its LAN, so the service sees srv1's LAN address
    assert.equal(body.trim(), `200 private service; you are ${b.lab.node("srv1").address}`);
    assert.equal((await b.seat.exec(["ping", "-n", "-c", "3", "-i", "0.5", "-W", "5", b.lab.node("c1").overlayAddress], { timeoutMs: 60_000 })).stdout.includes(" 0% packet loss"), true, "the seat reaches c1 through the hub");
    assert.match((await wgShow("srv1", "endpoints")).get(b.secrets.wireguard[`seat/${b.lab.seats[0]!.name}`]!.publicKey) ?? "", /^192\.0\.2\.10:\d+$/, "srv1 sees the seat at its own address (the home router forwards, it does not masquerade)");
  });
});
