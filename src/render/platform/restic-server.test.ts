// Backups to an NFS share: the rendered restic REST server, run for real (rest-server 0.14.0 built from
// the Go module proxy, with the Deployment's own arguments and the rendered htpasswd: testing/restic-mover.ts), and an app's
// rendered restic Secret used as-is by the real restic to open a repository on it, back up and restore.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exampleLab, testSecrets } from "../../testing/apps-lab.js";
import { exampleFiles, tool } from "../../testing/paths.js";
import { loadLab } from "../../lab/file.js";
import { platformComponents, renderPlatform } from "./index.js";
import { renderApps } from "../apps/index.js";
import { NAMESPACES } from "./contract.js";
import { htpasswdLine } from "./restic-server.js";
import { moverEnv, startRestServer } from "../../testing/restic-mover.js";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function setup() {
  const lab = exampleLab("proxmox-k3s"); // TrueNAS NFS backup target, VolSync, paperless-ngx backed up
  const secrets = testSecrets(lab);
  const backups = platformComponents(lab, secrets).components.find((c) => c.name === "backups")!;
  const apps = renderApps(lab, secrets);
  const resticSecret = (volume: string) => (apps.get(`apps/office/paperless-ngx/${volume}-restic.sops.yaml`)!.doc as Obj).stringData as Record<string, string>;
  return { lab, secrets, backups, resticSecret };
}

test("NFS backup target: a restic REST server on the share (static NFS volume, restricted pod), each app's restic Secret pointing at it", () => {
  const { lab, backups, resticSecret } = setup();
  const nfs = lab.backups.targets[0]! as { server: string; path: string };
  const objs = backups.objects as Obj[];
  const pv = objs.find((o) => o.kind === "PersistentVolume")!;
  assert.deepEqual(pv.spec.nfs, { server: nfs.server, path: nfs.path });
  assert.equal(pv.spec.persistentVolumeReclaimPolicy, "Retain", "deleting the claim never touches the backups");
  const pvc = objs.find((o) => o.kind === "PersistentVolumeClaim")!;
  assert.equal(pvc.spec.volumeName, pv.metadata.name);
  assert.deepEqual(pv.spec.claimRef, { namespace: NAMESPACES.backup, name: pvc.metadata.name });
  assert.equal(backups.podSecurity, "restricted");
  const pod = objs.find((o) => o.kind === "Deployment")!.spec.template.spec;
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.deepEqual(pod.containers[0].securityContext.capabilities, { drop: ["ALL"] });
  const env = resticSecret("data");
  assert.equal(env.RESTIC_REPOSITORY, `rest:http://restic-server.${NAMESPACES.backup}.svc.cluster.local:8000/office/paperless-ngx-data`.replace("restic-server.", "restic-server-truenas."));
  const htpasswd = (backups.secrets as Obj[])[0]!.stringData[".htpasswd"];
  assert.equal(htpasswd, htpasswdLine(env.RESTIC_REST_USERNAME!, env.RESTIC_REST_PASSWORD!));
  assert.match(renderPlatform(lab, testSecrets(lab)).get("README.md")!.content, /## Backups to NAS shares[\s\S]*uid\/gid 1000[\s\S]*- `truenas`: `10\.10\.10\.20:\/mnt\/tank\/backups`/);
});

test("several backup targets: every volume goes to each (a ReplicationSource and restic Secret per target), restores come from the first", () => {
  const lab = loadLab(exampleFiles().find((f) => f.includes("multi-site"))).lab; // cabin-nas (NFS, another site) first, then Backblaze B2
  const secrets = testSecrets(lab);
  const apps = renderApps(lab, secrets);
  const folder = [...apps.keys()].filter((p) => p.includes("/forgejo/")).sort();
  const docs = (p: string) => (apps.get(p)!.doc ?? null) as Obj | null;
  const backup = apps.get(folder.find((p) => p.endsWith("/backup.yaml"))!)!.content;
  const kinds = [...backup.matchAll(/^kind: (\w+)\n(?:.*\n)*?  name: (\S+)/gm)].map((m) => `${m[1]}/${m[2]}`);
  assert.deepEqual(kinds.filter((k) => k.startsWith("ReplicationSource/forgejo-data")), ["ReplicationSource/forgejo-data", "ReplicationSource/forgejo-data-b2"]);
  assert.deepEqual(kinds.filter((k) => k.startsWith("ReplicationDestination/forgejo-data")), ["ReplicationDestination/forgejo-data-restore"]);
  const first = docs(folder.find((p) => p.endsWith("/data-restic.sops.yaml"))!)!.stringData;
  const b2 = docs(folder.find((p) => p.endsWith("/data-restic-b2.sops.yaml"))!)!.stringData;
  assert.match(first.RESTIC_REPOSITORY, /^rest:http:\/\/restic-server-cabin-nas\.volsync-system\.svc\.cluster\.local:8000\//);
  assert.equal(b2.RESTIC_REPOSITORY, "s3:https://s3.eu-central-003.backblazeb2.com/caeman-backups/dev/forgejo/data");
  assert.ok("AWS_ACCESS_KEY_ID" in b2 && !("AWS_ACCESS_KEY_ID" in first));
  const backups = platformComponents(lab, secrets);
  const servers = backups.components.find((c) => c.name === "backups")!.objects.filter((o: Obj) => o.kind === "Deployment");
  assert.deepEqual(servers.map((o: Obj) => o.metadata.name), ["restic-server-cabin-nas"], "a REST server for the NFS target only");
  assert.ok(backups.missing.has("backup-b2-access-key"), "the B2 keys are asked for in the README");
});

test("NFS backup target, for real: rest-server runs with the rendered arguments and htpasswd; restic with the app's rendered Secret backs up and restores; a wrong password is refused", { timeout: 120_000 }, async () => {
  const { backups, resticSecret } = setup();
  const dir = mkdtempSync(join(tmpdir(), "drover-restic-"));
  const server = await startRestServer(backups as never);
  try {
    const env = (over: Record<string, string> = {}) => ({ ...moverEnv(resticSecret("data"), server, join(dir, "cache")), ...over });
    const restic = (argv: string[], over?: Record<string, string>) => spawnSync(tool("restic"), argv, { env: env(over), encoding: "utf8", timeout: 60_000 });
    const src = join(dir, "volume");
    mkdirSync(src);
    writeFileSync(join(src, "invoice-0001.pdf"), "%PDF-1.7 drover test\n");
    let r = restic(["init"]);
    assert.equal(r.status, 0, `restic init: ${r.stderr}\n${server.log()}`);
    assert.ok(existsSync(join(server.share, "office", "paperless-ngx-data", "config")), "the repository lives on the share as <namespace>/<claim>");
    r = spawnSync(tool("restic"), ["backup", "--host", "paperless-ngx", "."], { cwd: src, env: env(), encoding: "utf8", timeout: 60_000 });
    assert.equal(r.status, 0, `restic backup: ${r.stderr}`);
    r = restic(["snapshots", "--json"]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as unknown[]).length, 1);
    const out = join(dir, "restored");
    r = restic(["restore", "latest", "--target", out]);
    assert.equal(r.status, 0, r.stderr);
    const restored = spawnSync("find", [out, "-name", "invoice-0001.pdf"], { encoding: "utf8" }).stdout.trim();
    assert.equal(readFileSync(restored, "utf8"), "%PDF-1.7 drover test\n");
    r = restic(["snapshots"], { RESTIC_REST_PASSWORD: "not-the-password" });
    assert.notEqual(r.status, 0, "a wrong REST password is refused");
    assert.match(r.stderr, /401|Unauthorized|unauthorized/);
  } finally {
    server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
