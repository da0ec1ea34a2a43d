// The effective versions file of a lab (versions.yaml at the top of the output) and renovate.json.
// Every entry carries a Renovate annotation (`# renovate: datasource=… depName=…`) that the regex
// manager of renovate.json reads, so Renovate can open a pull request bumping it. The file is the
// format spec/versions.ts reads: copied beside lab.yaml it pins every version the lab renders, and
// Renovate's pull requests then change what `drover render` writes (`drover diff --against` shows how).
//
// Values go through the YAML emitter's double-quoted scalar (render/yaml.ts); the comment lines hold
// only names and URLs from Drover's own table and image repositories that passed the reference grammar.
import type { Lab } from "../lab/types.js";
import { capabilitiesOf } from "../distributions/index.js";
import { addFile, type FileTree } from "./tree.js";
import { doubleQuoted } from "./yaml.js";
import { API_VERSION } from "../spec/schema.js";
import { VERSIONS_FILE, VERSIONS_KIND } from "../spec/versions.js";
import { CHART_NAMES, FLUX_VERSION, IMAGE_NAMES, imageRef, type Chart, type ImagePin } from "../versions/defaults.js";

export const RENOVATE_FILE = "renovate.json";

/** What Renovate reads for one entry. */
interface Annotation {
  readonly datasource: "github-releases" | "helm" | "docker";
  readonly depName: string;
  readonly registryUrl?: string;
  readonly extractVersion?: string;
  readonly versioning?: string;
}

const annotate = (a: Annotation): string =>
  `# renovate: datasource=${a.datasource} depName=${a.depName}${a.registryUrl ? ` registryUrl=${a.registryUrl}` : ""}${a.extractVersion ? ` extractVersion=${a.extractVersion}` : ""}${a.versioning ? ` versioning=${a.versioning}` : ""}`;

const TAG_V = "^v(?<version>.+)$";

const chartAnnotation = (c: Chart): Annotation =>
  c.source.kind === "helm" ? { datasource: "helm", depName: c.chart, registryUrl: c.source.url } : { datasource: "docker", depName: c.source.url.replace(/^oci:\/\//, "") };

const imageAnnotation = (i: ImagePin): Annotation => ({ datasource: "docker", depName: i.repository, versioning: "docker" });

/** The entries the lab's rendered files use: images by their reference, charts by their source. */
function used(lab: Lab, t: FileTree): { charts: Set<string>; images: Set<string> } {
  const texts = [...t.values()].filter((f) => !f.secret && !f.encrypt).map((f) => f.content);
  const has = (needle: string) => texts.some((x) => x.includes(needle));
  const charts = new Set(CHART_NAMES.filter((n) => {
    const c = lab.versions.charts[n];
    return c.source.kind === "helm" ? has(`chart: ${c.chart}\n`) && has(c.source.url) : has(c.source.url);
  }));
  const images = new Set(IMAGE_NAMES.filter((n) => {
    const ref = imageRef(lab.versions.images[n]);
    return has(`image: ${ref}\n`) || has(`image: ${doubleQuoted(ref)}\n`);
  }));
  return { charts, images };
}

/** versions.yaml: the versions this lab renders, annotated for Renovate. */
export function versionsFile(lab: Lab, inUse: { charts: ReadonlySet<string>; images: ReadonlySet<string> }): string {
  const v = lab.versions;
  const lines = [
    `# The versions lab ${lab.name} renders (Drover's defaults, lab.yaml's cluster versions and the lab's ${VERSIONS_FILE}).`,
    `# Copy this file beside lab.yaml as ${VERSIONS_FILE} to pin every version there: Renovate (${RENOVATE_FILE}) then`,
    `# opens pull requests bumping it, and \`drover diff --against <base>\` shows what a bump changes in the rendered tree.`,
    `apiVersion: ${API_VERSION}`,
    `kind: ${VERSIONS_KIND}`,
  ];
  const entry = (indent: string, key: string, value: string, a?: Annotation) => {
    if (a) lines.push(`${indent}${annotate(a)}`);
    // a key YAML could read as something else (0x0 is a hex number) is quoted
    lines.push(`${indent}${/^[a-z][a-z0-9-]*$/.test(key) ? key : doubleQuoted(key)}: ${doubleQuoted(value)}`);
  };
  // the distribution's own release: before kubernetes when it is the OS under it, after when it is a build of it
  const { release } = capabilitiesOf(lab.distribution);
  const own = () => entry("", release.key, v[release.key], { datasource: "github-releases", depName: release.depName, ...(release.tagPrefixV ? { extractVersion: TAG_V } : {}) });
  if (release.listed === "before-kubernetes") own();
  entry("", "kubernetes", v.kubernetes, { datasource: "github-releases", depName: "kubernetes/kubernetes", extractVersion: TAG_V });
  if (release.listed === "after-kubernetes") own();
  lines.push(`# Flux is vendored with Drover (its CRDs and controllers): it moves with a Drover upgrade, not here`);
  entry("", "flux", FLUX_VERSION);
  const charts = CHART_NAMES.filter((n) => inUse.charts.has(n));
  if (charts.length) {
    lines.push("charts:");
    for (const n of charts) entry("  ", n, v.charts[n].version, chartAnnotation(v.charts[n]));
  }
  const images = IMAGE_NAMES.filter((n) => inUse.images.has(n));
  if (images.length) {
    lines.push("images:");
    for (const n of images) entry("  ", n, imageRef(v.images[n]), imageAnnotation(v.images[n]));
  }
  if (v.upgradeCompatibility.cilium) {
    lines.push("# while Cilium moves a minor release, its chart keeps the defaults of the release the cluster ran (drover upgrade --plan)");
    lines.push("upgradeCompatibility:");
    entry("  ", "cilium", v.upgradeCompatibility.cilium);
  }
  return lines.join("\n") + "\n";
}

/** Matches an annotation line and the entry under it: versions ("1.2.3") and image references ("repo:tag[@digest]"). */
const ANNOTATION = String.raw`# renovate: datasource=(?<datasource>[a-z-]+) depName=(?<depName>\S+)(?: registryUrl=(?<registryUrl>\S+))?(?: extractVersion=(?<extractVersion>\S+))?(?: versioning=(?<versioning>\S+))?\n\s*"?[A-Za-z0-9._-]+"?: `;

/** renovate.json: regex managers for every versions.yaml in the repository. */
export function renovateConfig(): string {
  const config = {
    $schema: "https://docs.renovatebot.com/renovate-schema.json",
    extends: ["config:recommended"],
    customManagers: [
      {
        customType: "regex",
        description: "Drover versions.yaml: Talos, Kubernetes, k3s and chart versions",
        managerFilePatterns: [String.raw`/(^|/)versions\.yaml$/`],
        matchStrings: [String.raw`${ANNOTATION}"(?<currentValue>[^"@:]+)"`],
      },
      {
        customType: "regex",
        description: "Drover versions.yaml: images (repository:tag, optionally @sha256 digest)",
        managerFilePatterns: [String.raw`/(^|/)versions\.yaml$/`],
        matchStrings: [String.raw`${ANNOTATION}"[^"\s]+:(?<currentValue>[^"@:/\s]+)(?:@(?<currentDigest>sha256:[a-f0-9]{64}))?"`],
      },
    ],
  };
  return JSON.stringify(config, null, 2) + "\n";
}

/** Adds versions.yaml and renovate.json at the top of a rendered tree (after every other target). */
export function addVersionFiles(t: FileTree, lab: Lab): void {
  addFile(t, VERSIONS_FILE, versionsFile(lab, used(lab, t)));
  addFile(t, RENOVATE_FILE, renovateConfig());
}
