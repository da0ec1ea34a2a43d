// Linux network namespaces for tests: create them, wire them with veth pairs, run commands and
// long-lived processes inside, and always clean up (processes killed, namespaces deleted), even when
// a test fails. Needs root (the test machine runs as root).
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program; rejects with its stderr in the message. */
export async function sh(cmd: readonly string[], opts: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<ExecResult> {
  if (opts.input !== undefined) {
    return new Promise((resolve, reject) => {
      const p = spawn(cmd[0]!, cmd.slice(1), { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...opts.env } });
      let stdout = "";
      let stderr = "";
      p.stdout.on("data", (d) => (stdout += d));
      p.stderr.on("data", (d) => (stderr += d));
      p.on("error", reject);
      p.on("close", (code) => (code === 0 ? resolve({ stdout, stderr }) : reject(new Error(`${cmd.join(" ")} exited ${code}: ${stderr.trim()}`))));
      p.stdin.end(opts.input);
    });
  }
  try {
    const r = await run(cmd[0]!, cmd.slice(1), { timeout: opts.timeoutMs ?? 30_000, maxBuffer: 16 << 20, env: { ...process.env, ...opts.env } });
    return { stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { stderr?: string; code?: number; message: string };
    throw new Error(`${cmd.join(" ")} failed (${err.code ?? "?"}): ${(err.stderr ?? err.message).trim()}`);
  }
}

export class Netns {
  constructor(readonly name: string, private readonly owner: NetnsSet) {}

  /** Runs a command inside the namespace. */
  exec(cmd: readonly string[], opts: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<ExecResult> {
    return sh(["ip", "netns", "exec", this.name, ...cmd], opts);
  }

  /** Runs a shell script inside the namespace. */
  script(text: string): Promise<ExecResult> {
    return this.exec(["sh", "-ec", text]);
  }

  /** Starts a long-lived process inside the namespace; killed by the set's close(). */
  spawn(cmd: readonly string[], opts: { env?: NodeJS.ProcessEnv } = {}): ChildProcess {
    const p = spawn("ip", ["netns", "exec", this.name, ...cmd], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...opts.env } });
    this.owner.track(p);
    return p;
  }

  /**
   * Names this namespace's programs resolve through /etc/hosts (`ip netns exec` mounts
   * /etc/netns/<name>/hosts over /etc/hosts); removed with the namespace.
   */
  hosts(entries: Readonly<Record<string, string>>): void {
    const dir = `/etc/netns/${this.name}`;
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/hosts`, ["127.0.0.1 localhost", ...Object.entries(entries).map(([name, ip]) => `${ip} ${name}`)].join("\n") + "\n");
  }

  /** Sets a sysctl in this namespace (net.* sysctls are per namespace). */
  sysctl(key: string, value: string | number): Promise<ExecResult> {
    return this.exec(["sysctl", "-q", "-w", `${key}=${value}`]);
  }
}

const PREFIX = "drover-t";

/**
 * A set of namespaces named drover-t<pid>-<name>, owned by this process. close() ends every process
 * started in them and deletes them; an exit handler does the same if close() was never reached, and
 * namespaces left by dead test processes are removed when a new set starts.
 */
export class NetnsSet {
  private readonly spaces: Netns[] = [];
  private readonly procs = new Set<ChildProcess>();
  private closed = false;
  private readonly onExit = () => this.closeSync();
  private static serial = 0;
  readonly id: string;

  constructor() {
    this.id = `${process.pid.toString(36)}${(NetnsSet.serial++).toString(36)}`;
    process.on("exit", this.onExit);
  }

  static async removeStale(): Promise<void> {
    let names: string[] = [];
    try {
      names = readdirSync("/run/netns");
    } catch {
      return;
    }
    for (const n of names) {
      const m = new RegExp(`^${PREFIX}(\\d+)-`).exec(n);
      if (!m) continue;
      const pid = Number(m[1]);
      if (pid === process.pid || alive(pid)) continue;
      await sh(["ip", "netns", "pids", n]).then(async (r) => {
        for (const p of r.stdout.split(/\s+/).filter(Boolean)) {
          try {
            process.kill(Number(p), "SIGKILL");
          } catch {
            /* gone */
          }
        }
      }, () => undefined);
      await sh(["ip", "netns", "delete", n]).catch(() => undefined);
      rmSync(`/etc/netns/${n}`, { recursive: true, force: true });
    }
  }

  async add(name: string): Promise<Netns> {
    if (this.closed) throw new Error("namespace set is closed");
    const full = `${PREFIX}${process.pid}-${this.id}-${name}`;
    await sh(["ip", "netns", "add", full]);
    const ns = new Netns(full, this);
    this.spaces.push(ns);
    await ns.exec(["ip", "link", "set", "lo", "up"]);
    for (const k of ["all", "default"]) await ns.sysctl(`net.ipv4.conf.${k}.rp_filter`, 0);
    return ns;
  }

  /** A veth pair: `ifA` in `a`, `ifB` in `b`, both up. */
  async link(a: Netns, ifA: string, b: Netns, ifB: string): Promise<void> {
    await sh(["ip", "link", "add", ifA, "netns", a.name, "type", "veth", "peer", "name", ifB, "netns", b.name]);
    await a.exec(["ip", "link", "set", ifA, "up"]);
    await b.exec(["ip", "link", "set", ifB, "up"]);
  }

  track(p: ChildProcess): void {
    this.procs.add(p);
    p.on("exit", () => this.procs.delete(p));
  }

  /** Ends one process started in a namespace and waits for it. */
  async stop(p: ChildProcess): Promise<void> {
    if (p.exitCode !== null || p.signalCode !== null) return;
    const done = new Promise<void>((r) => p.once("exit", () => r()));
    p.kill("SIGTERM");
    const t = setTimeout(() => p.kill("SIGKILL"), 3000);
    await done;
    clearTimeout(t);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.procs].map((p) => this.stop(p)));
    this.closeSync();
  }

  /** namespaces of this set that exist now */
  leftovers(): string[] {
    let names: string[] = [];
    try {
      names = readdirSync("/run/netns");
    } catch {
      return [];
    }
    const mine = new Set(this.spaces.map((s) => s.name));
    return names.filter((n) => mine.has(n));
  }

  private closeSync(): void {
    if (this.closed) return;
    this.closed = true;
    process.off("exit", this.onExit);
    for (const p of this.procs) p.kill("SIGKILL");
    for (const ns of this.spaces) {
      // processes that outlived their parent `ip netns exec` (daemons) go with the namespace
      try {
        const pids = execFileSyncText(["ip", "netns", "pids", ns.name]);
        for (const pid of pids.split(/\s+/).filter(Boolean)) {
          try {
            process.kill(Number(pid), "SIGKILL");
          } catch {
            /* gone */
          }
        }
      } catch {
        /* namespace already gone */
      }
      try {
        execFileSyncText(["ip", "netns", "delete", ns.name]);
      } catch {
        /* already gone */
      }
      rmSync(`/etc/netns/${ns.name}`, { recursive: true, force: true });
    }
  }
}

function execFileSyncText(cmd: string[]): string {
  return execFileSync(cmd[0]!, cmd.slice(1), { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
