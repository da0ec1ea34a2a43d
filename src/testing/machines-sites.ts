// Boots the site-leaders lab (src/testing/machines-sites-lab.ts) for the Tier-1 test and the boot bench:
// two QEMU VMs from Drover's rendered k3s NoCloud seeds, unchanged, on two sites joined by an "internet"
// namespace, and a seat on that internet running the rendered seat config with wg-quick over wireguard-go
// (the host kernel has no WireGuard module; the VMs use Debian's kernel WireGuard):
//
//   home LAN 192.168.20.0/24 ── home router (WAN 198.51.100.2: masquerade out, UDP 51820 forwarded to srv1)
//   │ srv1 (leader, seat hub)     │
//   └ 192.168.20.200 (a private   inet (198.51.100.1; the stand-in DNS and k3s installer on 198.51.100.53;
//     service on the router)      │     no route to either LAN)
//                                 ├── cloud NAT box (WAN 100.64.1.2: masquerade out, nothing forwarded in)
//                                 │   └ cloud LAN 10.2.0.0/24: c1
//                                 └── seat "laptop" (192.0.2.10)
//
// The private service is an HTTP server on the home router answering with the address it was called
// from (so the test sees the hub's masquerade). close() ends every VM and process and removes the
// namespaces, the overlays and the seat's files.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderK3s } from "../render/k3s/index.js";
import { seatConf } from "../render/wireguard/index.js";
import type { LabSecrets } from "../secrets/types.js";
import { testSecrets } from "./apps-lab.js";
import { MachinesLan, type Vm } from "./machines.js";
import { startStandin, type BootedLab } from "./machines-boot.js";
import type { Netns } from "./netns.js";
import { debianTool } from "./paths.js";
import {
  SITES_CLOUD_GATEWAY, SITES_CLOUD_WAN, SITES_HOME_GATEWAY, SITES_HOME_WAN, SITES_INET, SITES_PRIVATE_SERVICE, SITES_SEAT, SITES_SEAT_ADDRESS, SITES_STANDIN,
  machinesSitesLab,
} from "./machines-sites-lab.js";

/** the seat's WireGuard interface in its namespace (wg-quick names it after the file) */
export const SEAT_IFACE = "wg-seat";
export const PRIVATE_SERVICE_PORT = 80;

/** The booted VMs as the machines lab's (lab, files, LAN, VMs, cloud-init's errors, installer requests), and the sites around them. */
export interface BootedSites extends BootedLab {
  readonly secrets: LabSecrets;
  readonly inet: Netns;
  readonly home: Netns;
  readonly cloud: Netns;
  readonly seat: Netns;
  /** the seat config as `drover seat show` prints it */
  readonly seatConf: string;
  /** Brings the seat's tunnel up with wg-quick (wireguard-go), as a laptop importing the config would. */
  seatUp(): Promise<void>;
}

export async function bootMachinesSites(o: { cloudInitTimeoutMs?: number } = {}): Promise<BootedSites> {
  for (const t of ["wireguard-go", "wg", "wg-quick", "nft"] as const) debianTool(t);
  const lab = machinesSitesLab();
  const secrets = testSecrets(lab);
  const files = renderK3s(lab, secrets);
  const lan = await MachinesLan.empty();
  const seatDir = join(lan.dir, "seat");
  const close = async () => {
    try {
      await lan.close();
    } finally {
      // wireguard-go killed with its namespace leaves its control socket behind
      rmSync(`/var/run/wireguard/${SEAT_IFACE}.sock`, { force: true });
    }
  };
  try {
    const nets = lan.namespaces;
    const home = await lan.addRouter("home", { gateway: SITES_HOME_GATEWAY, prefix: 24 });
    const cloud = await lan.addRouter("cloud", { gateway: SITES_CLOUD_GATEWAY, prefix: 24 });
    const inet = await nets.add("inet");
    const seat = await nets.add("seat");
    for (const ns of [inet, home, cloud]) await ns.sysctl("net.ipv4.ip_forward", 1);
    await inet.exec(["ip", "addr", "add", `${SITES_STANDIN}/32`, "dev", "lo"]);
    // the WAN links: the internet routes each router's public address only (never a LAN behind it)
    const wans: [Netns, string, string][] = [[home, "w-home", SITES_HOME_WAN], [cloud, "w-cloud", SITES_CLOUD_WAN]];
    for (const [r, ifname, wan] of wans) {
      await nets.link(inet, ifname, r, "wan");
      await inet.script(`ip addr add ${SITES_INET}/32 dev ${ifname}; ip route add ${wan}/32 dev ${ifname}`);
      await r.script(`ip addr add ${wan}/32 dev wan; ip route add ${SITES_INET}/32 dev wan; ip route add default via ${SITES_INET} dev wan`);
    }
    const srv1 = lab.node("srv1");
    await home.exec(["nft", "-f", "-"], {
      input: `table ip nat {
  chain prerouting { type nat hook prerouting priority dstnat; iifname "wan" udp dport ${lab.overlay.port} dnat to ${srv1.address}:${lab.overlay.port}; }
  chain postrouting { type nat hook postrouting priority srcnat; oifname "wan" ip saddr ${lab.site("home").lan} masquerade; }
}
`,
    });
    await cloud.exec(["nft", "-f", "-"], {
      input: `table ip nat {
  chain postrouting { type nat hook postrouting priority srcnat; oifname "wan" ip saddr ${lab.site("cloud").lan} masquerade; }
}
`,
    });
    await nets.link(inet, "s-seat", seat, "eth0");
    await inet.script(`ip addr add ${SITES_INET}/32 dev s-seat; ip route add ${SITES_SEAT_ADDRESS}/32 dev s-seat`);
    await seat.script(`ip addr add ${SITES_SEAT_ADDRESS}/32 dev eth0; ip route add ${SITES_INET}/32 dev eth0; ip route add default via ${SITES_INET} dev eth0`);
    // the private service: an address of the load-balancer pool on the home LAN, answered by the router
    await home.exec(["ip", "addr", "add", `${SITES_PRIVATE_SERVICE}/32`, "dev", "br0"]);
    const service = join(lan.dir, "private-service.mjs");
    writeFileSync(
      service,
      `import { createServer } from "node:http";
createServer((req, res) => res.end("private service; you are " + (req.socket.remoteAddress || "").replace(/^::ffff:/, "") + "\\n"))
  .listen(${PRIVATE_SERVICE_PORT}, ${JSON.stringify(SITES_PRIVATE_SERVICE)}, () => console.log("listening"));
`,
    );
    const svc = home.spawn([process.execPath, service]);
    await new Promise<void>((resolve, reject) => {
      svc.once("exit", (c) => reject(new Error(`the private service exited (${c})`)));
      svc.stdout!.on("data", (d: Buffer) => d.toString().includes("listening") && resolve());
    });
    const installerRequests = await startStandin(inet, lan.dir, { address: SITES_STANDIN });
    const vms = new Map<string, Vm>();
    for (const n of lab.nodes) {
      const seed = Object.fromEntries(["user-data", "meta-data", "network-config"].map((f) => [f, files.get(`${n.name}/${f}`)!.content]));
      vms.set(n.name, await lan.boot({ name: n.name, mac: n.mac!, seed }, n.site === "home" ? home : cloud));
    }
    const timeout = o.cloudInitTimeoutMs ?? 30 * 60_000;
    const results = await Promise.all([...vms.values()].map(async (vm) => [vm.name, (await vm.waitCloudInit(timeout)).errors] as const));
    const conf = seatConf(lab, secrets, SITES_SEAT);
    return {
      lab, secrets, files, lan, vms, cloudInit: new Map(results), installerRequests, inet, home, cloud, seat, seatConf: conf,
      async seatUp() {
        mkdirSync(seatDir, { recursive: true, mode: 0o700 });
        const file = join(seatDir, `${SEAT_IFACE}.conf`);
        writeFileSync(file, conf, { mode: 0o600 });
        // the wireguard-go daemon keeps wg-quick's stderr, a pipe closed once wg-quick exits: it must never log
        await seat.exec(["wg-quick", "up", file], { env: { WG_QUICK_USERSPACE_IMPLEMENTATION: "wireguard-go", LOG_LEVEL: "silent" } });
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
