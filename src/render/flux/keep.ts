// Objects Flux must never delete when they leave the repository: the PersistentVolumeClaims holding an
// app's data and the namespaces they live in (deleting a namespace deletes its claims). Flux's
// kustomize-controller skips objects with this annotation when it prunes; `drover apply` honours it
// too (src/cluster/prune-policy.ts) unless the user asks with --prune-data.
export const KEEP_ANNOTATION = "kustomize.toolkit.fluxcd.io/prune";
export const KEEP: Readonly<Record<string, string>> = { [KEEP_ANNOTATION]: "disabled" };
