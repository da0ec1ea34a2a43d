// kubeconform -strict against real schemas, offline: the Kubernetes OpenAPI (swagger.json of the pinned
// Kubernetes version, from the k8s.io/kubernetes module) and upstream CRD files are converted into
// kubeconform's standalone JSON schemas, the way openapi2jsonschema does (--stand-alone --strict):
// one file per kind with its reachable definitions alongside, closed objects (additionalProperties:
// false) wherever the API declares properties, int-or-string and quantities as Kubernetes reads them.
// The schema folder is cached in the tools cache, keyed by the inputs' hash.
import { createHash } from "node:crypto";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseAllDocuments } from "yaml";
import { tool, toolData, TOOLS_CACHE } from "./paths.js";
import type { FileTree } from "../render/tree.js";

type Json = Record<string, unknown>;
const LAYOUT = "{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json";

const INT_OR_STRING = { anyOf: [{ type: "string" }, { type: "integer" }] };
const QUANTITY = { anyOf: [{ type: "string", pattern: "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$" }, { type: "number" }] };

/** Closes every object schema that lists properties; translates Kubernetes extensions; rewrites $refs. */
function strictify(s: unknown, refPrefix: string): unknown {
  if (Array.isArray(s)) return s.map((x) => strictify(x, refPrefix));
  if (!s || typeof s !== "object") return s;
  const o = s as Json;
  if (o["x-kubernetes-int-or-string"] === true || o.format === "int-or-string") {
    const { type: _t, format: _f, ...rest } = o;
    return { ...stripExt(rest), ...INT_OR_STRING };
  }
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === "$ref" && typeof v === "string") out.$ref = v.replace("#/definitions/", refPrefix);
    else if (k === "properties" || k === "patternProperties" || k === "definitions") {
      out[k] = Object.fromEntries(Object.entries(v as Json).map(([pk, pv]) => [pk, strictify(pv, refPrefix)]));
    } else if (typeof v === "object" && v !== null && !k.startsWith("x-")) out[k] = strictify(v, refPrefix);
    else if (!k.startsWith("x-") && k !== "nullable") out[k] = v;
  }
  if (o.nullable === true && typeof out.type === "string") out.type = [out.type, "null"];
  const open = o["x-kubernetes-preserve-unknown-fields"] === true;
  if (out.properties && out.additionalProperties === undefined && !open) out.additionalProperties = false;
  return out;
}

function stripExt(o: Json): Json {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !k.startsWith("x-") && k !== "nullable"));
}

/** Every definition reachable from `name` in the swagger definitions. */
function reachable(defs: Json, name: string, seen = new Set<string>()): Set<string> {
  if (seen.has(name)) return seen;
  seen.add(name);
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (k === "$ref" && typeof x === "string") reachable(defs, x.replace("#/definitions/", ""), seen);
        else walk(x);
      }
    }
  };
  walk(defs[name]);
  return seen;
}

interface Gvk { group: string; version: string; kind: string }

function writeSchema(dir: string, gvk: Gvk, schema: Json): void {
  const file = join(dir, gvk.group || gvk.version, `${gvk.kind.toLowerCase()}_${gvk.version}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(schema));
}

function buildSchemas(dir: string, crdFiles: readonly string[]): void {
  const swagger = JSON.parse(readFileSync(join(toolData("k8s-openapi"), "openapi-spec/swagger.json"), "utf8")) as { definitions: Json };
  const defs = swagger.definitions;
  defs["io.k8s.apimachinery.pkg.util.intstr.IntOrString"] = INT_OR_STRING;
  defs["io.k8s.apimachinery.pkg.api.resource.Quantity"] = QUANTITY;
  const strictDefs: Json = {};
  const strictDef = (n: string): unknown => (strictDefs[n] ??= strictify(defs[n], "#/definitions/"));
  for (const [name, def] of Object.entries(defs)) {
    const gvks = (def as Json)["x-kubernetes-group-version-kind"] as Gvk[] | undefined;
    if (!gvks) continue;
    const names = [...reachable(defs, name)].sort();
    const definitions = Object.fromEntries(names.map((n) => [n, strictDef(n)]));
    for (const gvk of gvks) writeSchema(dir, gvk, { $ref: `#/definitions/${name}`, definitions });
  }
  // CRDs: their openAPIV3Schema, with metadata typed as the real ObjectMeta
  const metaNames = [...reachable(defs, "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")].sort();
  const metaDefs = Object.fromEntries(metaNames.map((n) => [n, strictDef(n)]));
  for (const file of crdFiles) {
    for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
      const crd = doc.toJS() as { kind?: string; spec?: { group: string; names: { kind: string }; versions?: { name: string; schema?: { openAPIV3Schema?: Json } }[] } } | null;
      if (crd?.kind !== "CustomResourceDefinition" || !crd.spec) continue;
      for (const v of crd.spec.versions ?? []) {
        const raw = v.schema?.openAPIV3Schema;
        if (!raw) continue;
        const s = strictify(raw, "#/definitions/") as Json;
        const props = { ...(s.properties as Json | undefined) };
        props.metadata = { $ref: "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" };
        props.apiVersion ??= { type: "string" };
        props.kind ??= { type: "string" };
        writeSchema(dir, { group: crd.spec.group, version: v.name, kind: crd.spec.names.kind }, { ...s, properties: props, definitions: metaDefs });
      }
    }
  }
}

/** The schema folder for these CRD files (built once, cached by the inputs' hash). */
export function schemaDir(crdFiles: readonly string[] = []): string {
  const h = createHash("sha256").update(`v2 ${toolData("k8s-openapi")}\n`);
  for (const f of [...crdFiles].sort()) h.update(f).update("\0").update(readFileSync(f)).update("\0");
  const dir = join(TOOLS_CACHE, "kubeconform-schemas", h.digest("hex").slice(0, 16));
  if (existsSync(join(dir, ".done"))) return dir;
  mkdirSync(dirname(dir), { recursive: true });
  const tmp = mkdtempSync(`${dir}.tmp-`);
  buildSchemas(tmp, crdFiles);
  writeFileSync(join(tmp, ".done"), "");
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another process won the race: its folder is as good
  }
  return dir;
}

export interface KubeconformFinding {
  readonly filename: string;
  readonly kind: string;
  readonly name: string;
  readonly version: string;
  readonly status: string;
  readonly msg: string;
}

export interface KubeconformResult {
  readonly valid: number;
  readonly problems: readonly KubeconformFinding[];
}

/** Runs kubeconform -strict over files or folders (kustomization.yaml files are not resources and are ignored). */
export function kubeconform(paths: readonly string[], opts: { crds?: readonly string[] } = {}): KubeconformResult {
  const dir = schemaDir(opts.crds ?? []);
  const r = spawnSync(
    tool("kubeconform"),
    ["-strict", "-verbose", "-output", "json", "-ignore-filename-pattern", "(^|/)kustomization\\.yaml$", "-schema-location", join(dir, LAYOUT), ...paths],
    { encoding: "utf8", maxBuffer: 512 * 1024 * 1024 },
  );
  if (r.error) throw r.error;
  let parsed: { resources?: KubeconformFinding[] };
  try {
    parsed = JSON.parse(r.stdout) as typeof parsed;
  } catch {
    throw new Error(`kubeconform failed (exit ${r.status}): ${r.stderr || r.stdout}`);
  }
  const resources = parsed.resources ?? [];
  return { valid: resources.filter((x) => x.status === "statusValid").length, problems: resources.filter((x) => x.status !== "statusValid") };
}

/** Writes a rendered tree (its plaintext, before SOPS) to a temp folder, runs kubeconform on its YAML files. */
export function kubeconformTree(t: FileTree, opts: { crds?: readonly string[]; only?: (path: string) => boolean } = {}): KubeconformResult {
  const root = mkdtempSync(join(tmpdir(), "drover-kubeconform-"));
  try {
    const files: string[] = [];
    for (const [path, f] of t) {
      if (!/\.ya?ml$/.test(path) || (opts.only && !opts.only(path)) || /(^|\/)kustomization\.yaml$/.test(path)) continue;
      const abs = join(root, path);
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, f.content);
      files.push(abs);
    }
    if (!files.length) return { valid: 0, problems: [] };
    const r = kubeconform([root], opts);
    return { valid: r.valid, problems: r.problems.map((p) => ({ ...p, filename: p.filename.slice(root.length + 1) })) };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** A readable failure message for a result with problems, or undefined. */
export function describeProblems(r: KubeconformResult): string | undefined {
  if (!r.problems.length) return undefined;
  return `${r.problems.length} resource(s) fail kubeconform -strict:\n` + r.problems.map((p) => `  ${p.filename}: ${p.kind}/${p.name}: ${p.msg}`).join("\n");
}

/** Version string of the kubeconform binary (for reports). */
export function kubeconformVersion(): string {
  return execFileSync(tool("kubeconform"), ["-v"], { encoding: "utf8" }).trim();
}
