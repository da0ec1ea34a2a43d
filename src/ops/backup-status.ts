// drover backup status [lab]: per app and volume, each backup target's last backup (time, result,
// duration, next) as VolSync's ReplicationSources report it, and how the volume comes back on a rebuilt
// cluster. With a lab, every backup the lab renders is listed — one the cluster lacks says so.
import type { Lab } from "../lab/types.js";
import type { Client } from "../cluster/client.js";
import { backupRecords, type BackupRecord } from "../cluster/backups.js";
import { backupSourceName, restoreMethod } from "../render/apps/backup.js";
import { pvcName } from "../render/apps/names.js";

export interface BackupLine {
  readonly app: string;
  readonly namespace: string;
  readonly claim: string;
  /** the backup target's name (from the lab), or the ReplicationSource's name without one */
  readonly target: string;
  readonly source: string;
  /** never: no backup yet; missing: the lab renders it but the cluster has no such ReplicationSource */
  readonly state: "ok" | "failed" | "never" | "missing";
  readonly lastBackup: string | undefined;
  readonly result: string | undefined;
  readonly duration: string | undefined;
  readonly nextBackup: string | undefined;
  readonly message: string | undefined;
  /** how the claim is filled on a rebuilt cluster: "populator" (from a VolumeSnapshot), "direct" (into the claim), undefined when not known */
  readonly restore: "populator" | "direct" | undefined;
}

const stateOf = (r: BackupRecord | undefined): BackupLine["state"] =>
  !r ? "missing" : r.result === "Failed" ? "failed" : r.lastBackup ? "ok" : "never";

export async function backupStatus(client: Client, lab?: Lab): Promise<BackupLine[]> {
  const records = await backupRecords(client);
  const key = (ns: string, name: string) => `${ns}/${name}`;
  const byName = new Map(records.map((r) => [key(r.namespace, r.name), r]));
  const seen = new Set<string>();
  const out: BackupLine[] = [];
  if (lab && lab.backups.engine === "volsync") {
    for (const a of lab.apps.filter((x) => x.backup && x.volumes.length)) {
      const restore = restoreMethod(lab, a) === "Snapshot" ? "populator" : "direct";
      for (const v of a.volumes) {
        for (const t of lab.backups.targets) {
          const source = backupSourceName(lab, a, v.name, t);
          const r = byName.get(key(a.namespace, source));
          seen.add(key(a.namespace, source));
          out.push({
            app: a.name, namespace: a.namespace, claim: pvcName(a, v.name), target: t.name, source, state: stateOf(r),
            lastBackup: r?.lastBackup, result: r?.result, duration: r?.duration, nextBackup: r?.nextBackup, message: r?.message, restore,
          });
        }
      }
    }
  }
  for (const r of records) {
    if (seen.has(key(r.namespace, r.name))) continue;
    out.push({
      app: r.app ?? "-", namespace: r.namespace, claim: r.claim, target: r.name, source: r.name, state: stateOf(r),
      lastBackup: r.lastBackup, result: r.result, duration: r.duration, nextBackup: r.nextBackup, message: r.message, restore: undefined,
    });
  }
  return out;
}
