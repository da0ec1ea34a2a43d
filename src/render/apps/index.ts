// Lab → the apps part of the Flux tree: kubernetes/apps/<namespace>/<app>/ for every enabled app
// (see folder.ts for the layout), plus the functions (src/render/functions).
import type { App, Lab } from "../../lab/types.js";
import type { LabSecrets } from "../../secrets/types.js";
import { tree, type FileTree } from "../tree.js";
import { backupObjects, resticTargetEnv } from "./backup.js";
import { dependencyObjects } from "./dependencies.js";
import { podDisruptionBudget } from "./disruption.js";
import { clusterReadAccess, filesConfigMap } from "./extras.js";
import { writeFolder, writeAppsIndex, type Folder, type FolderFile } from "./folder.js";
import { podSecurityLevel } from "./security-level.js";
import { networkPolicy } from "./network-policy.js";
import { applyPatches, PatchTargetError } from "./patches.js";
import { podPlan } from "../../lab/pods.js";
import { routeObjects } from "./route.js";
import { appSecret } from "./secret.js";
import { clusterService, loadBalancerService, replicaService } from "./service.js";
import { volumeClaims } from "./storage.js";
import { workload } from "./workload.js";
import { functionFolders } from "../functions/index.js";

/** The folder of one app (exported for tests and for the what-if/dashboard views). */
export function appFolder(lab: Lab, a: App, secrets: LabSecrets, allArchs?: ReadonlySet<string>, targetEnv: ReadonlyMap<string, Readonly<Record<string, string>>> = a.backup ? resticTargetEnv(lab, secrets) : new Map()): Folder {
  const plan = podPlan(lab, a, allArchs);
  const stored = secrets.apps[a.name] ?? {};
  const secretValue = (k: string): string => {
    const v = stored[k];
    if (v === undefined) throw new Error(`internal: the secrets store has no ${a.name}/${k} (run ensureSecrets before rendering)`);
    return v;
  };
  const backup = backupObjects(lab, a, secretValue, targetEnv);
  const secret = appSecret(a, secrets);
  const groups: [string, Record<string, unknown>[], boolean][] = [
    ["rbac.yaml", clusterReadAccess(a), false],
    ["configmap.yaml", [filesConfigMap(a)].filter(isObj), false],
    ["pvc.yaml", volumeClaims(lab, a), false],
    ["workload.yaml", [workload(lab, a, plan)], false],
    ["service.yaml", [clusterService(a), replicaService(a), loadBalancerService(lab, a)].filter(isObj), false],
    ["ingress.yaml", routeObjects(lab, a), false],
    ["networkpolicy.yaml", [networkPolicy(lab, a)], false],
    ["pdb.yaml", [podDisruptionBudget(a, plan)].filter(isObj), false],
    ...a.catalog.dependencies.map((d): [string, Record<string, unknown>[], boolean] => [`${d}.yaml`, dependencyObjects(lab, a, d), false]),
    ["backup.yaml", backup.objects, false],
    ["secret.sops.yaml", secret ? [secret] : [], true],
    ...backup.secrets.map((s): [string, Record<string, unknown>[], boolean] => [`${String((s.metadata as { name: string }).name).replace(new RegExp(`^${a.name}-`), "")}.sops.yaml`, [s], true]),
  ];
  // patches see every object of the app, in file order
  const all = groups.flatMap(([, docs]) => docs);
  const patched = a.patches.length ? applyPatches(all, a.patches, (i) => `app ${a.name}: patches[${i}]`) : all;
  let at = 0;
  const files: FolderFile[] = groups.map(([file, docs, isSecret]) => {
    const out = patched.slice(at, at + docs.length);
    at += docs.length;
    return { file, docs: out, ...(isSecret ? { secret: true } : {}) };
  });
  return { namespace: a.namespace, name: a.name, files, podSecurity: podSecurityLevel(a, plan.serialDevice !== undefined) };
}

const isObj = (v: Record<string, unknown> | undefined): v is Record<string, unknown> => v !== undefined;

/**
 * Per-object patches that target nothing their app renders, as spec findings: drover check refuses
 * what render would (the objects are built with placeholder secret values; only kinds and names count).
 */
export function patchTargetFindings(lab: Lab): { severity: "error"; path: (string | number)[]; message: string; hint: string }[] {
  const value: Record<string, string> = new Proxy({}, { get: (_, k) => (typeof k === "string" ? "placeholder-value" : undefined) });
  const stub = { apps: new Proxy({}, { get: () => value }) } as unknown as LabSecrets;
  const targetEnv = new Map(lab.backups.targets.map((t) => [t.name, {}]));
  const out: { severity: "error"; path: (string | number)[]; message: string; hint: string }[] = [];
  for (const a of lab.apps) {
    if (!a.patches.length) continue;
    try {
      appFolder(lab, a, stub, undefined, targetEnv);
    } catch (e) {
      if (!(e instanceof PatchTargetError)) throw e;
      const i = lab.spec.apps.findIndex((x) => x.name === a.name);
      out.push({ severity: "error", path: ["apps", i, "patches", e.index, "target"], message: e.message.replace(/^app [^:]+: patches\[\d+\]: /, ""), hint: e.hint ?? "" });
    }
  }
  return out;
}

/** Target: the apps and functions of the lab, under kubernetes/. */
export function renderApps(lab: Lab, secrets: LabSecrets): FileTree {
  const t = tree();
  const archs = new Set(lab.nodes.map((n) => n.arch));
  const targetEnv = lab.apps.some((a) => a.backup) ? resticTargetEnv(lab, secrets) : new Map<string, Record<string, string>>();
  const folders: Folder[] = lab.apps.map((a) => appFolder(lab, a, secrets, archs, targetEnv));
  folders.push(...functionFolders(lab));
  for (const f of folders) writeFolder(t, f);
  writeAppsIndex(t, folders);
  return t;
}

export { podSecurityLevel } from "./security-level.js";
export { appNamespaceNeeds, type NamespaceNeed } from "./namespaces.js";
export { appRoutes, type AppRoute } from "./route.js";
