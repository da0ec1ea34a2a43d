// A real OpenSSH server on loopback for tests (Debian's openssh-server, installed by
// scripts/tools/install.sh debian): its own host key, config and authorized_keys in a temp folder,
// accepting only the given public key for the user running the test. Stopped (and removed) by stop().
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { debianTool } from "./paths.js";
import { freePort } from "./cluster.js";

export interface TestSshd {
  readonly port: number;
  readonly user: string;
  readonly dir: string;
  stop(): void;
}


export async function startSshd(authorizedKey: string): Promise<TestSshd> {
  const sshd = debianTool("sshd");
  const dir = mkdtempSync(join(tmpdir(), "drover-sshd-"));
  const keygen = spawnSync(debianTool("ssh-keygen"), ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "host_key")], { encoding: "utf8" });
  if (keygen.status !== 0) throw new Error(`ssh-keygen: ${keygen.stderr}`);
  writeFileSync(join(dir, "authorized_keys"), authorizedKey.trim() + "\n", { mode: 0o600 });
  const port = await freePort();
  const user = userInfo().username;
  writeFileSync(join(dir, "sshd_config"), [
    `Port ${port}`, "ListenAddress 127.0.0.1", `HostKey ${join(dir, "host_key")}`, `PidFile ${join(dir, "sshd.pid")}`,
    `AuthorizedKeysFile ${join(dir, "authorized_keys")}`, "StrictModes no", "UsePAM no", "PasswordAuthentication no",
    "KbdInteractiveAuthentication no", "PermitRootLogin prohibit-password", `AllowUsers ${user}`, "LogLevel ERROR", "",
  ].join("\n"));
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 }); // privilege separation directory sshd insists on
  const p: ChildProcess = spawn(sshd, ["-D", "-e", "-f", join(dir, "sshd_config")], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  p.stderr!.on("data", (b: Buffer) => (err += String(b)));
  for (let i = 0; i < 100; i++) {
    if (p.exitCode !== null) throw new Error(`sshd exited: ${err}`);
    const up = await new Promise<boolean>((r) => {
      const c = connect({ host: "127.0.0.1", port }, () => { c.destroy(); r(true); });
      c.on("error", () => r(false));
    });
    if (up) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port, user, dir,
    stop() {
      try { p.kill("SIGKILL"); } catch { /* gone */ }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The host key line sshd presents (for known_hosts checks). */
export function hostKeyOf(s: TestSshd): string {
  return readFileSync(join(s.dir, "host_key.pub"), "utf8").trim();
}
