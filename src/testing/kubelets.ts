// Real kubelets for tests (issue 15, Tier 2): each node is a real kubelet with a real containerd + runc +
// CNI bridge, joined to the test control plane (cluster.ts), all built at pinned versions by
// `scripts/tools/install.sh kubelets`.
//
// A node is a set of host processes, not a container: its own network namespace (the node's address on
// a veth link, a default route, its own CNI bridge for its pods), its own mount namespace (so its
// containers' and volumes' mounts vanish with it), its own cgroup subtree (kubelet's cgroupRoot; the
// kubelet and containerd beside it), and its own folders. systemd-nspawn was the first idea, but this
// host has a cgroup v1 hybrid without systemd as PID 1: a kubelet inside nspawn needs writable cgroup
// hierarchies the container does not get, while a host process gets them as they are. A node that needs
// its own systemd (KubeletNodeSpec.systemd, for graceful node shutdown) boots one in an nspawn container,
// and its kubelet and containerd join that container's PID namespace: the kubelet talks to the node's
// logind, and the node's power-off ends them.
//
// The node reaches the API server and the registry on its own loopback through a tiny forwarder
// (kubelets-forward.ts) into Unix sockets the test process answers; nothing is routed between
// namespaces and nothing listens outside loopback. Images come from a local registry (Debian's
// docker-registry) through containerd's mirror configuration, translated from the registries.yaml
// Drover renders for k3s nodes (the same endpoint and per-upstream prefix, see hostsToml).
//
// kill() is a power cut: the node's cgroups are frozen and every process in them (kubelet, containerd,
// shims, containers) is SIGKILLed at once; shutdown() is `systemctl poweroff` in a node with systemd;
// close() kills every node and removes everything.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { freePort, type TestCluster } from "./cluster.js";
import { NetnsSet, type Netns } from "./netns.js";
import { kubeletsTools, type KubeletsTools } from "./kubelets-tools.js";
import { buildImage, parseImageRef, pushImage } from "./kubelets-images.js";

export const PAUSE_IMAGE = "registry.k8s.io/pause:3.10.1";

export interface KubeletNodeSpec {
  readonly name: string;
  /** the node's address (kubelet --node-ip), on a veth link in its namespace (this kernel has no dummy links) */
  readonly address: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly { key: string; value?: string; effect: string }[];
  /** kubelet configuration drop-ins (--config-dir), file name → content, e.g. Drover's kubelet.conf.d */
  readonly dropIns?: Readonly<Record<string, string>>;
  /**
   * the node's allocatable, as the lab's host declares it (every node runs on this one machine, whose
   * capacity the kubelet reports): the rest of the machine's CPU and memory is reserved (kubeReserved),
   * so the scheduler sees the lab's nodes and not eight copies of this machine
   */
  readonly allocatable?: { readonly cpuMillis: number; readonly memoryBytes: number };
  /**
   * the node boots systemd: a systemd-nspawn container of this machine's Debian (`/usr` read-only, the
   * rest empty and volatile) with systemd as PID 1, D-Bus and a real systemd-logind, in the node's network
   * namespace. The node's containerd and kubelet run in the container's PID namespace and use its system
   * bus (KubeletNode.bus), where the kubelet takes its graceful-shutdown delay inhibitor lock; shutdown()
   * powers the machine off the way `systemctl poweroff` does on a real node, and when the container's
   * PID 1 exits, every process of the node goes with it.
   */
  readonly systemd?: boolean;
}

/** One logind inhibitor lock: what it inhibits, who holds it, why, and its mode (block or delay). */
export interface Inhibitor { readonly what: string; readonly who: string; readonly why: string; readonly mode: string }

/** The inhibitor locks held with the logind on a node's system bus (KubeletNode.bus); none when it does not answer. */
export function loginInhibitors(bus: string): Inhibitor[] {
  const r = spawnSync("busctl", [`--address=${bus}`, "--json=short", "call", "org.freedesktop.login1", "/org/freedesktop/login1", "org.freedesktop.login1.Manager", "ListInhibitors"], { encoding: "utf8" });
  if (r.status !== 0) return [];
  return (JSON.parse(r.stdout) as { data: [string, string, string, string, number, number][][] }).data[0]!.map(([what, who, why, mode]) => ({ what, who, why, mode }));
}

/** What the kubelet reports as this machine's capacity: its CPUs, and MemTotal in bytes (cAdvisor's machine info). */
export function machineCapacity(): { cpuMillis: number; memoryBytes: number } {
  const kib = Number(/^MemTotal:\s+(\d+) kB$/m.exec(readFileSync("/proc/meminfo", "utf8"))?.[1]);
  return { cpuMillis: cpus().length * 1000, memoryBytes: kib * 1024 };
}

export interface KubeletNode {
  readonly name: string;
  readonly dir: string;
  readonly ns: Netns;
  /** when the node's processes were started (ms since the epoch) */
  readonly startedAt: number;
  /** true after kill() */
  readonly killed: boolean;
  /** a power cut: every process of the node SIGKILLed at once (cgroups frozen first) */
  kill(): Promise<void>;
  /**
   * with systemd: a planned shutdown, `systemctl poweroff` run in the node. logind signals
   * PrepareForShutdown and waits for the delay inhibitors (the kubelet's graceful node shutdown), then
   * systemd powers the node off. Resolves when it is off (its PID 1 gone), with the seconds it took.
   */
  shutdown(timeoutMs?: number): Promise<number>;
  /** the last lines of the node's kubelet and containerd logs */
  logTail(lines?: number): string;
  /** with systemd: the node's D-Bus system bus address (unix:path=...) */
  readonly bus?: string;
}

export interface Kubelets {
  readonly nodes: Map<string, KubeletNode>;
  /** the registry's address on the root namespace's loopback */
  readonly registry: string;
  /** starts one node; resolves when its processes run (not when the Node is Ready) */
  addNode(spec: KubeletNodeSpec): Promise<KubeletNode>;
  /** builds an image of `binary` and pushes it under the mirror path of `ref` (an upstream name) */
  pushImage(ref: string, binary: string, entrypoint: string, env?: readonly string[], aliases?: readonly string[]): Promise<void>;
  readonly tools: KubeletsTools;
  close(): Promise<void>;
}

/** One upstream registry as Drover's k3s registries.yaml mirrors it: endpoint plus the path prefix. */
export interface Mirror {
  readonly upstream: string;
  /** e.g. http://127.0.0.1:30500 */
  readonly endpoint: string;
  /** the prefix its rewrite puts before the repository (k3s `rewrite: {"^(.*)$": "docker.io/$1"}`) */
  readonly prefix: string;
}

/** The mirrors of a rendered k3s registries.yaml (Drover's network.registryMirror). */
export function mirrorsFromRegistriesYaml(text: string): Mirror[] {
  const doc = parse(text) as { mirrors?: Record<string, { endpoint?: string[]; rewrite?: Record<string, string> }> };
  const out: Mirror[] = [];
  for (const [upstream, m] of Object.entries(doc.mirrors ?? {})) {
    const endpoint = m.endpoint?.[0];
    if (!endpoint) throw new Error(`registries.yaml: ${upstream} has no endpoint`);
    const rewrites = Object.entries(m.rewrite ?? {});
    let prefix = "";
    if (rewrites.length) {
      if (rewrites.length !== 1 || rewrites[0]![0] !== "^(.*)$" || !rewrites[0]![1].endsWith("/$1")) throw new Error(`registries.yaml: ${upstream}: only the rewrite ^(.*)$ → <prefix>/$1 is understood here`);
      prefix = rewrites[0]![1].slice(0, -"/$1".length);
    }
    out.push({ upstream, endpoint, prefix });
  }
  return out;
}

/**
 * containerd's hosts.toml for one mirror: upstream containerd has no rewrite, but a host whose URL
 * carries the API path (override_path) asks http://<endpoint>/v2/<prefix>/<repository>/..., which is
 * what k3s's rewrite makes of the same registries.yaml.
 */
export function hostsToml(m: Mirror, upstreamServer: string): string {
  const url = m.prefix ? `${m.endpoint}/v2/${m.prefix}` : m.endpoint;
  return [
    `server = ${JSON.stringify(upstreamServer)}`,
    "",
    `[host.${JSON.stringify(url)}]`,
    `  capabilities = ["pull", "resolve"]`,
    ...(m.prefix ? ["  override_path = true"] : []),
    "",
  ].join("\n");
}

const UPSTREAM_SERVERS: Record<string, string> = { "docker.io": "https://registry-1.docker.io" };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** cgroup v1 hierarchies mounted on this host (mount point per hierarchy) */
function cgroupMounts(): string[] {
  const out: string[] = [];
  for (const line of readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
    const parts = line.split(" - ");
    if (parts.length < 2) continue;
    if (parts[1]!.split(" ")[0] === "cgroup") out.push(parts[0]!.split(" ")[4]!);
  }
  return out;
}

function pidsIn(dir: string): number[] {
  const out: number[] = [];
  const walk = (d: string) => {
    try {
      for (const p of readFileSync(join(d, "cgroup.procs"), "utf8").split("\n")) if (p) out.push(Number(p));
      for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(join(d, e.name));
    } catch { /* gone */ }
  };
  walk(dir);
  return out;
}

/**
 * The container's PID 1 among systemd-nspawn's children: the one in a PID namespace of its own (nspawn
 * first forks an outer child in its own PID namespace, which starts PID 1 and exits; taking that one
 * would leave the node's processes entering a process that is gone). 0 until it is there.
 */
function containerInit(nspawnPid: number): number {
  try {
    const own = readlinkSync(`/proc/${nspawnPid}/ns/pid`);
    for (const c of readFileSync(`/proc/${nspawnPid}/task/${nspawnPid}/children`, "utf8").trim().split(/\s+/).filter(Boolean)) {
      try { if (readlinkSync(`/proc/${c}/ns/pid`) !== own) return Number(c); } catch { /* gone */ }
    }
  } catch { /* not yet */ }
  return 0;
}

/** a node's systemd-nspawn machine name */
const machineName = (node: string) => `drover-${process.pid}-${node}`;

/**
 * Why a node with systemd is not off: its logind's locks and state, systemd's jobs and journal, every
 * process left in its PID namespace (zombies too, with their parents: a parent outside the node that
 * never reaps one keeps the namespace from emptying) and where its PID 1 waits in the kernel.
 */
function shutdownDiagnostics(bus: string, pid1: number, env: NodeJS.ProcessEnv): string {
  const run = (cmd: string[]) => { const x = spawnSync(cmd[0]!, cmd.slice(1), { encoding: "utf8", env }); return `$ ${cmd.join(" ")}\n${x.stdout}${x.stderr}`; };
  const login1 = ["org.freedesktop.login1", "/org/freedesktop/login1", "org.freedesktop.login1.Manager"];
  const read = (path: string) => { try { return readFileSync(path, "utf8"); } catch (e) { return (e as Error).message; } };
  let pidns = "";
  try { pidns = readlinkSync(`/proc/${pid1}/ns/pid`); } catch { /* PID 1 is gone */ }
  const left = !pidns ? `PID 1 (${pid1}) is gone` : readdirSync("/proc").filter((d) => /^\d+$/.test(d)).filter((d) => { try { return readlinkSync(`/proc/${d}/ns/pid`) === pidns; } catch { return false; } })
    .map((d) => { const m = /\((.*)\) (\S) (\d+)/.exec(read(`/proc/${d}/stat`)); return m ? `${d} ${m[1]} ${m[2]} ppid ${m[3]}` : `${d} gone`; }).join("; ");
  return [
    run(["busctl", `--address=${bus}`, "call", ...login1, "ListInhibitors"]),
    run(["busctl", `--address=${bus}`, "get-property", ...login1, "PreparingForShutdown"]),
    run(["nsenter", `--target=${pid1}`, "--all", "systemctl", "list-jobs"]),
    run(["nsenter", `--target=${pid1}`, "--all", "journalctl", "-b", "--no-pager", "-n", "60"]),
    `in the node's PID namespace: ${left}`,
    `PID 1's kernel stack:\n${read(`/proc/${pid1}/stack`)}`,
  ].join("\n");
}

function rmCgroupTree(dir: string): void {
  try {
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) rmCgroupTree(join(dir, e.name));
    rmdirSync(dir);
  } catch { /* gone or busy */ }
}

/** Starts the shared parts (registry, sockets, cgroup root); nodes are added with addNode. */
export async function startKubelets(cluster: TestCluster, o: { mirrors: readonly Mirror[] }): Promise<Kubelets> {
  const tools = kubeletsTools();
  const dir = mkdtempSync(join(tmpdir(), "drover-kubelets-"));
  const set = new NetnsSet();
  await NetnsSet.removeStale();
  const procs: ChildProcess[] = [];
  const servers: Server[] = [];
  const cgRoot = `drover-kubelets-${process.pid}`;
  const hierarchies = cgroupMounts();
  const freezer = hierarchies.find((h) => h.endsWith("/freezer"));
  if (!freezer) throw new Error("kubelets: no cgroup v1 freezer hierarchy on this host");
  const nodes = new Map<string, KubeletNode>();
  let closed = false;
  // containerd's shims put their sockets in a fixed host folder (/run/containerd/s); the ones that
  // appear while the nodes run are theirs, removed on close
  const SHIM_SOCKETS = "/run/containerd/s";
  const listShimSockets = () => { try { return readdirSync(SHIM_SOCKETS); } catch { return []; } };
  const shimSocketsBefore = new Set(listShimSockets());
  const hadRunContainerd = existsSync("/run/containerd");

  const killCgroups = async (paths: readonly string[]) => {
    const fz = paths.map((p) => join(freezer, cgRoot, p));
    for (const f of fz) try { writeFileSync(join(f, "freezer.state"), "FROZEN"); } catch { /* none */ }
    for (let i = 0; i < 100; i++) {
      const pids = fz.flatMap(pidsIn);
      if (!pids.length) break;
      for (const pid of pids) try { process.kill(pid, "SIGKILL"); } catch { /* gone */ }
      for (const f of fz) try { writeFileSync(join(f, "freezer.state"), "THAWED"); } catch { /* none */ }
      await sleep(100);
    }
  };
  const killAllSync = () => {
    // the exit path: no waiting; every process under the root, then the tree
    const fz = join(freezer, cgRoot);
    for (let i = 0; i < 20; i++) {
      const pids = pidsIn(fz);
      if (!pids.length) break;
      for (const pid of pids) try { process.kill(pid, "SIGKILL"); } catch { /* gone */ }
      spawnSync("sleep", ["0.05"]);
    }
    for (const h of hierarchies) rmCgroupTree(join(h, cgRoot));
  };
  const onExit = () => killAllSync();
  process.on("exit", onExit);

  const close = async () => {
    if (closed) return;
    closed = true;
    const problems: string[] = [];
    const step = async (what: string, f: () => unknown) => {
      try { await f(); } catch (e) { problems.push(`${what}: ${(e as Error).message}`); }
    };
    await step("killing the nodes", () => killCgroups(readdirSync(join(freezer, cgRoot)).filter((n) => existsSync(join(freezer, cgRoot, n, "cgroup.procs")))));
    for (const p of procs) try { if (p.pid) process.kill(-p.pid, "SIGKILL"); } catch { /* gone */ }
    for (const s of servers) s.close();
    await step("removing the namespaces", () => set.close());
    await step("removing the cgroups", async () => {
      for (let i = 0; i < 20; i++) {
        for (const h of hierarchies) rmCgroupTree(join(h, cgRoot));
        if (!hierarchies.some((h) => existsSync(join(h, cgRoot)))) return;
        await sleep(200);
      }
      throw new Error(`${cgRoot} is still there`);
    });
    process.off("exit", onExit);
    await step("removing the shim sockets", () => {
      for (const f of listShimSockets()) if (!shimSocketsBefore.has(f)) rmSync(join(SHIM_SOCKETS, f), { force: true });
      if (!hadRunContainerd) rmSync("/run/containerd", { recursive: true, force: true });
    });
    // systemd-nspawn leaves each machine's propagation folder behind (it will not remove a folder on the
    // root file system)
    await step("removing the machines' propagation folders", () => {
      for (const n of nodes.keys()) rmSync(`/run/systemd/nspawn/propagate/${machineName(n)}`, { recursive: true, force: true });
    });
    // the node folders hold nothing mounted any more (their mount namespaces died with their processes)
    await step("removing the node folders", () => rmSync(dir, { recursive: true, force: true }));
    if (problems.length) throw new Error(`kubelets: cleaning up: ${problems.join("; ")}`);
  };

  try {
    for (const h of hierarchies) {
      mkdirSync(join(h, cgRoot));
      if (h.endsWith("/cpuset")) for (const f of ["cpuset.cpus", "cpuset.mems"]) writeFileSync(join(h, cgRoot, f), readFileSync(join(h, f)));
    }
    // the registry, on the root namespace's loopback
    const regPort = await freePort();
    const regDir = join(dir, "registry");
    mkdirSync(regDir);
    writeFileSync(join(regDir, "config.yml"), `version: 0.1\nlog: { level: warn, accesslog: { disabled: true } }\nstorage: { filesystem: { rootdirectory: ${join(regDir, "data")} } }\nhttp: { addr: "127.0.0.1:${regPort}", secret: drover-test }\n`);
    const reg = spawn(tools.registry, ["serve", join(regDir, "config.yml")], { stdio: ["ignore", openSync(join(regDir, "log"), "a"), openSync(join(regDir, "log"), "a")], detached: true });
    procs.push(reg);
    const registry = `http://127.0.0.1:${regPort}`;
    for (let i = 0; ; i++) {
      const ok = await fetch(`${registry}/v2/`).then((r) => r.status === 200, () => false);
      if (ok) break;
      if (i > 100) throw new Error(`registry did not start: ${readFileSync(join(regDir, "log"), "utf8").slice(-2000)}`);
      await sleep(100);
    }
    // Unix sockets the nodes' forwarders reach: the API server and the registry
    const bridge = (sock: string, port: number) => {
      const s = createServer((c) => {
        const t = connect(port, "127.0.0.1");
        c.pipe(t).pipe(c);
        c.on("error", () => t.destroy());
        t.on("error", () => c.destroy());
      });
      servers.push(s);
      return new Promise<void>((r) => s.listen(sock, () => r()));
    };
    const apiPort = Number(new URL(cluster.server).port);
    await bridge(join(dir, "api.sock"), apiPort);
    await bridge(join(dir, "registry.sock"), regPort);
    const mirrorPorts = new Set(o.mirrors.map((m) => new URL(m.endpoint).port || "80"));
    if (mirrorPorts.size > 1) throw new Error("kubelets: the mirrors use more than one endpoint");
    const mirrorPort = [...mirrorPorts][0] ?? "30500";
    for (const m of o.mirrors) if (!["127.0.0.1", "localhost"].includes(new URL(m.endpoint).hostname)) throw new Error(`kubelets: mirror endpoint ${m.endpoint} is not on the node's loopback`);

    const pushImageRef = async (ref: string, binary: string, entrypoint: string, env?: readonly string[], aliases?: readonly string[]) => {
      const { host, repository, tag } = parseImageRef(ref);
      const m = o.mirrors.find((x) => x.upstream === host);
      if (!m) throw new Error(`image ${ref}: ${host} is not mirrored by the lab`);
      await pushImage(registry, m.prefix ? `${m.prefix}/${repository}` : repository, tag, buildImage({ binary, entrypoint, env, aliases }));
    };
    await pushImageRef(PAUSE_IMAGE, tools.pause, "/pause");

    const forwardJs = join(dirname(fileURLToPath(import.meta.url)), "kubelets-forward.js");
    let index = 0;
    const addNode = async (spec: KubeletNodeSpec): Promise<KubeletNode> => {
      const i = ++index;
      const nd = join(dir, spec.name);
      for (const d of ["containerd/root", "containerd/state", "net.d", "certs.d", "kubelet", "pod-logs", "conf.d", "cni-ipam"]) mkdirSync(join(nd, d), { recursive: true });
      const ns = await set.add(spec.name);
      await ns.script(`ip link add node0 type veth peer name node0-peer; ip link set node0-peer up; ip addr add ${spec.address}/24 dev node0; ip link set node0 up; ip route add default dev node0; sysctl -q -w net.ipv4.ip_forward=1`);
      const fwd = ns.spawn([process.execPath, forwardJs, `6443=${join(dir, "api.sock")}`, `${mirrorPort}=${join(dir, "registry.sock")}`]);
      await new Promise<void>((resolve, reject) => {
        let seen = 0;
        fwd.stdout!.on("data", (d: Buffer) => { seen += (d.toString().match(/listening/g) ?? []).length; if (seen >= 2) resolve(); });
        fwd.once("exit", (c) => reject(new Error(`forwarder exited ${c}`)));
      });
      writeFileSync(join(nd, "net.d", "10-bridge.conflist"), JSON.stringify({
        cniVersion: "1.0.0", name: "drover-kubelets",
        plugins: [{ type: "bridge", bridge: "cni0", isGateway: true, ipMasq: false, hairpinMode: true, ipam: { type: "host-local", ranges: [[{ subnet: `10.244.${i}.0/24` }]], routes: [{ dst: "0.0.0.0/0" }], dataDir: join(nd, "cni-ipam") } }],
      }, null, 2));
      for (const m of o.mirrors) {
        mkdirSync(join(nd, "certs.d", m.upstream), { recursive: true });
        writeFileSync(join(nd, "certs.d", m.upstream, "hosts.toml"), hostsToml(m, UPSTREAM_SERVERS[m.upstream] ?? `https://${m.upstream}`));
      }
      const sock = join(nd, "containerd.sock");
      writeFileSync(join(nd, "containerd.toml"), containerdConfig(nd, sock, tools));
      writeFileSync(join(nd, "kubeconfig"), [
        "apiVersion: v1", "kind: Config", "current-context: node",
        "clusters:", "- name: test", "  cluster:", "    server: https://127.0.0.1:6443", "    insecure-skip-tls-verify: true",
        "users:", `- name: ${spec.name}`, "  user:", `    token: ${cluster.token}`,
        "contexts:", "- name: node", "  context:", "    cluster: test", `    user: ${spec.name}`, "",
      ].join("\n"));
      writeFileSync(join(nd, "resolv.conf"), "nameserver 127.0.0.1\n");
      writeFileSync(join(nd, "kubelet.yaml"), JSON.stringify(kubeletConfig(nd, sock, `/${cgRoot}/${spec.name}`, spec), null, 2));
      for (const [f, text] of Object.entries(spec.dropIns ?? {})) writeFileSync(join(nd, "conf.d", f), text);
      for (const h of hierarchies) {
        for (const sub of [spec.name, `${spec.name}-system`]) {
          mkdirSync(join(h, cgRoot, sub));
          if (h.endsWith("/cpuset")) for (const f of ["cpuset.cpus", "cpuset.mems"]) writeFileSync(join(h, cgRoot, sub, f), readFileSync(join(h, cgRoot, f)));
        }
      }
      const labels = Object.entries(spec.labels).map(([k, v]) => `${k}=${v}`).join(",");
      const kubeletArgs = [
        "--config", join(nd, "kubelet.yaml"), "--config-dir", join(nd, "conf.d"), "--kubeconfig", join(nd, "kubeconfig"),
        "--root-dir", join(nd, "kubelet"), "--hostname-override", spec.name, "--node-ip", spec.address,
        ...(labels ? ["--node-labels", labels] : []), "--v", "1",
      ];
      const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
      const startedAt = Date.now();
      // the node's systemd (spec.systemd): a container of this machine's Debian booted with systemd as PID
      // 1 (nspawn's --volatile=yes: /usr read-only, everything else an empty tmpfs; only basic.target, so
      // D-Bus and logind and nothing else), in the node's network namespace and its system cgroup. Its
      // /run/dbus is the node's folder, so the kubelet reaches the system bus there; logind reads its
      // settings from a folder of the test's (inhibitor delays up to 10 minutes, so the kubelet never
      // rewrites logind's configuration; no VTs, no buttons)
      const busSock = join(nd, "dbus", "system_bus_socket");
      let machine: { pid1: number; exited: Promise<void> } | undefined;
      if (spec.systemd) {
        mkdirSync(join(nd, "dbus"));
        mkdirSync(join(nd, "logind.conf.d"));
        writeFileSync(join(nd, "logind.conf.d", "50-drover-test.conf"), "[Login]\nNAutoVTs=0\nReserveVT=0\nInhibitDelayMaxSec=600\nHandlePowerKey=ignore\nHandleSuspendKey=ignore\nHandleHibernateKey=ignore\nHandleLidSwitch=ignore\nHandleRebootKey=ignore\n");
        const nspawn = [
          tools.nspawn, "--directory=/", "--volatile=yes", "--boot", "--register=no", "--keep-unit", `--machine=${machineName(spec.name)}`,
          "--link-journal=no", `--network-namespace-path=/run/netns/${ns.name}`, "--console=passive",
          `--bind=${join(nd, "dbus")}:/run/dbus`, `--bind-ro=${join(nd, "logind.conf.d")}:/etc/systemd/logind.conf.d`,
          "systemd.firstboot=off", "systemd.unit=basic.target",
        ];
        const log = openSync(join(nd, "machine.log"), "a");
        const mp = spawn("sh", ["-c", [...hierarchies.map((h) => `echo $$ > ${q(join(h, cgRoot, `${spec.name}-system`, "cgroup.procs"))}`), `exec ${nspawn.map(q).join(" ")}`].join("; ")], { stdio: ["ignore", log, log], detached: true });
        procs.push(mp);
        const exited = new Promise<void>((r) => mp.once("exit", () => r()));
        let pid1 = 0;
        for (let i = 0; ; i++) {
          if (mp.exitCode !== null) throw new Error(`${spec.name}: systemd-nspawn exited ${mp.exitCode}: ${readFileSync(join(nd, "machine.log"), "utf8").slice(-2000)}`);
          if (!pid1) pid1 = containerInit(mp.pid!);
          const up = pid1 && spawnSync("busctl", [`--address=unix:path=${busSock}`, "get-property", "org.freedesktop.login1", "/org/freedesktop/login1", "org.freedesktop.login1.Manager", "InhibitDelayMaxUSec"], { encoding: "utf8" }).stdout?.trim() === "t 600000000";
          if (up) break;
          if (i > 600) throw new Error(`${spec.name}: the node's systemd-logind did not answer within 60 s: ${readFileSync(join(nd, "machine.log"), "utf8").slice(-2000)}`);
          await sleep(100);
        }
        machine = { pid1, exited };
      }
      // one shell per node, in the node's network namespace and a mount namespace of its own (with
      // systemd: in the PID namespace of the node's systemd too, with a /proc of that namespace): it joins
      // the node's system cgroup, starts containerd, waits for its socket and becomes the kubelet
      writeFileSync(join(nd, "run.sh"), [
        "set -e",
        ...hierarchies.map((h) => `echo $$ > ${q(join(h, cgRoot, `${spec.name}-system`, "cgroup.procs"))}`),
        `export PATH=${q(`${tools.containerdBin}:${dirname(tools.runc)}:/usr/sbin:/usr/bin:/sbin:/bin`)}`,
        ...(machine ? [
          "mount -t proc proc /proc",
          // the kubelet writes logind drop-ins under /etc/systemd when logind's delay is too short: never the host's
          "mount -t tmpfs -o mode=0755 tmpfs /etc/systemd",
          `export DBUS_SYSTEM_BUS_ADDRESS=${q(`unix:path=${busSock}`)}`,
        ] : []),
        `${q(tools.containerd)} --config ${q(join(nd, "containerd.toml"))} >> ${q(join(nd, "containerd.log"))} 2>&1 &`,
        `for i in $(seq 1 300); do [ -S ${q(sock)} ] && break; sleep 0.1; done`,
        `exec ${q(tools.kubelet)} ${kubeletArgs.map(q).join(" ")} >> ${q(join(nd, "kubelet.log"))} 2>&1`,
        "",
      ].join("\n"));
      // with systemd, the shell is left to the node's PID 1 (started in the background, its parent gone), as
      // a machine's services are: a parent outside the node would stop itself when systemd's shutdown stops
      // every process of the node (nsenter follows its child's SIGSTOP) and never reap the kubelet, and the
      // node could not finish powering off
      const runSh = machine ? ["sh", "-c", `sh ${q(join(nd, "run.sh"))} </dev/null >>${q(join(nd, "run.log"))} 2>&1 &`] : ["sh", join(nd, "run.sh")];
      const p = spawn("nsenter", [`--net=/run/netns/${ns.name}`, ...(machine ? [`--target=${machine.pid1}`, "--pid"] : []), "--", "unshare", "--mount", "--propagation", "slave", "--", ...runSh], { stdio: "ignore", detached: true });
      procs.push(p);
      let killed = false;
      const node: KubeletNode = {
        name: spec.name, dir: nd, ns, startedAt,
        ...(machine ? { bus: `unix:path=${busSock}` } : {}),
        get killed() { return killed; },
        kill: async () => {
          killed = true;
          await killCgroups([spec.name, `${spec.name}-system`]);
        },
        shutdown: async (timeoutMs = 120_000) => {
          if (!machine) throw new Error(`${spec.name}: boots no systemd; a planned shutdown needs it (KubeletNodeSpec.systemd)`);
          const t0 = Date.now();
          // systemctl in the node, on the node's bus (never an address inherited from the test's environment)
          const env = { ...process.env };
          delete env.DBUS_SYSTEM_BUS_ADDRESS;
          const r = spawnSync("nsenter", [`--target=${machine.pid1}`, "--all", "systemctl", "poweroff"], { encoding: "utf8", env });
          if (r.status !== 0) throw new Error(`${spec.name}: systemctl poweroff: ${r.stderr || r.stdout}`);
          const off = await Promise.race([machine.exited.then(() => true), sleep(timeoutMs).then(() => false)]);
          if (!off) {
            throw new Error(`${spec.name}: still running ${timeoutMs / 1000} s after systemctl poweroff\n${shutdownDiagnostics(`unix:path=${busSock}`, machine.pid1, env)}\n${node.logTail(20)}`);
          }
          killed = true;
          // every process of the node ended with its PID 1; a leftover would be a bug of the test's, not a machine that is off
          const left = pidsIn(join(freezer, cgRoot, spec.name)).length + pidsIn(join(freezer, cgRoot, `${spec.name}-system`)).length;
          await killCgroups([spec.name, `${spec.name}-system`]);
          if (left) throw new Error(`${spec.name}: ${left} process(es) outlived the node's power-off`);
          return (Date.now() - t0) / 1000;
        },
        logTail: (n = 30) => ["kubelet.log", "containerd.log", ...(machine ? ["machine.log", "run.log"] : [])].map((f) => {
          const path = join(nd, f);
          return `--- ${spec.name} ${f}\n${existsSync(path) ? readFileSync(path, "utf8").split("\n").slice(-n).join("\n") : "(none)"}`;
        }).join("\n"),
      };
      nodes.set(spec.name, node);
      return node;
    };

    return { nodes, registry, addNode, pushImage: pushImageRef, tools, close };
  } catch (e) {
    await close();
    throw e;
  }
}

function containerdConfig(nd: string, sock: string, tools: KubeletsTools): string {
  const s = (v: string) => JSON.stringify(v);
  return `# containerd for one test node (kubelets.ts)
version = 3
root = ${s(join(nd, "containerd/root"))}
state = ${s(join(nd, "containerd/state"))}
# NRI listens on a fixed host path; no other node runtime may share it
disabled_plugins = ["io.containerd.nri.v1.nri", "io.containerd.internal.v1.opt"]

[grpc]
  address = ${s(sock)}

[ttrpc]
  address = ${s(`${sock}.ttrpc`)}

[plugins.'io.containerd.cri.v1.images']
  snapshotter = "overlayfs"
  [plugins.'io.containerd.cri.v1.images'.pinned_images]
    sandbox = ${s(PAUSE_IMAGE)}
  [plugins.'io.containerd.cri.v1.images'.registry]
    config_path = ${s(join(nd, "certs.d"))}

[plugins.'io.containerd.cri.v1.runtime']
  # the pods' network namespaces are pinned in this node's state folder, not in the host's /run/netns
  netns_mounts_under_state_dir = true
  # this machine withholds CAP_SYS_RESOURCE: no process may lower its oom_score_adj below its parent's,
  # so the runtime clamps the kubelet's values (-998 for sandboxes) to its own, as rootless setups do
  restrict_oom_score_adj = true
  [plugins.'io.containerd.cri.v1.runtime'.containerd]
    default_runtime_name = "runc"
    [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
        BinaryName = ${s(tools.runc)}
        # runc's state per node (its default, /run/containerd/runc, would be shared by every node)
        Root = ${s(join(nd, "containerd/runc"))}
        SystemdCgroup = false
  [plugins.'io.containerd.cri.v1.runtime'.cni]
    bin_dirs = [${s(tools.cniBin)}]
    conf_dir = ${s(join(nd, "net.d"))}

# pulls that go through the transfer service read the same mirror configuration
[plugins.'io.containerd.transfer.v1.local']
  config_path = ${s(join(nd, "certs.d"))}
`;
}

/** allocatable = capacity − kubeReserved − evictionHard's memory.available (100Mi, as k3s's own default, which the lab's model reserves) */
function kubeReserved(want: { cpuMillis: number; memoryBytes: number }): { cpu: string; memory: string } {
  const cap = machineCapacity();
  const cpu = cap.cpuMillis - want.cpuMillis;
  const memory = cap.memoryBytes - want.memoryBytes - EVICTION_MEMORY;
  if (cpu < 0 || memory < 0) throw new Error(`kubelets: a node of ${want.cpuMillis}m CPU and ${want.memoryBytes} bytes of memory does not fit this machine (${cap.cpuMillis}m, ${cap.memoryBytes} bytes)`);
  return { cpu: `${cpu}m`, memory: String(memory) };
}

const EVICTION_MEMORY = 100 * 1024 * 1024;

function kubeletConfig(nd: string, sock: string, cgroupRoot: string, spec: KubeletNodeSpec): Record<string, unknown> {
  return {
    apiVersion: "kubelet.config.k8s.io/v1beta1",
    kind: "KubeletConfiguration",
    // this host is a cgroup v1 hybrid; Kubernetes 1.35's kubelet refuses it unless told
    failCgroupV1: false,
    cgroupDriver: "cgroupfs",
    cgroupRoot,
    containerRuntimeEndpoint: `unix://${sock}`,
    readOnlyPort: 0,
    healthzBindAddress: "127.0.0.1",
    // the kubelet's API listens only inside the node's namespace; the tests read /configz there
    authentication: { anonymous: { enabled: true }, webhook: { enabled: false } },
    authorization: { mode: "AlwaysAllow" },
    failSwapOn: false,
    resolvConf: join(nd, "resolv.conf"),
    podLogsDir: join(nd, "pod-logs"),
    registerWithTaints: spec.taints.map((t) => ({ key: t.key, ...(t.value !== undefined ? { value: t.value } : {}), effect: t.effect })),
    ...(spec.allocatable ? { kubeReserved: kubeReserved(spec.allocatable) } : {}),
    // every node shares this machine's disk: no node may start evicting or collecting images because of it
    evictionHard: { "memory.available": `${EVICTION_MEMORY}`, "nodefs.available": "1%", "imagefs.available": "1%", "nodefs.inodesFree": "1%", "imagefs.inodesFree": "1%" },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    serializeImagePulls: false,
  };
}

