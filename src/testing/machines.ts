// Real machines for tests (issue 15, Tier 1): Debian VMs under QEMU (TCG: this machine has no usable
// hardware virtualisation) booted from the image `scripts/tools/install.sh machines` builds, each with a
// copy-on-write overlay of it and a NoCloud seed made by cloud-localds from files Drover rendered,
// unchanged. The VMs' NICs are tap devices on a bridge inside a network namespace the test creates
// (the "LAN"; its gateway address is on the bridge), so nothing leaves this machine.
//
// The test talks to a guest through the QEMU guest agent on a virtio serial port (guest-exec), a channel
// that does not depend on the network under test; the serial console goes to a log whose tail every
// timeout error carries. close() ends every QEMU process and removes the namespace and the overlays.
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { NetnsSet, sh, type Netns } from "./netns.js";
import { ROOT, TOOLS_CACHE, toolVersions } from "./paths.js";

export interface MachinesImage {
  readonly dir: string;
  readonly kernel: string;
  readonly initrd: string;
  readonly rootfs: string;
  readonly release: string;
}


/** The cache folder of the VM image (the key as install.sh's machines_key computes it). */
export function machinesImageDir(): string {
  const v = toolVersions();
  const key = createHash("sha256").update(`${v.MACHINES_DEBIAN_RELEASE} ${v.MACHINES_IMAGE_PACKAGES} ${v.MACHINES_IMAGE_REVISION}`).digest("hex").slice(0, 12);
  return join(TOOLS_CACHE, `machines-${v.MACHINES_DEBIAN_RELEASE}-${key}`);
}

/** The built VM image; throws (failing the test) when `scripts/tools/install.sh machines` has not built it. */
export function machinesImage(): MachinesImage {
  const dir = machinesImageDir();
  if (!existsSync(join(dir, ".done"))) throw new Error(`the machines VM image is not built at ${dir}; run scripts/tools/install.sh machines (or npm run test:machines)`);
  return { dir, kernel: join(dir, "vmlinuz"), initrd: join(dir, "initrd.img"), rootfs: join(dir, "rootfs.img"), release: toolVersions().MACHINES_DEBIAN_RELEASE! };
}

export interface VmSpec {
  readonly name: string;
  readonly mac: string;
  /** the NoCloud seed: file name (user-data, meta-data, network-config) → content, as rendered */
  readonly seed: Readonly<Record<string, string>>;
  readonly memoryMiB?: number;
}

export interface ExecOutcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A minimal QEMU guest agent client: one request at a time over the VM's agent socket. */
class GuestAgent {
  private sock: Socket | undefined;
  private buf = "";
  private waiters: ((line: string) => void)[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = Math.floor(Math.random() * 1e6);

  constructor(private readonly path: string) {}

  private async connected(): Promise<Socket> {
    if (this.sock && !this.sock.destroyed) return this.sock;
    const s = await new Promise<Socket>((resolve, reject) => {
      const c = connect(this.path);
      c.once("connect", () => resolve(c));
      c.once("error", reject);
    });
    s.setEncoding("utf8");
    s.on("data", (d: string) => {
      this.buf += d;
      let i: number;
      while ((i = this.buf.indexOf("\n")) >= 0) {
        const line = this.buf.slice(0, i).replace(/^[\xff\s]+/, "");
        this.buf = this.buf.slice(i + 1);
        if (line) this.waiters.shift()?.(line);
      }
    });
    s.on("error", () => s.destroy());
    this.sock = s;
    return s;
  }

  /** Sends one command and waits for its answer (lines that are not JSON answers are skipped). */
  private async request(cmd: unknown, timeoutMs: number): Promise<Record<string, unknown>> {
    const s = await this.connected();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== on);
        reject(new Error("guest agent: no answer"));
      }, timeoutMs);
      const on = (line: string) => {
        try {
          const msg = JSON.parse(line) as Record<string, unknown>;
          clearTimeout(t);
          resolve(msg);
        } catch {
          this.waiters.unshift(on);
        }
      };
      this.waiters.push(on);
      s.write(JSON.stringify(cmd) + "\n");
    });
  }

  private serial<T>(f: () => Promise<T>): Promise<T> {
    const p = this.queue.then(f, f);
    this.queue = p.catch(() => undefined);
    return p;
  }

  /** True once the agent in the guest answers a guest-sync with our id. */
  ping(timeoutMs = 3000): Promise<boolean> {
    return this.serial(async () => {
      const id = this.nextId++;
      try {
        // a fresh connection per attempt: answers to earlier, unanswered syncs must not be mistaken for this one
        this.sock?.destroy();
        this.sock = undefined;
        this.waiters = [];
        for (let i = 0; i < 3; i++) {
          const r = await this.request({ execute: "guest-sync", arguments: { id } }, timeoutMs);
          if (r.return === id) return true;
        }
        return false;
      } catch {
        this.sock?.destroy();
        this.sock = undefined;
        this.waiters = [];
        return false;
      }
    });
  }

  exec(argv: readonly string[], timeoutMs: number): Promise<ExecOutcome> {
    return this.serial(async () => {
      const start = await this.request({ execute: "guest-exec", arguments: { path: argv[0], arg: argv.slice(1), "capture-output": true } }, 30_000);
      if (start.error) throw new Error(`guest-exec ${argv.join(" ")}: ${JSON.stringify(start.error)}`);
      const pid = (start.return as { pid: number }).pid;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const st = await this.request({ execute: "guest-exec-status", arguments: { pid } }, 30_000);
        const r = st.return as { exited: boolean; exitcode?: number; signal?: number; "out-data"?: string; "err-data"?: string } | undefined;
        if (!r) throw new Error(`guest-exec-status: ${JSON.stringify(st)}`);
        if (r.exited) {
          const dec = (b?: string) => (b ? Buffer.from(b, "base64").toString("utf8") : "");
          return { code: r.exitcode ?? 128 + (r.signal ?? 0), stdout: dec(r["out-data"]), stderr: dec(r["err-data"]) };
        }
        if (Date.now() > deadline) throw new Error(`${argv.join(" ")}: still running after ${timeoutMs} ms`);
        await sleep(300);
      }
    });
  }

  close(): void {
    this.sock?.destroy();
  }
}

export class Vm {
  /** ms since the harness started QEMU, per milestone (agent answers, cloud-init done, …) */
  readonly marks: Record<string, number> = {};
  readonly startedAt = Date.now();

  constructor(
    readonly name: string,
    readonly dir: string,
    private readonly proc: ChildProcess,
    private readonly agent: GuestAgent,
  ) {}

  get serialLog(): string {
    return join(this.dir, "serial.log");
  }

  mark(what: string): void {
    this.marks[what] ??= Date.now() - this.startedAt;
  }

  running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** The last lines of the serial console, for error messages. */
  serialTail(lines = 40): string {
    try {
      const text = readFileSync(this.serialLog, "utf8").replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "");
      return text.split("\n").slice(-lines).join("\n");
    } catch {
      return "(no serial output)";
    }
  }

  fail(what: string): Error {
    return new Error(`${this.name}: ${what}\n--- ${this.name} serial console (last lines) ---\n${this.serialTail()}\n---`);
  }

  /** Runs a program in the guest (as root) through the guest agent. */
  exec(argv: readonly string[], timeoutMs = 60_000): Promise<ExecOutcome> {
    return this.agent.exec(argv, timeoutMs);
  }

  /** Runs a shell script in the guest; rejects, with its output, unless it exits 0. */
  async sh(script: string, timeoutMs = 60_000): Promise<string> {
    const r = await this.exec(["/bin/sh", "-c", script], timeoutMs);
    if (r.code !== 0) throw this.fail(`\`${script}\` exited ${r.code}:\n${r.stdout}${r.stderr}`);
    return r.stdout;
  }

  /** Waits until the guest agent answers (the guest has booted into systemd). */
  async waitAgent(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running()) throw this.fail(`QEMU exited (${this.proc.exitCode ?? this.proc.signalCode}) before the guest agent answered`);
      if (await this.agent.ping()) {
        this.mark("agent");
        return;
      }
      await sleep(2000);
    }
    throw this.fail(`the guest agent did not answer within ${Math.round(timeoutMs / 1000)} s`);
  }

  /**
   * Waits until cloud-init has finished all its stages and returns its result (/run/cloud-init/result.json:
   * the errors of every stage; empty when everything succeeded).
   */
  async waitCloudInit(timeoutMs: number): Promise<{ errors: string[] }> {
    const deadline = Date.now() + timeoutMs;
    await this.waitAgent(timeoutMs);
    while (Date.now() < deadline) {
      if (!this.running()) throw this.fail("QEMU exited before cloud-init finished");
      const r = await this.exec(["/bin/cat", "/run/cloud-init/result.json"]).catch(() => undefined);
      if (r && r.code === 0) {
        this.mark("cloud-init done");
        const v1 = (JSON.parse(r.stdout) as { v1: { errors: string[] } }).v1;
        return { errors: v1.errors };
      }
      await sleep(3000);
    }
    const status = await this.exec(["/usr/bin/cloud-init", "status", "--long"]).catch((e: Error) => ({ stdout: e.message, stderr: "" }));
    throw this.fail(`cloud-init did not finish within ${Math.round(timeoutMs / 1000)} s; cloud-init status:\n${status.stdout}${status.stderr}`);
  }
}

/**
 * VMs on LANs: each LAN a bridge in a router namespace of its own with `gateway/prefix` on it (and
 * extra addresses on the namespace's loopback, reached by the VMs only through their default route).
 * create() makes one LAN (`router`); empty() and addRouter() make several, wired as the test likes.
 */
export class MachinesLan {
  private readonly nets = new NetnsSet();
  private readonly vms: Vm[] = [];
  private readonly agents: GuestAgent[] = [];
  readonly dir = mkdtempSync(join(tmpdir(), "drover-machines-"));
  router!: Netns;

  private constructor(private readonly image: MachinesImage) {}

  static async create(o: { gateway: string; prefix: number; beyond?: readonly string[] }): Promise<MachinesLan> {
    const lan = await MachinesLan.empty();
    try {
      lan.router = await lan.addRouter("lan", o);
      return lan;
    } catch (e) {
      await lan.close();
      throw e;
    }
  }

  /** A set of VMs with no router yet (addRouter makes each LAN; wire them with nets.link). */
  static async empty(): Promise<MachinesLan> {
    await NetnsSet.removeStale();
    return new MachinesLan(machinesImage());
  }

  /** the namespaces of this set (to add and link more, e.g. an "internet" between routers) */
  get namespaces(): NetnsSet {
    return this.nets;
  }

  /**
   * A router: a namespace with a bridge br0 holding `gateway/prefix` (the LAN the VMs booted on it
   * join), and extra addresses on its loopback (reached by the VMs only through their default route).
   */
  async addRouter(name: string, o: { gateway: string; prefix: number; beyond?: readonly string[] }): Promise<Netns> {
    const r = await this.nets.add(name);
    await r.script(
      [
        "ip link add br0 type bridge",
        "ip link set br0 up",
        `ip addr add ${o.gateway}/${o.prefix} dev br0`,
        ...(o.beyond ?? []).map((a) => `ip addr add ${a}/32 dev lo`),
      ].join("\n"),
    );
    return r;
  }

  /** Starts a long-lived process on the router (e.g. a stand-in server); ended by close(). */
  spawnOnRouter(cmd: readonly string[]): ChildProcess {
    return this.router.spawn(cmd);
  }

  /** Boots a VM: a qcow2 overlay of the image, the seed as a NoCloud disk, its NIC on the router's bridge. */
  async boot(spec: VmSpec, router: Netns = this.router): Promise<Vm> {
    const dir = join(this.dir, spec.name);
    mkdirSync(dir, { recursive: true });
    const seedDir = join(dir, "seed");
    mkdirSync(seedDir);
    for (const [f, content] of Object.entries(spec.seed)) writeFileSync(join(seedDir, f), content, { mode: 0o600 });
    const seedImg = join(dir, "seed.img");
    await sh(["cloud-localds", ...(spec.seed["network-config"] ? ["-N", join(seedDir, "network-config")] : []), seedImg, join(seedDir, "user-data"), join(seedDir, "meta-data")]);
    const overlay = join(dir, "disk.qcow2");
    await sh(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", this.image.rootfs, overlay]);
    const tap = `t-${spec.name}`.slice(0, 15);
    await router.script([`ip tuntap add dev ${tap} mode tap`, `ip link set ${tap} master br0`, `ip link set ${tap} up`].join("\n"));
    const agentSock = join(dir, "qga.sock");
    // no_timer_check: under TCG on a loaded host the kernel's early timer IRQ check can miss its window
    // and panic ("IO-APIC + timer doesn't work"); the check is for broken hardware, which this is not
    const qemu = [
      "qemu-system-x86_64",
      "-name", spec.name,
      "-accel", "tcg",
      "-machine", "q35",
      "-smp", "1",
      "-m", String(spec.memoryMiB ?? 1024),
      "-nodefaults", "-no-user-config", "-nographic", "-no-reboot",
      "-kernel", this.image.kernel,
      "-initrd", this.image.initrd,
      "-append", "root=/dev/vda rw console=ttyS0 panic=-1 systemd.show_status=false no_timer_check",
      "-drive", `file=${overlay},if=virtio,format=qcow2,cache=unsafe`,
      "-drive", `file=${seedImg},if=virtio,format=raw,readonly=on`,
      "-netdev", `tap,id=lan,ifname=${tap},script=no,downscript=no`,
      "-device", `virtio-net-pci,netdev=lan,mac=${spec.mac}`,
      "-device", "virtio-rng-pci",
      "-chardev", `socket,id=qga,path=${agentSock},server=on,wait=off`,
      "-device", "virtio-serial-pci",
      "-device", "virtserialport,chardev=qga,name=org.qemu.guest_agent.0",
      "-serial", `file:${join(dir, "serial.log")}`,
      "-monitor", "none",
    ];
    const proc = router.spawn(qemu);
    let stderr = "";
    proc.stderr?.on("data", (d) => (stderr += d));
    proc.stdout?.resume();
    // the agent socket appears once QEMU has started
    for (let i = 0; !existsSync(agentSock); i++) {
      if (proc.exitCode !== null || i > 100) throw new Error(`${spec.name}: QEMU did not start: ${stderr.trim()}`);
      await sleep(100);
    }
    const agent = new GuestAgent(agentSock);
    this.agents.push(agent);
    const vm = new Vm(spec.name, dir, proc, agent);
    this.vms.push(vm);
    return vm;
  }

  /** Ends every VM and process, removes the namespace and the overlays (keeps them with DROVER_KEEP_MACHINES=1). */
  async close(): Promise<void> {
    for (const a of this.agents) a.close();
    await this.nets.close();
    if (process.env.DROVER_KEEP_MACHINES) console.error(`machines: kept ${this.dir}`);
    else rmSync(this.dir, { recursive: true, force: true });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
