// drover restore <app> [--from <time>]: put an app's volumes back as its last backup (or the last one
// taken at or before a time) had them. The app is stopped first — its Flux Kustomization suspended so
// nothing scales it back up meanwhile, its Deployments and StatefulSets scaled to 0, its pods gone —
// then VolSync restores each claim in place (a ReplicationDestination of Drover's own: copyMethod
// Direct into the claim, restoreAsOf, files made since deleted, a new manual trigger), and the app is
// scaled back and Flux resumed. A failed restore leaves the app stopped, and says how to start it.
import type { App, Lab } from "../lab/types.js";
import { UserError } from "../errors.js";
import type { Client } from "../cluster/client.js";
import { appWorkloads, scaleWorkload, startRestore, suspendKustomization, waitAppStopped, waitRestore, type AppWorkload, type RestoreOutcome, type RestoreRequest } from "../cluster/backups.js";
import { moverSecurityContext, resticSecretName } from "../render/apps/backup.js";
import { appLabels } from "../render/apps/labels.js";
import { dataClaimName, pvcName } from "../render/apps/names.js";

export interface RestorePlan {
  readonly app: string;
  readonly namespace: string;
  /** RFC 3339 (UTC), or undefined for the latest backup */
  readonly restoreAsOf: string | undefined;
  readonly volumes: readonly RestoreRequest[];
}

const RELATIVE = /^(\d+)(m|h|d)$/;

/**
 * --from: an RFC 3339 time (2026-12-06T03:00:00Z, or with an offset), a day (2026-12-06: the backups
 * taken that day or before, UTC) or an age (30m, 12h, 2d before now). Normalised to UTC with a T, the
 * form VolSync's restoreAsOf takes.
 */
export function restoreTime(text: string, now: Date): string {
  const t = text.trim();
  let ms: number;
  const rel = RELATIVE.exec(t);
  if (rel) ms = now.getTime() - Number(rel[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as "m" | "h" | "d"];
  else if (/^\d{4}-\d{2}-\d{2}$/.test(t)) ms = Date.parse(`${t}T23:59:59Z`);
  else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(t)) ms = Date.parse(t);
  else ms = NaN;
  if (!Number.isFinite(ms)) throw new UserError(`--from ${text} is not a time`, "write an RFC 3339 time (2026-12-06T03:00:00Z), a day (2026-12-06) or an age (12h, 2d)", 2);
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** What restoring this app means: its claims, their restic repositories, the restore time. */
export function restorePlan(lab: Lab, appName: string, o: { from?: string; now: Date }): RestorePlan {
  const backedUp = lab.apps.filter((a) => a.backup && a.volumes.length).map((a) => a.name);
  const a: App | undefined = lab.apps.find((x) => x.name === appName);
  const which = backedUp.length ? `apps with backups: ${backedUp.join(", ")}` : "no app of this lab has backup: true";
  if (!a) throw new UserError(`the lab has no app ${appName}`, which, 2);
  if (!a.backup) throw new UserError(`app ${appName} is not backed up`, `set backup: true on it in lab.yaml (${which})`, 2);
  if (!a.volumes.length) throw new UserError(`app ${appName} has no volumes to restore`, which, 2);
  if (lab.backups.engine !== "volsync") throw new UserError(`this lab backs up with ${lab.backups.engine}, not VolSync`, "restore with velero restore create --from-schedule <schedule>", 2);
  if (!lab.backups.targets.length) throw new UserError("the lab has no backup target", "add backups.targets to lab.yaml", 2);
  const restoreAsOf = o.from !== undefined ? restoreTime(o.from, o.now) : undefined;
  // a new value every time (to the millisecond): VolSync restores once per new manual trigger
  const trigger = `drover-${o.now.toISOString().replace(/[-:.]/g, "")}`;
  const security = moverSecurityContext(a);
  return {
    app: a.name,
    namespace: a.namespace,
    restoreAsOf,
    volumes: a.volumes.map((v): RestoreRequest => ({
      namespace: a.namespace,
      name: `${pvcName(a, v.name)}-drover-restore`,
      claim: dataClaimName(a, v.name),
      repository: resticSecretName(lab, a, v.name),
      restoreAsOf,
      trigger,
      ...(security ? { moverSecurityContext: security } : {}),
      labels: appLabels(a),
    })),
  };
}

export interface RestoreReport {
  readonly plan: RestorePlan;
  readonly workloads: readonly AppWorkload[];
  readonly outcomes: readonly (RestoreOutcome & { readonly claim: string })[];
}

export interface RestoreOptions {
  readonly timeoutMs: number;
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
  /** progress lines ("stopping paperless-ngx", …) */
  readonly onStep?: (text: string) => void;
}

export async function restoreApp(client: Client, plan: RestorePlan, o: RestoreOptions): Promise<RestoreReport> {
  const step = o.onStep ?? (() => {});
  const workloads = await appWorkloads(client, plan.namespace, plan.app);
  const kustomizations = [...new Map(workloads.flatMap((w) => (w.kustomization ? [[`${w.kustomization.namespace}/${w.kustomization.name}`, w.kustomization] as const] : []))).values()];
  const suspended: { namespace: string; name: string }[] = [];
  const startAgain = async () => {
    for (const w of workloads) await scaleWorkload(client, w.ref, w.replicas);
    for (const k of suspended) await suspendKustomization(client, k, false);
  };
  // 1. stop the app: nothing may write to its claims while they are restored
  try {
    for (const k of kustomizations) {
      // one the user suspended stays as it was afterwards
      if ((await suspendKustomization(client, k, true)) === false) {
        suspended.push(k);
        step(`suspended Flux Kustomization ${k.namespace}/${k.name}`);
      }
    }
    for (const w of workloads) await scaleWorkload(client, w.ref, 0);
    step(`stopping ${plan.app} (${workloads.map((w) => `${w.ref.kind.toLowerCase()}/${w.ref.name}`).join(", ") || "no workloads"})`);
    await waitAppStopped(client, plan.namespace, plan.app, { timeoutMs: o.timeoutMs, ...(o.pollMs ? { pollMs: o.pollMs } : {}) });
  } catch (e) {
    await startAgain();
    throw e;
  }
  // 2. restore every claim in place
  for (const r of plan.volumes) {
    await startRestore(client, r);
    step(`restoring ${r.claim} from ${r.restoreAsOf ? `the last backup at or before ${r.restoreAsOf}` : "the latest backup"}`);
  }
  const outcomes: (RestoreOutcome & { claim: string })[] = [];
  for (const r of plan.volumes) {
    const out = await waitRestore(client, r, r.trigger, { timeoutMs: o.timeoutMs, ...(o.pollMs ? { pollMs: o.pollMs } : {}), ...(o.signal ? { signal: o.signal } : {}) });
    outcomes.push({ ...out, claim: r.claim });
    step(`${r.claim}: ${out.result}${out.finished ? ` at ${out.finished}` : ""}`);
  }
  const failed = outcomes.filter((x) => x.result !== "Successful");
  if (failed.length) {
    const scale = workloads.map((w) => `kubectl -n ${plan.namespace} scale ${w.ref.kind.toLowerCase()}/${w.ref.name} --replicas=${w.replicas}`).join("; ");
    throw new UserError(
      `the restore did not succeed (${failed.map((f) => `${f.claim}: ${f.result}`).join(", ")}); ${plan.app} stays stopped${failed[0]!.logs ? `\n${failed[0]!.logs}` : ""}`,
      `fix the cause and run drover restore ${plan.app} again, or start it as it is: ${scale || "(no workloads)"}${suspended.length ? `; flux resume kustomization ${suspended.map((k) => `-n ${k.namespace} ${k.name}`).join(" ")}` : ""}`,
    );
  }
  // 3. start the app again as it was
  await startAgain();
  step(`started ${plan.app} again`);
  return { plan, workloads, outcomes };
}
