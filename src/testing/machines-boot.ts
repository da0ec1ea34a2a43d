// Boots the machines lab (src/testing/machines-lab.ts) for the Tier-1 test and the boot bench: renders
// the lab's k3s NoCloud seeds with Drover, starts a stand-in for the k3s installer URL on the LAN's
// gateway (it serves a tiny installer that records the environment it runs with, and answers 404 to
// the nodes named in failInstallFor) and a DNS stand-in answering the installer's name (A records only;
// other names do not exist), boots every node as a VM at once and waits for cloud-init.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderK3s } from "../render/k3s/index.js";
import type { FileTree } from "../render/tree.js";
import type { Lab } from "../lab/types.js";
import { testSecrets } from "./apps-lab.js";
import { MachinesLan, type Vm } from "./machines.js";
import type { Netns } from "./netns.js";
import { BEYOND_GATEWAY, INSTALLER_HOST, INSTALLER_PORT, MACHINES_GATEWAY, MACHINES_PREFIX, machinesLab } from "./machines-lab.js";

/** Where the stand-in installer, run in a guest, records its environment. */
export const STANDIN_ENV = "/var/lib/drover-standin/installer.env";

export const STANDIN_INSTALLER = `#!/bin/sh
# k3s installer stand-in (drover machines test): records the environment it runs with
set -e
mkdir -p /var/lib/drover-standin
env > ${STANDIN_ENV}
echo "k3s installer stand-in: environment recorded"
`;

export interface InstallerRequest {
  readonly client: string;
  /** the HTTP path, or "dns <name> <type>" for a DNS question */
  readonly path: string;
  readonly status: number;
}

export interface BootedLab {
  readonly lab: Lab;
  readonly files: FileTree;
  readonly lan: MachinesLan;
  readonly vms: ReadonlyMap<string, Vm>;
  /** cloud-init's errors per node (empty: every stage succeeded) */
  readonly cloudInit: ReadonlyMap<string, readonly string[]>;
  readonly installerRequests: InstallerRequest[];
  close(): Promise<void>;
}

/**
 * Starts the stand-ins on `address` in a namespace: the k3s installer over HTTP (INSTALLER_PORT; 404 to
 * the clients in failFor) and a DNS server answering INSTALLER_HOST with `address`. Resolves once both
 * listen, with the list every request is added to; the process ends with the namespace set.
 */
export async function startStandin(ns: Netns, dir: string, o: { address: string; failFor?: readonly string[] }): Promise<InstallerRequest[]> {
  const server = join(dir, `installer-standin-${o.address}.mjs`);
  writeFileSync(
    server,
    `import { createServer } from "node:http";
import { createSocket } from "node:dgram";
const script = ${JSON.stringify(STANDIN_INSTALLER)};
// DNS: one A record; every other name does not exist, other types of that name have no answer
const records = { ${JSON.stringify(INSTALLER_HOST)}: ${JSON.stringify(o.address)} };
const dns = createSocket("udp4");
dns.on("message", (q, from) => {
  if (q.length < 17) return;
  let i = 12;
  const labels = [];
  while (i < q.length && q[i] !== 0) { labels.push(q.subarray(i + 1, i + 1 + q[i]).toString()); i += q[i] + 1; }
  const name = labels.join(".").toLowerCase();
  const type = q.readUInt16BE(i + 1);
  const question = q.subarray(12, i + 5);
  const addr = records[name];
  const answer = addr && type === 1 ? Buffer.concat([Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]), Buffer.from(addr.split(".").map(Number))]) : Buffer.alloc(0);
  const header = Buffer.alloc(12);
  q.copy(header, 0, 0, 2);
  header.writeUInt16BE(0x8180 | (q.readUInt16BE(2) & 0x0100) | (addr ? 0 : 3), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answer.length ? 1 : 0, 6);
  console.log(JSON.stringify({ client: from.address, path: "dns " + name + " " + type, status: addr ? 0 : 3 }));
  dns.send(Buffer.concat([header, question, answer]), from.port, from.address);
});
dns.bind(53, ${JSON.stringify(o.address)});
const failFor = new Set(${JSON.stringify(o.failFor ?? [])});
createServer((req, res) => {
  const client = (req.socket.remoteAddress || "").replace(/^::ffff:/, "");
  const status = req.url === "/k3s/install.sh" && !failFor.has(client) ? 200 : 404;
  console.log(JSON.stringify({ client, path: req.url, status }));
  res.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? script : "not found\\n");
}).listen(${INSTALLER_PORT}, ${JSON.stringify(o.address)}, () => console.log("listening"));
`,
  );
  const proc = ns.spawn([process.execPath, server]);
  const installerRequests: InstallerRequest[] = [];
  await new Promise<void>((resolve, reject) => {
    let buf = "";
    proc.once("exit", (c) => reject(new Error(`the installer stand-in exited (${c})`)));
    proc.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line === "listening") resolve();
        else if (line.startsWith("{")) installerRequests.push(JSON.parse(line) as InstallerRequest);
      }
    });
  });
  return installerRequests;
}

export async function bootMachinesLab(o: { failInstallFor?: readonly string[]; cloudInitTimeoutMs?: number } = {}): Promise<BootedLab> {
  const lab = machinesLab();
  const files = renderK3s(lab, testSecrets(lab));
  const lan = await MachinesLan.create({ gateway: MACHINES_GATEWAY, prefix: MACHINES_PREFIX, beyond: [BEYOND_GATEWAY] });
  try {
    const failFor = lab.nodes.filter((n) => o.failInstallFor?.includes(n.name)).map((n) => n.address);
    const installerRequests = await startStandin(lan.router, lan.dir, { address: MACHINES_GATEWAY, failFor });
    const vms = new Map<string, Vm>();
    for (const n of lab.nodes) {
      const seed = Object.fromEntries(["user-data", "meta-data", "network-config"].map((f) => [f, files.get(`${n.name}/${f}`)!.content]));
      vms.set(n.name, await lan.boot({ name: n.name, mac: n.mac!, seed }));
    }
    const timeout = o.cloudInitTimeoutMs ?? 30 * 60_000;
    const results = await Promise.all([...vms.values()].map(async (vm) => [vm.name, (await vm.waitCloudInit(timeout)).errors] as const));
    return { lab, files, lan, vms, cloudInit: new Map(results), installerRequests, close: () => lan.close() };
  } catch (e) {
    await lan.close();
    throw e;
  }
}
