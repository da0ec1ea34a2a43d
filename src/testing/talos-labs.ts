// Labs for the node-layer tests: the example lab, and generated ones (bench/lib/gen-lab.mjs) in
// full-mesh and site-leaders topologies, with real secrets (the Talos bundle from our generator).
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Lab } from "../lab/types.js";
import type { LabSecrets } from "../secrets/types.js";
import { ensureSecrets } from "../secrets/generate.js";
import { loadTestLab } from "./apps-lab.js";
import { ROOT } from "./paths.js";

type GenLab = (o: { hosts?: number; nodesPerHost?: number; apps?: number; replicas?: number; sites?: number }) => string;

export async function generatedLabYaml(o: { hosts: number; nodesPerHost: number; sites: number; topology?: "full-mesh" | "site-leaders" }): Promise<string> {
  const mod = (await import(pathToFileURL(join(ROOT, "bench/lib/gen-lab.mjs")).href)) as { genLabYaml: GenLab };
  let text = mod.genLabYaml({ hosts: o.hosts, nodesPerHost: o.nodesPerHost, apps: 1, sites: o.sites });
  if (o.topology === "site-leaders") text = text.replace("overlay: { subnet: 10.200.0.0/20 }", "overlay: { subnet: 10.200.0.0/20, topology: site-leaders }");
  return text;
}

export async function generatedLab(o: Parameters<typeof generatedLabYaml>[0]): Promise<Lab> {
  return loadTestLab(await generatedLabYaml(o));
}

/** Secrets for a lab, made by the real generators (Talos bundle included). */
export function realSecrets(lab: Lab, existing?: LabSecrets): LabSecrets {
  return ensureSecrets(lab, existing).secrets;
}
