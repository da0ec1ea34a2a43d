// lab.yaml text → validated LabSpec, or every problem found, each placed at file:line:column.
import type { z } from "zod";
import { LabSpecSchema, type LabSpec } from "./schema.js";
import { parseSource, positionOf, precheck, lazySource, type Source } from "./source.js";
import { fastRead } from "./fast-yaml.js";
import { didYouMean, pathText, type Diagnostic, type Finding, type Path } from "./diagnostic.js";
import { checkRules } from "./rules/index.js";

export interface LoadResult {
  /** present when there are no errors (warnings may exist) */
  readonly spec?: LabSpec;
  readonly diagnostics: readonly Diagnostic[];
  readonly source: Source;
}

/** Structural problems reported at most; a file with more is most likely not a lab spec at all. */
export const MAX_ISSUES = 500;

export interface LoadOptions {
  /**
   * Read a valid lab with the fast YAML reader and skip building the position-keeping document
   * (default true). Anything the fast path cannot accept without a single diagnostic is read again
   * by the positional path, so diagnostics are identical either way.
   */
  readonly fast?: boolean;
}

export function loadSpec(text: string, file = "lab.yaml", opts: LoadOptions = {}): LoadResult {
  if (opts.fast !== false) {
    const quick = loadQuick(text, file);
    if (quick) return quick;
  }
  return loadPositional(text, file);
}

/**
 * The fast path: js-yaml reads the value and its event stream gives positions. Undefined when
 * js-yaml cannot read the document (syntax errors, anchors and aliases): the positional path then
 * reports it.
 */
function loadQuick(text: string, file: string): LoadResult | undefined {
  if (precheck(text).length) return undefined;
  const read = fastRead(text);
  if (read === undefined) return undefined;
  return validate(read.value, lazySource(file, text, read.tree));
}

function loadPositional(text: string, file: string): LoadResult {
  const parsed = parseSource(file, text);
  if (parsed.findings.length) return { diagnostics: parsed.findings.map((f) => locate(parsed.source, f)), source: parsed.source };
  return validate(parsed.value, parsed.source);
}

/** A document's value → the spec, or every problem, placed through source. */
function validate(value: unknown, source: Source): LoadResult {
  const place = (f: Finding) => locate(source, f);
  if (value === null || value === undefined || typeof value !== "object" || Array.isArray(value)) {
    return {
      diagnostics: [place({ severity: "error", path: [], message: "the document is not a lab spec (expected a mapping with apiVersion, kind, cluster, sites, hosts and nodes)", hint: "run `drover init` to write a starter lab.yaml" })],
      source,
    };
  }
  const broken = loneSurrogates(value);
  if (broken.length) return { diagnostics: sortDiagnostics(broken.map(place)), source };
  const result = LabSpecSchema.safeParse(withoutExtensions(value as Record<string, unknown>));
  if (!result.success) {
    const issues = result.error.issues;
    const findings = foldMisspelled(issues.slice(0, MAX_ISSUES).flatMap((i) => issueFindings(i, value)));
    if (issues.length > MAX_ISSUES) findings.push({ severity: "error", path: [], message: `${issues.length - MAX_ISSUES} more problems not shown (${issues.length} in all)`, hint: "fix the ones above and run drover check again; is this the right file?" });
    return { diagnostics: sortDiagnostics(dedupe(findings).map(place)), source };
  }
  const findings = capFindings(checkRules(result.data));
  const diagnostics = sortDiagnostics(findings.map(place));
  const hasError = diagnostics.some((d) => d.severity === "error");
  return { spec: hasError ? undefined : result.data, diagnostics, source };
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Text that is not Unicode (a "\uD800" escape alone) can be written to no generated file: refused where it stands. */
function loneSurrogates(root: unknown): Finding[] {
  const out: Finding[] = [];
  const walk = (v: unknown, path: (string | number)[]): void => {
    if (out.length >= MAX_ISSUES) return;
    if (typeof v === "string") {
      if (LONE_SURROGATE.test(v)) out.push({ severity: "error", path, message: "is not valid Unicode text: it holds half of a surrogate pair (a \\uD800-\\uDFFF escape on its own)", hint: "write the character itself, or a \\U0001F600-style escape for characters beyond U+FFFF" });
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (LONE_SURROGATE.test(k)) out.push({ severity: "error", path: [...path, k], atKey: true, message: "this key is not valid Unicode text (half of a surrogate pair)" });
        walk(x, [...path, k]);
      }
    }
  };
  walk(root, []);
  return out;
}

/** At most MAX_ISSUES findings of each severity, then one line saying how many more there are (as for structural problems). */
export function capFindings(fs: readonly Finding[]): Finding[] {
  if (fs.length <= MAX_ISSUES) return [...fs];
  const out: Finding[] = [];
  const count = { error: 0, warning: 0 };
  for (const f of fs) if (++count[f.severity] <= MAX_ISSUES) out.push(f);
  for (const sev of ["error", "warning"] as const) {
    const more = count[sev] - MAX_ISSUES;
    if (more > 0) out.push({ severity: sev, path: [], message: `${more} more ${sev}s not shown (${count[sev]} in all)`, hint: "fix the ones above and run drover check again" });
  }
  return out;
}

/**
 * Top-level keys starting with "x-" are extension fields (as in Compose files): a place for YAML
 * anchors shared by several entries (`x-pi: &pi {...}` then `- { <<: *pi, name: pi1 }`). Ignored.
 */
export function withoutExtensions(value: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(value);
  if (!keys.some((k) => k.startsWith("x-"))) return value;
  return Object.fromEntries(keys.filter((k) => !k.startsWith("x-")).map((k) => [k, value[k]]));
}

export function locate(source: Source, f: Finding): Diagnostic {
  const pos = f.at ?? positionOf(source, f.path, f.atKey);
  return {
    severity: f.severity,
    file: source.file,
    line: pos.line,
    column: pos.column,
    path: pathText(f.path),
    message: f.message,
    ...(f.hint ? { hint: f.hint } : {}),
  };
}

export function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return ds.sort((a, b) => a.line - b.line || a.column - b.column || a.path.localeCompare(b.path) || a.message.localeCompare(b.message));
}

/** "memory is required" next to "unknown field 'ram': did you mean memory?" says the same thing twice: keep the second. */
function foldMisspelled(fs: Finding[]): Finding[] {
  const meant = new Set<string>();
  for (const f of fs) {
    const m = f.atKey && f.hint ? /^did you mean (\S+)\?$/.exec(f.hint) : null;
    if (m) meant.add(pathText([...f.path.slice(0, -1), m[1]!]));
  }
  if (meant.size === 0) return fs;
  return fs.filter((f) => !(f.message === "is required" && meant.has(pathText(f.path))));
}

function dedupe(fs: Finding[]): Finding[] {
  const seen = new Set<string>();
  return fs.filter((f) => {
    const k = pathText(f.path) + "\0" + f.message;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

// ---------- zod issues → findings ----------

type Issue = z.core.$ZodIssue;

function valueAt(root: unknown, path: Path): unknown {
  let v: unknown = root;
  for (const seg of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return `the text ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v)}`;
  return `${typeof v} ${String(v)}`;
}

const EXPECTED: Record<string, string> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  object: "a mapping (key: value lines)",
  array: "a list (lines starting with '- ')",
  record: "a mapping",
};

function issueFindings(issue: Issue, root: unknown): Finding[] {
  const path = issue.path as (string | number)[];
  const actual = valueAt(root, path);
  switch (issue.code) {
    case "unrecognized_keys": {
      const known = knownKeys(LabSpecSchema as unknown as Schema, path, root);
      const here = valueAt(root, path);
      const present = here && typeof here === "object" ? new Set(Object.keys(here)) : new Set<string>();
      const absent = known.filter((k) => !present.has(k));
      return issue.keys.map((k) => /^(\[object Object\]|[{[])/.test(k) ? {
        severity: "error" as const,
        path: [...path, k],
        atKey: true,
        message: "a key here is a mapping or a list, not a field name",
        hint: "field names are plain words followed by ':'; remove the '? ' or the brackets around the key",
      } : {
        severity: "error" as const,
        path: [...path, k],
        atKey: true,
        message: `unknown field '${k}'`,
        hint: suggestField(k, known, absent) ?? (known.length ? `known fields here: ${known.join(", ")}` : "remove it"),
      });
    }
    case "invalid_type": {
      if (actual === undefined) {
        return [{ severity: "error", path, message: "is required", hint: requiredHint(path, EXPECTED[issue.expected] ?? issue.expected) }];
      }
      return [{ severity: "error", path, message: `must be ${EXPECTED[issue.expected] ?? issue.expected}, not ${describe(actual)}`, ...(FIELD_EXAMPLES[lastName(path)] ? { hint: `for example ${lastName(path)}: ${FIELD_EXAMPLES[lastName(path)]}` } : {}) }];
    }
    case "invalid_value": {
      const values = issue.values.map(String);
      if (actual === undefined) return [{ severity: "error", path, message: "is required", hint: `add ${lastName(path)}: ${values.length === 1 ? values[0] : `one of ${values.join(", ")}`}` }];
      if (values.length === 1) return [{ severity: "error", path, message: issue.message.startsWith("must") ? issue.message : `must be ${values[0]}`, hint: `write ${lastName(path)}: ${values[0]}` }];
      return [{
        severity: "error",
        path,
        message: `must be one of ${values.join(", ")}, not ${describe(actual)}`,
        ...(typeof actual === "string" && suggestValue(actual, values) ? { hint: suggestValue(actual, values) } : {}),
      }];
    }
    case "invalid_union": {
      const disc = (issue as { note?: string; discriminator?: string }).discriminator;
      if (disc || (issue as { note?: string }).note === "No matching discriminator") {
        const field = disc ?? "type";
        const atField = path[path.length - 1] === field;
        const options = ((issue as { options?: unknown[] }).options ?? discriminatorValues(LabSpecSchema as unknown as Schema, atField ? path.slice(0, -1) : path, root)).map(String);
        const fieldPath = atField ? path : [...path, field];
        const got = valueAt(root, fieldPath);
        return [{
          severity: "error",
          path: got === undefined ? fieldPath.slice(0, -1) : fieldPath,
          message: got === undefined ? `needs a ${field}: one of ${options.join(", ")}` : `must be one of ${options.join(", ")}, not ${describe(got)}`,
          hint: (typeof got === "string" ? didYouMean(got, options) : undefined) ?? `add ${field}: ${options[0]} (or another of the above)`,
        }];
      }
      // a plain union: report the branch that got furthest
      const best = issue.errors.map((branch) => branch.flatMap((i) => issueFindings({ ...i, path: [...path, ...i.path] } as Issue, root)))
        .sort((a, b) => a.length - b.length)[0];
      return best && best.length ? best : [{ severity: "error", path, message: issue.message }];
    }
    case "too_small": {
      if (issue.origin === "array") return [{ severity: "error", path, message: issue.message.startsWith("Too small") ? `needs at least ${issue.minimum} item${Number(issue.minimum) === 1 ? "" : "s"}` : issue.message, hint: `add an entry under ${lastName(path)}:${FIELD_EXAMPLES[lastName(path)] ? ` ${FIELD_EXAMPLES[lastName(path)]}` : ""}` }];
      if (issue.origin === "string") return [{ severity: "error", path, message: Number(issue.minimum) === 1 ? "must not be empty" : `must be at least ${issue.minimum} characters` }];
      return [{ severity: "error", path, message: `${describe(actual)} is too small: must be at least ${issue.minimum}` }];
    }
    case "too_big": {
      if (issue.origin === "string") return [{ severity: "error", path, message: `is too long: at most ${issue.maximum} characters` }];
      if (issue.origin === "array") return [{ severity: "error", path, message: `has too many items: at most ${issue.maximum}` }];
      return [{ severity: "error", path, message: `${describe(actual)} is too large: must be at most ${issue.maximum}` }];
    }
    case "invalid_format":
    case "custom":
    default: {
      const [message, hint] = splitHint(issue.message);
      const msg = message.startsWith("must") || message.startsWith("is") || message.startsWith("needs") ? message : message;
      return [{ severity: "error", path, message: msg, ...(hint ? { hint } : {}) }];
    }
  }
}

function splitHint(message: string): [string, string | undefined] {
  const i = message.indexOf("; ");
  if (i < 0) return [message, undefined];
  return [message.slice(0, i), message.slice(i + 2)];
}

function lastName(path: Path): string {
  for (let i = path.length - 1; i >= 0; i--) if (typeof path[i] === "string") return String(path[i]);
  return "the field";
}

/** Example values for "is required" and wrong-type hints, by field name. */
const FIELD_EXAMPLES: Record<string, string> = {
  apiVersion: "drover.dev/v1alpha1", kind: "Lab", cluster: "{ name: lab, endpoint: { address: 192.168.1.5 }, domains: { private: lab.internal } }",
  endpoint: "{ address: 192.168.1.5 }", domains: "{ private: lab.internal }", private: "lab.internal", public: "example.com",
  name: "nuc-1", site: "home", host: "nuc1", arch: "amd64", cpu: "4", memory: "16Gi", size: "64Gi", lan: "192.168.1.0/24",
  address: "192.168.1.10", gateway: "192.168.1.1", device: "/dev/sda", email: "you@example.com", server: "192.168.1.10",
  path: "/mnt/tank/k8s", portal: "192.168.1.10:3260", pool: "192.168.1.200-192.168.1.220", subnet: "10.200.0.0/24",
  bucket: "backups", file: "functions/hello.py", effect: "NoSchedule", key: "dedicated", vendor: "nvidia",
  monitors: "[192.168.1.11:6789]", clusterID: "<ceph fsid>", fsName: "cephfs", target: "{ kind: Deployment }", patch: "{}",
  sites: "[{ name: home, lan: 192.168.1.0/24 }]", hosts: "[{ name: nuc1, site: home, arch: amd64, cpu: 4, memory: 16Gi }]",
  nodes: "[{ name: node1, host: nuc1, role: controlplane, address: 192.168.1.20 }]", recipients: "[age1…]", groups: "[admins]",
  disks: "[{ device: /dev/sda, size: 256Gi }]", dns: "[192.168.1.1]", replicas: "2", port: "51820", nat: "true", backup: "true",
};

function requiredHint(path: Path, expected: string): string {
  const name = lastName(path);
  return `add ${name}: ${FIELD_EXAMPLES[name] ?? `(${expected})`}`;
}

/** Values people write that Drover spells differently. */
const VALUE_SYNONYMS: Record<string, string> = {
  master: "controlplane", "control-plane": "controlplane", server: "controlplane", agent: "worker", node: "worker",
  x86_64: "amd64", x86: "amd64", x64: "amd64", aarch64: "arm64", arm: "arm64", armv8: "arm64",
  internal: "private", lan: "private", external: "public", internet: "public", hidden: "none", off: "none",
  mesh: "full-mesh", fullmesh: "full-mesh", hub: "site-leaders", "hub-and-spoke": "site-leaders", star: "site-leaders",
  kvm: "libvirt", qemu: "libvirt", pve: "proxmox", "always_on": "always-on", alwayson: "always-on", desktop: "volatile",
  route53: "none", "pi-hole": "pihole", vm: "vm", virtual: "vm", metal: "baremetal", physical: "baremetal",
};

function suggestValue(v: string, values: readonly string[]): string | undefined {
  const syn = VALUE_SYNONYMS[v.toLowerCase()];
  if (syn && values.includes(syn) && syn !== v) return syn === "none" ? `Drover cannot manage ${v}; use one of ${values.join(", ")}` : `did you mean ${syn}?`;
  return didYouMean(v, values);
}

/** Words people write for a field Drover spells differently. */
const SYNONYMS: Record<string, string> = {
  ram: "memory", mem: "memory", cores: "cpu", cpus: "cpu", vcpu: "cpu", vcpus: "cpu", ip: "address", ipAddress: "address", ip_address: "address",
  hostname: "name", cidr: "lan", subnet: "lan", network: "lan", master: "role", type: "kind", os: "distribution", version: "kubernetesVersion",
  wireguard: "overlay", wg: "overlay", lb: "loadBalancer", metallb: "loadBalancer", expose: "exposure", visibility: "exposure",
  storageClass: "storage", volume: "storage", nodeSelector: "placement", users: "identity", groups: "identity", disk: "disks", gpu: "gpus",
};

/** "did you mean" for an unknown field: a known synonym, a missing field it resembles, or the closest known field. */
function suggestField(key: string, known: readonly string[], absent: readonly string[]): string | undefined {
  const syn = SYNONYMS[key] ?? SYNONYMS[key.toLowerCase()];
  if (syn && known.includes(syn)) return `did you mean ${syn}?`;
  const lower = key.toLowerCase();
  const related = absent.find((k) => lower.startsWith(k.toLowerCase()) || k.toLowerCase().startsWith(lower));
  if (related) return `did you mean ${related}?`;
  return didYouMean(key, absent) ?? didYouMean(key, known);
}

// ---------- walking the schema (for "did you mean" on unknown fields) ----------

interface Def { type: string; innerType?: Schema; in?: Schema; shape?: Record<string, Schema>; element?: Schema; options?: readonly Schema[]; discriminator?: string; valueType?: Schema }
interface Schema { _zod: { def: Def } }

function unwrap(s: Schema): Schema {
  let cur = s;
  for (let i = 0; i < 20; i++) {
    const d = cur._zod.def;
    if ((d.type === "optional" || d.type === "default" || d.type === "prefault" || d.type === "nullable" || d.type === "readonly") && d.innerType) cur = d.innerType;
    else if (d.type === "pipe" && d.in) cur = d.in;
    else break;
  }
  return cur;
}

function schemaAt(root: Schema, path: Path, value: unknown): Schema | undefined {
  let s: Schema | undefined = unwrap(root);
  let v: unknown = value;
  for (const seg of path) {
    if (!s) return undefined;
    s = pickOption(s, v);
    const d: Def = s._zod.def;
    if (d.type === "object" && d.shape && typeof seg === "string") s = d.shape[seg];
    else if (d.type === "array" && d.element) s = d.element;
    else if (d.type === "record" && d.valueType) s = d.valueType;
    else return undefined;
    v = v !== null && typeof v === "object" ? (v as Record<string | number, unknown>)[seg] : undefined;
    if (s) s = unwrap(s);
  }
  return s ? pickOption(s, v) : undefined;
}

function pickOption(s: Schema, v: unknown): Schema {
  const d = s._zod.def;
  if (d.type === "union" && d.options && d.discriminator && v && typeof v === "object") {
    const want = (v as Record<string, unknown>)[d.discriminator];
    for (const o of d.options) {
      const od = unwrap(o)._zod.def;
      const lit = od.shape?.[d.discriminator] as unknown as { _zod: { def: { values?: unknown[] } } } | undefined;
      if (lit?._zod.def.values?.includes(want)) return unwrap(o);
    }
  }
  return s;
}

function knownKeys(root: Schema, path: Path, value: unknown): string[] {
  const s = schemaAt(root, path, value);
  const shape = s?._zod.def.shape;
  return shape ? Object.keys(shape) : [];
}

function discriminatorValues(root: Schema, path: Path, value: unknown): string[] {
  const s = schemaAt(root, path, value);
  const d = s?._zod.def;
  if (!d || d.type !== "union" || !d.options || !d.discriminator) return [];
  return d.options.flatMap((o) => {
    const lit = unwrap(o)._zod.def.shape?.[d.discriminator!] as unknown as { _zod: { def: { values?: unknown[] } } } | undefined;
    return (lit?._zod.def.values ?? []).map(String);
  });
}
