// The mesh test lab's machines as network namespaces, so the rendered WireGuard configs run for real
// with wg-quick itself over wireguard-go (userspace WireGuard; there is no kernel module here):
//
//   home LAN 10.1.0.0/24 ── natb (NAT router: masquerade out of "wan", UDP 51820 forwarded to the
//   │ cp1, w1                      home entry node) ── inet ── vps1, vps2 (public 203.0.113.x, LAN 10.2.0.x)
//   │                                                   └──── seats (192.0.2.x, a phone on some network)
//   └ 10.1.0.200 (a load-balancer address) on w1
//
// Nodes sit on point-to-point veth links: their address as /32 plus a default route through their router.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Netns, NetnsSet } from "./netns.js";
import { debianTool } from "./paths.js";
import { APPLY_WG0 } from "../render/wireguard/conf.js";
import { HOME_WAN, LB_ADDRESS, MESH_NODES } from "./mesh-lab.js";
import { parseCidr, parseIp, formatIp } from "../net/ip.js";
import type { Lab } from "../lab/types.js";
import { siteEntry } from "../lab/mesh.js";

interface Router {
  readonly ns: Netns;
  readonly gw: string;
  readonly nat: boolean;
  readonly lan: string;
}

interface Machine {
  readonly ns: Netns;
  readonly iface: string;
  up?: boolean;
  /** the config applied last */
  conf?: string;
}

export interface MeshWorldOptions {
  readonly seats?: readonly string[];
  /** LAN address of the home node the router forwards UDP 51820 to */
  readonly homeEntry: string;
}

const NODE_NET: Record<string, { site: "home" | "cloud"; addresses: string[] }> = {
  cp1: { site: "home", addresses: ["10.1.0.11"] },
  w1: { site: "home", addresses: ["10.1.0.12", LB_ADDRESS] },
  vps1: { site: "cloud", addresses: ["203.0.113.11", "10.2.0.11"] },
  vps2: { site: "cloud", addresses: ["203.0.113.12", "10.2.0.12"] },
};

export class MeshWorld {
  /** the machines' wg-quick files (0600), removed by close() */
  private readonly dir = mkdtempSync(join(tmpdir(), "drover-wg-"));

  private constructor(private readonly set: NetnsSet, private readonly machines: Map<string, Machine>, private readonly routers: Map<string, Router> = new Map()) {}

  static async start(o: MeshWorldOptions): Promise<MeshWorld> {
    requireTools();
    await NetnsSet.removeStale();
    const set = new NetnsSet();
    const machines = new Map<string, Machine>();
    try {
      const inet = await set.add("inet");
      const natb = await set.add("natb");
      for (const ns of [inet, natb]) await ns.sysctl("net.ipv4.ip_forward", 1);
      // home router: WAN to the internet, masquerade out, the site's WireGuard port forwarded in
      await set.link(inet, "e-natb", natb, "wan");
      await inet.script(`ip addr add 198.51.100.1/32 dev e-natb; ip route add ${HOME_WAN}/32 dev e-natb`);
      await natb.script(`ip addr add ${HOME_WAN}/32 dev wan; ip route add 198.51.100.1/32 dev wan; ip route add default via 198.51.100.1 dev wan`);
      await natb.exec(["nft", "-f", "-"], {
        input: `table ip nat {
  chain prerouting { type nat hook prerouting priority dstnat; iifname "wan" udp dport 51820 dnat to ${o.homeEntry}:51820; }
  chain postrouting { type nat hook postrouting priority srcnat; oifname "wan" masquerade; }
}
`,
      });
      let n = 0;
      const ifname = () => `wg${set.id}${(n++).toString(36)}`.slice(0, 15);
      for (const name of MESH_NODES) {
        const net = NODE_NET[name]!;
        const ns = await set.add(name);
        const router = net.site === "home" ? natb : inet;
        const gw = net.site === "home" ? "10.1.0.1" : "203.0.113.1";
        await set.link(router, `l-${name}`, ns, "eth0");
        await router.script([`ip addr add ${gw}/32 dev l-${name}`, ...net.addresses.map((a) => `ip route add ${a}/32 dev l-${name}`)].join("\n"));
        await ns.script([...net.addresses.map((a) => `ip addr add ${a}/32 dev eth0`), `ip route add ${gw}/32 dev eth0`, `ip route add default via ${gw} dev eth0`].join("\n"));
        machines.set(name, { ns, iface: ifname() });
      }
      for (const [i, seat] of (o.seats ?? []).entries()) {
        const ns = await set.add(`seat-${seat}`);
        const addr = `192.0.2.${10 + i}`;
        await set.link(inet, `s-${i}`, ns, "eth0");
        await inet.script(`ip addr add 192.0.2.1/32 dev s-${i}; ip route add ${addr}/32 dev s-${i}`);
        await ns.script(`ip addr add ${addr}/32 dev eth0; ip route add 192.0.2.1/32 dev eth0; ip route add default via 192.0.2.1 dev eth0`);
        machines.set(`seat/${seat}`, { ns, iface: ifname() });
      }
    } catch (e) {
      await set.close();
      throw e;
    }
    return new MeshWorld(set, machines);
  }

  /**
   * Any lab's machines as namespaces: an "internet" namespace; per site a router namespace whose WAN
   * faces the internet (masquerading the LAN when the site is behind NAT, forwarding the site's
   * WireGuard port to its entry node when it has an endpoint, routing the LAN when it is not behind
   * NAT); per node a namespace on its site's router with its LAN address (and public address); per
   * seat a namespace on the internet. Endpoint host names resolve (per-namespace /etc/hosts) to the
   * routers' WAN addresses.
   */
  static async forLab(lab: Lab): Promise<MeshWorld> {
    requireTools();
    await NetnsSet.removeStale();
    const set = new NetnsSet();
    const machines = new Map<string, Machine>();
    let world: MeshWorld;
    try {
      const inet = await set.add("inet");
      await inet.sysctl("net.ipv4.ip_forward", 1);
      const names: Record<string, string> = {};
      let n = 0;
      const ifname = () => `wg${set.id}${(n++).toString(36)}`.slice(0, 15);
      const routers = new Map<string, Router>();
      for (const [i, site] of lab.sites.entries()) {
        const r = await set.add(`site${i}`);
        await r.sysctl("net.ipv4.ip_forward", 1);
        const epHost = site.endpointHost;
        const wan = epHost && parseIp(epHost) !== undefined ? epHost : `100.64.${i}.2`;
        if (epHost && parseIp(epHost) === undefined) names[epHost] = wan;
        await set.link(inet, `w${i}`, r, "wan");
        await inet.script(`ip addr add 100.64.${i}.1/32 dev w${i}; ip route add ${wan}/32 dev w${i}`);
        await r.script(`ip addr add ${wan}/32 dev wan; ip route add 100.64.${i}.1/32 dev wan; ip route add default via 100.64.${i}.1 dev wan`);
        if (!site.nat) await inet.exec(["ip", "route", "add", site.lan, "via", wan, "dev", `w${i}`]);
        const lanCidr = parseCidr(site.lan);
        const gw = site.gateway ?? ("cidr" in lanCidr ? formatIp(lanCidr.cidr.base + 1) : "0.0.0.0");
        routers.set(site.name, { ns: r, gw, nat: site.nat, lan: site.lan });
      }
      world = new MeshWorld(set, machines, routers);
      for (const [k, node] of lab.nodes.entries()) {
        const { ns: r, gw } = routers.get(node.site)!;
        const ns = await set.add(`n${k}`);
        const pub = lab.spec.nodes.find((x) => x.name === node.name)?.publicAddress;
        const addrs = [...(pub && parseIp(pub) !== undefined ? [pub] : []), node.address];
        await set.link(r, `l${k}`, ns, "eth0");
        await r.script([`ip addr add ${gw}/32 dev l${k}`, ...addrs.map((a) => `ip route add ${a}/32 dev l${k}`)].join("\n"));
        if (addrs.length > 1) {
          const site = lab.sites.findIndex((x) => x.name === node.site);
          await inet.exec(["ip", "route", "add", `${addrs[0]}/32`, "via", routerWan(lab, site), "dev", `w${site}`]);
        }
        await ns.script([...addrs.map((a) => `ip addr add ${a}/32 dev eth0`), `ip route add ${gw}/32 dev eth0`, `ip route add default via ${gw} dev eth0`].join("\n"));
        ns.hosts(names);
        machines.set(node.name, { ns, iface: ifname() });
      }
      for (const [i, seat] of lab.seats.entries()) {
        const ns = await set.add(`s${i}`);
        const addr = `192.0.2.${10 + i}`;
        await set.link(inet, `s${i}`, ns, "eth0");
        await inet.script(`ip addr add 192.0.2.1/32 dev s${i}; ip route add ${addr}/32 dev s${i}`);
        await ns.script(`ip addr add ${addr}/32 dev eth0; ip route add 192.0.2.1/32 dev eth0; ip route add default via 192.0.2.1 dev eth0`);
        ns.hosts(names);
        machines.set(`seat/${seat.name}`, { ns, iface: ifname() });
      }
      await world.natRules(lab);
    } catch (e) {
      await set.close();
      throw e;
    }
    return world;
  }

  /**
   * (Re)writes every site router's NAT: masquerade of the LAN behind NAT, and the site's forwarded
   * WireGuard port to its current entry node (what a user changes on their router when the entry moves).
   */
  async natRules(lab: Lab): Promise<void> {
    for (const site of lab.sites) {
      const r = this.routers.get(site.name);
      if (!r) continue;
      const spec = lab.spec.sites.find((x) => x.name === site.name)!;
      const entry = siteEntry(lab, site.name);
      const port = spec.endpoint && /:(\d+)$/.test(spec.endpoint) ? Number(/:(\d+)$/.exec(spec.endpoint)![1]) : lab.overlay.port;
      const rules = [
        site.nat ? `  chain postrouting { type nat hook postrouting priority srcnat; oifname "wan" ip saddr ${site.lan} masquerade; }` : "",
        site.nat && spec.endpoint && entry ? `  chain prerouting { type nat hook prerouting priority dstnat; iifname "wan" udp dport ${port} dnat to ${entry.address}:${lab.overlay.port}; }` : "",
      ].filter(Boolean);
      await r.ns.exec(["nft", "-f", "-"], { input: `table ip nat\ndelete table ip nat\n${rules.length ? `table ip nat {\n${rules.join("\n")}\n}\n` : ""}` });
      // forget NAT mappings made for the old entry
      await r.ns.exec(["sh", "-c", "conntrack -F 2>/dev/null || true"]);
    }
  }

  private machine(name: string): Machine {
    const m = this.machines.get(name);
    if (!m) throw new Error(`no machine ${name} in the mesh world`);
    return m;
  }

  /**
   * Brings a machine's interface up from its wg-quick file with wg-quick itself (`wg-quick up`, which
   * falls back to wireguard-go here: WG_QUICK_USERSPACE_IMPLEMENTATION), as a Debian node's
   * wg-quick@wg0 service does: keys and peers, Address, MTU, routes for the allowed addresses, PostUp.
   */
  async up(name: string, conf: string): Promise<void> {
    const m = this.machine(name);
    if (m.up) throw new Error(`${name} is already up`);
    const file = this.confFile(m, conf);
    // the wireguard-go daemon keeps wg-quick's stderr, a pipe closed once wg-quick exits: it must never
    // log (a write there would end it with SIGPIPE)
    // a config with DNS = makes wg-quick hand the servers to `resolvconf -a <iface>`: a stand-in on PATH
    // records them (the host's own resolver configuration stays untouched)
    const bin = join(this.dir, "bin");
    if (!existsSync(bin)) {
      mkdirSync(bin);
      writeFileSync(join(bin, "resolvconf"), `#!/bin/sh\n[ "$1" = -a ] && cat > "${this.dir}/resolv-$2" || rm -f "${this.dir}/resolv-$2"\n`, { mode: 0o755 });
    }
    await m.ns.exec(["wg-quick", "up", file], { env: { WG_QUICK_USERSPACE_IMPLEMENTATION: "wireguard-go", LOG_LEVEL: "silent", PATH: `${bin}:${process.env.PATH}` } });
    m.up = true;
    m.conf = conf;
  }

  /** the resolver configuration wg-quick handed to resolvconf for a machine (from its DNS = line) */
  resolver(name: string): string | undefined {
    const f = join(this.dir, `resolv-${this.machine(name).iface}`);
    return existsSync(f) ? readFileSync(f, "utf8") : undefined;
  }

  /** the machine's wg-quick file (named after its interface, as wg-quick wants), 0600 */
  private confFile(m: Machine, conf: string): string {
    const file = join(this.dir, `${m.iface}.conf`);
    writeFileSync(file, conf, { mode: 0o600 });
    return file;
  }

  /**
   * Applies a changed config to a running interface with the very command Drover prints for nodes
   * (APPLY_WG0: `wg syncconf` of `wg-quick strip`, then the idempotent PostUp commands), pointed at
   * this machine's interface and a copy of the file instead of wg0 and /etc/wireguard/wg0.conf.
   */
  async apply(name: string, conf: string): Promise<void> {
    const m = this.machine(name);
    const file = this.confFile(m, conf);
    const cmd = APPLY_WG0.replaceAll("/etc/wireguard/wg0.conf", file).replace("wg-quick strip wg0", `wg-quick strip ${file}`).replace("wg syncconf wg0", `wg syncconf ${m.iface}`).replace("s/%i/wg0/g", `s/%i/${m.iface}/g`);
    await m.ns.exec(["bash", "-c", cmd]);
    m.conf = conf;
  }

  /** Stops a machine's WireGuard (the machine is gone). */
  async down(name: string): Promise<void> {
    const m = this.machine(name);
    if (m.up) await m.ns.exec(["wg-quick", "down", join(this.dir, `${m.iface}.conf`)]);
    m.up = false;
  }

  /** `wg show <iface> dump` of a machine. */
  async dump(name: string): Promise<string> {
    const m = this.machine(name);
    return (await m.ns.exec(["wg", "show", m.iface, "dump"])).stdout;
  }

  /** Pings until a reply arrives or the deadline passes; true when one did. */
  async ping(from: string, to: string, deadlineMs = 15_000): Promise<boolean> {
    if (parseIp(to) === undefined) throw new Error(`not an address: ${to}`);
    const m = this.machine(from);
    const until = Date.now() + deadlineMs;
    while (Date.now() < until) {
      try {
        await m.ns.exec(["ping", "-n", "-q", "-c", "1", "-W", "1", to]);
        return true;
      } catch {
        /* try again */
      }
    }
    return false;
  }

  /**
   * A continuous ping (every intervalMs) from one machine to an address; stop() returns the reply
   * times (ms since the epoch) so a test can measure the longest gap.
   */
  continuousPing(from: string, to: string, intervalMs = 20): { stop(): Promise<number[]> } {
    const m = this.machine(from);
    const p = m.ns.spawn(["ping", "-n", "-D", "-i", String(intervalMs / 1000), "-W", "1", to]);
    let out = "";
    p.stdout?.on("data", (d) => (out += d));
    return {
      stop: async () => {
        await this.set.stop(p);
        const times: number[] = [];
        for (const m2 of out.matchAll(/^\[(\d+\.\d+)\] \d+ bytes from/gm)) times.push(Math.round(Number(m2[1]) * 1000));
        return times;
      },
    };
  }

  async close(): Promise<void> {
    try {
      await this.set.close();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
      // wireguard-go killed with its namespace leaves its control socket behind
      for (const m of this.machines.values()) rmSync(`/var/run/wireguard/${m.iface}.sock`, { force: true });
    }
  }

  /** namespaces of this world that still exist (none after close) */
  async leftovers(): Promise<string[]> {
    return this.set.leftovers();
  }
}

/** the programs the world runs: fail with the install hint, never half-way */
function requireTools(): void {
  for (const t of ["wireguard-go", "wg", "wg-quick", "ip", "ping", "nft", "conntrack", "sysctl"] as const) debianTool(t);
  if (!existsSync("/dev/net/tun")) throw new Error("/dev/net/tun is missing: wireguard-go needs the TUN device");
}

function routerWan(lab: Lab, i: number): string {
  const h = lab.sites[i]!.endpointHost;
  return h && parseIp(h) !== undefined ? h : `100.64.${i}.2`;
}

/** The longest time between consecutive replies, in ms (0 with fewer than two). */
export function longestGap(times: readonly number[]): number {
  let g = 0;
  for (let i = 1; i < times.length; i++) g = Math.max(g, times[i]! - times[i - 1]!);
  return g;
}
