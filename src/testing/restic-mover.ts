// The backup data path for tests, with the real programs: the rendered restic REST server (rest-server
// 0.14.0 with the Deployment's own arguments and the rendered htpasswd; the share and the Service's
// address stand in as a folder and loopback), and what VolSync's restic mover does with a volume
// (mover-restic/entry.sh of VolSync 0.14.0), run by the real restic 0.18.1 with the rendered restic
// Secret as its environment:
//   backup:  `restic cat config` (exit 10: no repository yet → `restic init`), then in the volume's folder
//            `restic backup --host volsync --exclude=lost+found .`, then `restic forget --host volsync`
//            with the ReplicationSource's retain options;
//   restore: `restic cat config` as above, the snapshot picked as the mover picks it (newest first, the
//            first at or before restoreAsOf, `previous` further back), then in the claim's folder
//            `restic restore <id> -t . --host volsync --include-xattr user.*` (+ `--delete` with
//            enableFileDeletion); no snapshot: nothing restored, success.
// Differences, said once: the volume's folder is a temp folder, not /data (the mover's selection greps
// the snapshot list for /data; here it matches the folder), and a backup may be given its time (--time)
// so tests can pick between backups by restoreAsOf without waiting for the clock.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tool } from "./paths.js";
import { freePort } from "./ports.js";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const MOVER_HOST = "volsync";

async function waitPort(port: number, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect(port, "127.0.0.1", () => (c.end(), resolve(true)));
      c.on("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`rest-server did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface RestServer {
  readonly port: number;
  /** the folder standing in for the NFS share */
  readonly share: string;
  log(): string;
  stop(): void;
}

/** Runs the rendered restic REST server (the `backups` component's Deployment and htpasswd Secret). */
export async function startRestServer(backups: { objects: readonly Obj[]; secrets?: readonly Obj[] }): Promise<RestServer> {
  const dir = mkdtempSync(join(tmpdir(), "drover-rest-server-"));
  const port = await freePort();
  const container = backups.objects.find((o) => o.kind === "Deployment")!.spec.template.spec.containers[0];
  if (container.command[0] !== "/usr/bin/rest-server") throw new Error(`the backups Deployment runs ${container.command[0]}, not rest-server`);
  const share = join(dir, "share");
  mkdirSync(share);
  mkdirSync(join(dir, "auth"));
  writeFileSync(join(dir, "auth", ".htpasswd"), backups.secrets![0]!.stringData[".htpasswd"]);
  const args = (container.args as string[]).map((a) => (a === "/data" ? share : a === "/auth/.htpasswd" ? join(dir, "auth", ".htpasswd") : a.startsWith(":") ? `127.0.0.1:${port}` : a));
  const server: ChildProcess = spawn(tool("rest-server"), args, { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  server.stdout!.on("data", (d) => (log += d));
  server.stderr!.on("data", (d) => (log += d));
  await waitPort(port);
  return { port, share, log: () => log, stop: () => { server.kill(); rmSync(dir, { recursive: true, force: true }); } };
}

/** restic's environment from a rendered (or read back) restic Secret, its REST server's Service address replaced by loopback. */
export function moverEnv(secret: Readonly<Record<string, string>>, server: RestServer, cacheDir: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    HOME: cacheDir,
    TZ: "UTC",
    RESTIC_CACHE_DIR: cacheDir,
    ...secret,
    RESTIC_REPOSITORY: secret.RESTIC_REPOSITORY!.replace(/^rest:http:\/\/[^/]+/, `rest:http://127.0.0.1:${server.port}`),
  };
}

function restic(env: Record<string, string>, argv: string[], cwd?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(tool("restic"), argv, { env, encoding: "utf8", timeout: 120_000, ...(cwd ? { cwd } : {}) });
  if (r.error) throw r.error;
  return r;
}

function ensureInitialized(env: Record<string, string>): void {
  const r = restic(env, ["cat", "config"]);
  if (r.status === 0) return;
  if (r.status !== 10) throw new Error(`restic cat config: exit ${r.status}: ${r.stderr}`);
  const init = restic(env, ["init"]);
  if (init.status !== 0) throw new Error(`restic init: ${init.stderr}`);
}

export interface Retain { readonly daily?: number; readonly weekly?: number; readonly monthly?: number }

/** The mover's backup of a volume folder; `time` ("2026-12-01 03:00:00", UTC) fixes the snapshot's time. */
export function moverBackup(env: Record<string, string>, volume: string, o: { retain?: Retain; time?: string } = {}): void {
  ensureInitialized(env);
  const b = restic(env, ["backup", "--host", MOVER_HOST, "--exclude=lost+found", ...(o.time ? ["--time", o.time] : []), "."], volume);
  if (b.status !== 0) throw new Error(`restic backup: ${b.stderr}`);
  const keep = Object.entries(o.retain ?? {}).flatMap(([k, v]) => (v ? [`--keep-${k}`, String(v)] : []));
  if (keep.length) {
    const f = restic(env, ["forget", "--host", MOVER_HOST, ...keep]);
    if (f.status !== 0) throw new Error(`restic forget: ${f.stderr}`);
  }
}

/** The mover's restore into a claim's folder; the snapshot restored (undefined: none eligible, nothing restored). */
export function moverRestore(env: Record<string, string>, volume: string, o: { restoreAsOf?: string; previous?: number; enableFileDeletion?: boolean } = {}): string | undefined {
  ensureInitialized(env);
  const list = restic(env, ["snapshots", "--json"]);
  if (list.status !== 0) throw new Error(`restic snapshots: ${list.stderr}`);
  const snaps = (JSON.parse(list.stdout) as { short_id: string; time: string; paths: string[] }[])
    .filter((s) => s.paths.includes(volume))
    .map((s) => ({ id: s.short_id, epoch: Math.floor(Date.parse(s.time) / 1000) }))
    .sort((a, b) => b.epoch - a.epoch);
  let i = 0;
  if (o.restoreAsOf) {
    const target = Math.floor(Date.parse(o.restoreAsOf) / 1000);
    while (i < snaps.length && snaps[i]!.epoch > target) i++;
  }
  i += o.previous ?? 0;
  const pick = snaps[i];
  if (!pick) return undefined;
  const r = restic(env, ["restore", pick.id, "-t", ".", "--host", MOVER_HOST, "--include-xattr", "user.*", ...(o.enableFileDeletion ? ["--delete"] : [])], volume);
  if (r.status !== 0) throw new Error(`restic restore: ${r.stderr}`);
  return pick.id;
}
