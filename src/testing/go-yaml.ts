// What Go's YAML readers see: the go-yaml-reader built by scripts/tools/install.sh (sigs.k8s.io/yaml,
// the YAML 1.1 reader of kubectl, kustomize, Flux and helm; go.yaml.in/yaml/v3, as in k3s). Many
// texts are read in one process run.
import { spawnSync } from "node:child_process";
import { tool } from "./paths.js";

export interface GoRead {
  /** sigs.k8s.io/yaml's reading, as JSON text, or its error */
  readonly k8s: { readonly value?: unknown; readonly error?: string };
  /** go.yaml.in/yaml/v3's reading (a list for several documents), or its error */
  readonly v3: { readonly value?: unknown; readonly error?: string };
}

export function goYamlRead(texts: readonly string[]): GoRead[] {
  const r = spawnSync(tool("go-yaml-reader"), [], { input: JSON.stringify(texts), maxBuffer: 1 << 30, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`go-yaml-reader failed (${r.status}): ${r.stderr}`);
  const out = JSON.parse(r.stdout) as GoRead[];
  if (out.length !== texts.length) throw new Error(`go-yaml-reader answered ${out.length} of ${texts.length}`);
  return out;
}
