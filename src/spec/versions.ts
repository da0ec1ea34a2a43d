// versions.yaml (beside lab.yaml) → the lab's version overrides, every value validated for what it is
// (a version is a version, an image reference an image reference), every problem placed at
// file:line:column. The same format as the effective versions.yaml `drover render` writes, so that
// file copied beside lab.yaml pins every version (and Renovate bumps it there).
import { parseSource, type Source } from "./source.js";
import { didYouMean, type Diagnostic, type Finding, type Path } from "./diagnostic.js";
import { locate, sortDiagnostics } from "./load.js";
import type { LabSpec } from "./schema.js";
import { API_VERSION } from "./schema.js";
import { TALOS_MIN_MINOR } from "./talos/fields.js";
import { pinnedTag } from "../catalog/lint.js";
import { CHART_NAMES, FLUX_VERSION, IMAGE_NAMES, type ChartName, type ImageName, type ImagePin } from "../versions/defaults.js";

export const VERSIONS_FILE = "versions.yaml";
export const VERSIONS_KIND = "Versions";

/** What a lab's versions.yaml sets; anything absent keeps Drover's default. */
export interface VersionOverrides {
  readonly talos?: string;
  readonly kubernetes?: string;
  readonly k3s?: string;
  readonly charts: Partial<Record<ChartName, string>>;
  readonly images: Partial<Record<ImageName, ImagePin>>;
  /** the chart's upgradeCompatibility while it moves a minor release (Cilium's documented upgrade path) */
  readonly upgradeCompatibility?: { readonly cilium?: string };
}

export const NO_OVERRIDES: VersionOverrides = { charts: {}, images: {} };

const RELEASE = /^\d+\.\d+\.\d+$/;
const K3S = /^v?\d+\.\d+\.\d+\+k3s\d+$/;
/** a chart version: SemVer 2, with or without a leading v (cert-manager's and Envoy Gateway's charts have one) */
const CHART_VERSION = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;
/** the registry host of a reference: a DNS name or IPv4 with an optional port, or localhost */
const REGISTRY = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)(?::[0-9]{1,5})?$/;
/** one path component of a repository (the distribution reference grammar) */
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * An image reference as Drover writes it: repository:tag, or repository:tag@sha256:<digest>. The
 * repository follows the OCI distribution grammar (an optional registry host, then lower-case path
 * components); a tag is required (a digest alone says nothing to a reader or to Renovate), and it
 * must name a release, not a moving tag like latest.
 */
export function parseImageRef(text: string): { image: ImagePin } | { problem: string } {
  const at = text.indexOf("@");
  const digest = at >= 0 ? text.slice(at + 1) : undefined;
  const named = at >= 0 ? text.slice(0, at) : text;
  if (digest !== undefined && !DIGEST.test(digest)) return { problem: `the digest ${JSON.stringify(digest)} is not sha256: followed by 64 lower-case hex digits` };
  const slash = named.lastIndexOf("/");
  const colon = named.lastIndexOf(":");
  if (colon <= slash) return { problem: "has no tag: write repository:tag (for example vaultwarden/server:1.34.3)" };
  const repository = named.slice(0, colon);
  const tag = named.slice(colon + 1);
  if (!TAG.test(tag)) return { problem: `the tag ${JSON.stringify(tag)} is not a tag (letters, digits, _ . -, at most 128, not starting with . or -)` };
  if (!pinnedTag(tag)) return { problem: `the tag ${tag} moves with every release: name a release (for example 1.34.3)` };
  const parts = repository.split("/");
  const host = parts.length > 1 && (/[.:]/.test(parts[0]!) || parts[0] === "localhost") ? parts.shift()! : undefined;
  if (host !== undefined && !REGISTRY.test(host)) return { problem: `the registry ${JSON.stringify(host)} is not a host name (with an optional :port)` };
  const bad = parts.find((p) => !COMPONENT.test(p));
  if (bad !== undefined || !parts.length) return { problem: `the repository path component ${JSON.stringify(bad ?? "")} is not lower-case letters and digits separated by . _ __ or -` };
  if (repository.length > 255) return { problem: "the repository name is longer than 255 characters" };
  return { image: { repository, tag, ...(digest ? { digest } : {}) } };
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export interface VersionsResult {
  /** present when there are no errors */
  readonly overrides?: VersionOverrides;
  readonly diagnostics: readonly Diagnostic[];
  readonly source: Source;
}

/** Reads versions.yaml; `spec` (when valid) lets it refuse a version set in both files. */
export function loadVersions(text: string, file = VERSIONS_FILE, spec?: LabSpec): VersionsResult {
  const parsed = parseSource(file, text);
  if (parsed.findings.length) return { diagnostics: parsed.findings.map((f) => locate(parsed.source, f)), source: parsed.source };
  const findings = [...versionFindings(parsed.value, spec)];
  const diagnostics = sortDiagnostics(findings.map((f) => locate(parsed.source, f)));
  if (diagnostics.some((d) => d.severity === "error")) return { diagnostics, source: parsed.source };
  return { overrides: overridesOf(parsed.value), diagnostics, source: parsed.source };
}

const TOP = ["apiVersion", "kind", "talos", "kubernetes", "k3s", "flux", "charts", "images", "upgradeCompatibility"];
const err = (path: Path, message: string, hint?: string, atKey = false): Finding => ({ severity: "error", path, message, ...(hint ? { hint } : {}), ...(atKey ? { atKey } : {}) });

function* versionFindings(value: unknown, spec: LabSpec | undefined): Generator<Finding> {
  if (value === null || value === undefined) return; // an empty file overrides nothing
  if (!isMap(value)) {
    yield err([], "the document is not a versions file (expected a mapping with talos, kubernetes, charts, images…)", "see the versions.yaml drover render writes for the format");
    return;
  }
  for (const k of Object.keys(value)) {
    if (!TOP.includes(k)) yield err([k], `unknown field '${k}'${didYouMean(k, TOP) ?? ""}`, `the fields are ${TOP.join(", ")}`, true);
  }
  if (value.apiVersion !== undefined && value.apiVersion !== API_VERSION) yield err(["apiVersion"], `must be ${API_VERSION}`, `write apiVersion: ${API_VERSION}, or leave it out`);
  if (value.kind !== undefined && value.kind !== VERSIONS_KIND) yield err(["kind"], `must be ${VERSIONS_KIND}`, `write kind: ${VERSIONS_KIND}, or leave it out`);
  const version = (key: "talos" | "kubernetes" | "k3s", re: RegExp, example: string) => {
    const v = value[key];
    if (v === undefined) return [];
    if (typeof v !== "string" || !re.test(v)) return [err([key], `must be a version such as ${example}${typeof v === "string" ? "" : " (in quotes)"}`, `write ${key}: "${example}"`)];
    return [];
  };
  yield* version("talos", RELEASE, "1.12.6");
  yield* version("kubernetes", RELEASE, "1.35.4");
  yield* version("k3s", K3S, "v1.35.4+k3s1");
  if (typeof value.talos === "string" && RELEASE.test(value.talos)) {
    const [major, minor] = value.talos.split(".").map(Number);
    if (major! < 1 || (major === 1 && minor! < TALOS_MIN_MINOR)) yield err(["talos"], `Talos ${value.talos} is not supported: Drover renders machine configs for Talos 1.${TALOS_MIN_MINOR} and later`, "upgrade the nodes with talosctl upgrade, then set a supported version");
  }
  if (value.flux !== undefined && value.flux !== FLUX_VERSION) {
    yield err(["flux"], `Flux ${typeof value.flux === "string" ? value.flux : JSON.stringify(value.flux)} is not the version this Drover vendors (${FLUX_VERSION}): Flux's CRDs and controllers ship with Drover`, `remove flux, or set flux: "${FLUX_VERSION}"; Flux moves with a Drover upgrade`);
  }
  if (spec) {
    const both = [["talos", "talosVersion"], ["kubernetes", "kubernetesVersion"], ["k3s", "k3sVersion"]] as const;
    for (const [k, field] of both) {
      if (value[k] !== undefined && spec.cluster[field] !== undefined) {
        yield err([k], `${k} is set twice: here and in lab.yaml (cluster.${field}: ${spec.cluster[field]})`, `keep one: delete cluster.${field} from lab.yaml to let this file (and Renovate) own it, or delete ${k} here`, true);
      }
    }
  }
  yield* table(value, "charts", CHART_NAMES, (path, v) => (typeof v === "string" && CHART_VERSION.test(v) ? [] : [err(path, `must be a chart version such as 1.20.2 or v1.21.2${typeof v === "string" ? "" : " (in quotes)"}`)]));
  yield* upgradeCompatibilityFindings(value.upgradeCompatibility);
  yield* table(value, "images", IMAGE_NAMES, (path, v) => {
    if (typeof v !== "string") return [err(path, "must be an image reference such as vaultwarden/server:1.34.3, in quotes")];
    const r = parseImageRef(v);
    return "problem" in r ? [err(path, `is not an image reference: ${r.problem}`, "write repository:tag or repository:tag@sha256:<digest>")] : [];
  });
}

function* table(value: Record<string, unknown>, key: "charts" | "images", names: readonly string[], check: (path: Path, v: unknown) => Finding[]): Generator<Finding> {
  const t = value[key];
  if (t === undefined || t === null) return;
  if (!isMap(t)) {
    yield err([key], `must be a mapping of ${key === "charts" ? "chart" : "image"} name → ${key === "charts" ? "version" : "reference"}`);
    return;
  }
  for (const [k, v] of Object.entries(t)) {
    if (!names.includes(k)) {
      yield err([key, k], `unknown ${key === "charts" ? "chart" : "image"} '${k}'${didYouMean(k, names) ?? ""}`, `the ${key} Drover renders: ${names.join(", ")}`, true);
      continue;
    }
    yield* check([key, k], v);
  }
}

/**
 * upgradeCompatibility: { cilium: "1.19" } — Cilium's documented upgrade path: while the chart moves a
 * minor release, the chart keeps the defaults of the release the cluster runs (the chart's
 * upgradeCompatibility value); drover upgrade --plan says when a bump needs it.
 */
function* upgradeCompatibilityFindings(v: unknown): Generator<Finding> {
  if (v === undefined) return;
  if (!isMap(v)) {
    yield err(["upgradeCompatibility"], "must be a mapping of chart name → the minor release the cluster runs, such as cilium: \"1.19\"");
    return;
  }
  for (const [k, x] of Object.entries(v)) {
    if (k !== "cilium") yield err(["upgradeCompatibility", k], `unknown chart '${k}'${didYouMean(k, ["cilium"]) ?? ""}`, "only cilium has an upgradeCompatibility setting", true);
    else if (typeof x !== "string" || !/^\d+\.\d+$/.test(x)) yield err(["upgradeCompatibility", k], "must be a minor release such as \"1.19\" (in quotes)", 'write cilium: "1.19": the minor release the cluster runs before the upgrade');
  }
}

function overridesOf(value: unknown): VersionOverrides {
  if (!isMap(value)) return NO_OVERRIDES;
  const charts: Partial<Record<ChartName, string>> = {};
  const images: Partial<Record<ImageName, ImagePin>> = {};
  if (isMap(value.charts)) for (const [k, v] of Object.entries(value.charts)) charts[k as ChartName] = v as string;
  if (isMap(value.images)) {
    for (const [k, v] of Object.entries(value.images)) {
      const r = parseImageRef(v as string);
      if ("image" in r) images[k as ImageName] = r.image;
    }
  }
  return {
    ...(typeof value.talos === "string" ? { talos: value.talos } : {}),
    ...(typeof value.kubernetes === "string" ? { kubernetes: value.kubernetes } : {}),
    ...(typeof value.k3s === "string" ? { k3s: value.k3s } : {}),
    charts,
    images,
    ...(isMap(value.upgradeCompatibility) && typeof value.upgradeCompatibility.cilium === "string" ? { upgradeCompatibility: { cilium: value.upgradeCompatibility.cilium } } : {}),
  };
}
