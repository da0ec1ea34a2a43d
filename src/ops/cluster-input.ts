// What apply/diff/status compare the cluster with: the lab rendered in memory with its secrets store
// (the same tree `drover render` writes, Secrets in plaintext here since they go straight to the API
// over TLS), or manifests from files (-f), SOPS-encrypted ones decrypted with the local age key.
//
// Only what reading plain manifest files needs is imported up front: the spec, renderer and secrets are
// loaded when a lab or a SOPS file needs them (a third of `drover apply -f`'s start-up time went to
// loading them).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseAllDocuments } from "yaml";
import type { LoadedLab } from "../lab/file.js";
import { UserError } from "../errors.js";
import type { FileTree } from "../render/index.js";
import { sortedPaths } from "../render/tree.js";
import type { Lab } from "../lab/types.js";
import type { LabSecrets } from "../secrets/types.js";
import type { KubeObject } from "../cluster/objects.js";
import type { LabIdentity } from "../cluster/inventory.js";
import { readManifestYaml } from "../cluster/manifest-yaml.js";

/** The rendered folder whose manifests make up the cluster layer. */
export const CLUSTER_FOLDER = "kubernetes";

export interface ClusterInput {
  readonly objects: KubeObject[];
  /** the lab, when the input came from lab.yaml (status needs it) */
  readonly lab?: LoadedLab;
  /** for messages */
  readonly source: string;
  /** the lab the objects belong to (cluster name + the lab UID from its secrets store); undefined for -f manifests without a lab */
  readonly identity?: LabIdentity;
}

const isKustomizeConfig = (o: Record<string, unknown>): boolean =>
  typeof o.apiVersion === "string" && o.apiVersion.startsWith("kustomize.config.k8s.io/");

/** Every Kubernetes object of a YAML stream; `display` names the file in errors. */
export function parseManifests(text: string, display: string): KubeObject[] {
  // the fast reader for plain manifests; any document outside its subset sends the whole file to the full parser
  const fast: unknown[] = [];
  for (const seg of text.split(/^---[ \t]*$/m)) {
    if (seg.trim() === "") continue;
    const v = readManifestYaml(seg);
    if (v === undefined) return parseManifestsFully(text, display);
    fast.push(v);
  }
  return collect(fast, display);
}

function collect(values: readonly unknown[], display: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const v of values) {
    if (v === null || v === undefined) continue;
    if (typeof v !== "object" || Array.isArray(v)) throw new UserError(`${display}: a document is not a mapping`, "each document must be one Kubernetes object");
    const o = v as Record<string, unknown>;
    if (isKustomizeConfig(o)) continue;
    if (o.apiVersion === undefined && o.kind === undefined) continue; // not a manifest (e.g. Helm values next to them)
    if (o.kind === "List" && Array.isArray(o.items)) out.push(...(o.items as KubeObject[]));
    else out.push(o as KubeObject);
  }
  return out;
}

function parseManifestsFully(text: string, display: string): KubeObject[] {
  const values: unknown[] = [];
  for (const doc of parseAllDocuments(text, { version: "1.1" })) {
    if (doc.errors.length) {
      const e = doc.errors[0]!;
      const [line, col] = e.linePos?.[0] ? [e.linePos[0].line, e.linePos[0].col] : [1, 1];
      throw new UserError(`${display}:${line}:${col}: not valid YAML: ${e.message.split("\n")[0]}`, "fix the manifest (or re-render it)");
    }
    values.push(doc.toJS() as unknown);
  }
  return collect(values, display);
}

/** The cluster layer of a rendered tree: every manifest under kubernetes/ (kustomization.yaml files are kustomize's, not objects). */
export function treeObjects(t: FileTree): KubeObject[] {
  const out: KubeObject[] = [];
  for (const p of sortedPaths(t)) {
    if (!p.startsWith(`${CLUSTER_FOLDER}/`) || !/\.ya?ml$/.test(p)) continue;
    out.push(...parseManifests(t.get(p)!.content, p));
  }
  return out;
}

/** Only the targets that write the cluster layer (kubernetes/): node configs and the rest are not needed here. */
export async function renderClusterLayer(lab: Lab, secrets: LabSecrets): Promise<FileTree> {
  const { mergeTrees, targets } = await import("../render/index.js");
  return mergeTrees(...targets.filter(([folder]) => folder === CLUSTER_FOLDER).map(([folder, t]): [string, FileTree] => [folder, t(lab, secrets)]));
}

/** Renders the lab in memory (saving secrets the render had to make, as `drover render` does). */
export async function labInput(labPath: string | undefined, opts: { ageKey?: string } = {}): Promise<ClusterInput> {
  const [{ loadRenderableLab: loadLab }, { findLocalKey }, { loadSecrets }] = await Promise.all([import("../render/load.js"), import("../secrets/keys.js"), import("../secrets/store.js")]);
  const loaded = loadLab(labPath);
  const key = findLocalKey({ keyFile: opts.ageKey });
  const store = await loadSecrets(loaded.lab, loaded.dir, key);
  const rendered = await renderClusterLayer(loaded.lab, store.secrets);
  store.save();
  return { objects: treeObjects(rendered), lab: loaded, source: loaded.display, identity: identityOf(loaded.lab, store.secrets) };
}

function identityOf(lab: Lab, secrets: LabSecrets): LabIdentity {
  if (!secrets.labUid) throw new Error("internal: the secrets store has no lab UID");
  return { cluster: lab.name, uid: secrets.labUid };
}

/** The identity of the lab at labPath (made and saved in its secrets store on first use). */
export async function labIdentity(labPath: string, opts: { ageKey?: string } = {}): Promise<LabIdentity> {
  const [{ loadLab }, { findLocalKey }, { loadSecrets }] = await Promise.all([import("../lab/file.js"), import("../secrets/keys.js"), import("../secrets/store.js")]);
  const loaded = loadLab(labPath);
  const store = await loadSecrets(loaded.lab, loaded.dir, findLocalKey({ keyFile: opts.ageKey }));
  store.save();
  return identityOf(loaded.lab, store.secrets);
}

function walk(p: string, out: string[]): void {
  const st = statSync(p);
  if (st.isDirectory()) {
    for (const n of readdirSync(p).sort()) if (!n.startsWith(".")) walk(join(p, n), out);
  } else if (/\.(ya?ml|json)$/.test(p)) out.push(p);
}

/** Manifests from files or folders; `*.sops.yaml` and other SOPS files are decrypted with the local age key. */
export async function fileInput(paths: readonly string[], opts: { ageKey?: string } = {}): Promise<ClusterInput> {
  const files: string[] = [];
  for (const p of paths) {
    try {
      walk(resolve(p), files);
    } catch (e) {
      throw new UserError(`${p}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, "give manifest files or folders with -f");
    }
  }
  const objects: KubeObject[] = [];
  let identities: readonly string[] | undefined;
  for (const f of files) {
    const display = relative(process.cwd(), f) || f;
    if (/(^|\/)kustomization\.ya?ml$/.test(f)) continue;
    let text = readFileSync(f, "utf8");
    if (/^sops:\s*$/m.test(text) || /"sops"\s*:/.test(text)) {
      const [{ findLocalKey, tryLocalKey }, { decryptText }, { emitJson }] = await Promise.all([import("../secrets/keys.js"), import("../secrets/sops/file.js"), import("../secrets/sops/index.js")]);
      identities ??= (tryLocalKey({ keyFile: opts.ageKey }) ?? findLocalKey({ keyFile: opts.ageKey })).identities;
      const opened = await decryptText(text, display, identities);
      text = emitJson(opened.doc);
    }
    objects.push(...parseManifests(text, display));
  }
  return { objects, source: paths.join(", ") };
}

/** The options every cluster command takes. */
export interface ClusterOptions {
  kubeconfig?: string;
  context?: string;
  ageKey?: string;
  filename?: string[];
  skipUnserved?: boolean;
}

/** Adds --kubeconfig/--context to a command: which cluster it talks to. */
export function kubeconfigOptions<T extends { option(flags: string, description: string, ...rest: never[]): T }>(cmd: T): T {
  return cmd
    .option("--kubeconfig <file>", "kubeconfig to use (default: $KUBECONFIG, then ~/.kube/config)")
    .option("--context <name>", "kubeconfig context (default: its current-context)");
}

/** Adds --kubeconfig/--context/--age-key/-f to a command. */
export function clusterOptions<T extends { option(flags: string, description: string, ...rest: never[]): T }>(cmd: T, withFiles = true): T {
  let c = kubeconfigOptions(cmd)
    .option("--age-key <file>", "age key file for the secrets store (default: DROVER_AGE_KEY_FILE, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY, ~/.config/sops/age/keys.txt)");
  c = c.option("--skip-unserved", "skip objects whose kinds the cluster does not serve yet instead of refusing (the default for a lab, whose Flux and cert-manager objects wait for their CRDs)");
  if (withFiles) c = c.option("-f, --filename <path>", "use manifests from these files or folders instead of rendering lab.yaml (repeatable)", ((v: string, prev: string[] = []) => [...prev, v]) as never);
  return c;
}

/**
 * The desired objects: -f manifests when given (belonging to the lab named by labPath, when one is
 * named), else the lab rendered in memory (labPath, default lab.yaml).
 */
export async function clusterInput(labPath: string | undefined, o: ClusterOptions): Promise<ClusterInput> {
  if (!o.filename?.length) return labInput(labPath, o);
  const files = await fileInput(o.filename, o);
  return labPath === undefined ? files : { ...files, identity: await labIdentity(labPath, o) };
}

/** "90", "90s", "5m", "1h" → ms. */
export function parseDuration(text: string, flag: string): number {
  const ms = durationMs(text);
  if (ms === undefined) throw new UserError(`${flag} ${text} is not a duration`, `write it like 30s, 5m or 1h`, 2);
  return ms;
}

/** "90s", "5m", "1h", "250ms", "1.5h" or a bare number of seconds → whole milliseconds; undefined for anything else */
export function durationMs(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? "s") as "ms" | "s" | "m" | "h"]);
}
