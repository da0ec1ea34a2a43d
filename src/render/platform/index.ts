// Lab (+ secrets) → the platform half of the Flux tree under kubernetes/: flux-system, the
// infrastructure components in dependency order, the apps Kustomization, and the bootstrap README.
// The apps half (kubernetes/apps/) is src/render/apps; both follow ./contract.ts.
import type { Lab } from "../../lab/types.js";
import type { LabSecrets } from "../../secrets/types.js";
import { addFile, toYaml, tree, type FileTree } from "../tree.js";
import { writeLayout, type Component } from "../flux/layout.js";
import { writeFluxSystem } from "../flux/flux-system.js";
import { bootstrapReadme } from "../flux/readme.js";
import { cilium, ciliumValues, loadBalancerComponent, metallb } from "./network.js";
import { certManager } from "./cert-manager.js";
import { ingressComponent } from "./ingress.js";
import { externalDns } from "./external-dns.js";
import { storage } from "./storage.js";
import { objectStore } from "./object-store.js";
import { monitoring } from "./monitoring.js";
import { identity } from "./identity.js";
import { backups } from "./backups.js";
import { registry } from "./registry.js";
import { snapshots } from "./snapshots.js";
import { secretSource } from "./secrets.js";

/** The lab's platform components, in dependency order. */
export function platformComponents(lab: Lab, secrets: LabSecrets): { components: Component[]; appsDependOn: string[]; missing: Map<string, string> } {
  const s = secretSource(secrets);
  const list: Component[] = [];
  const add = (c: Component | undefined): string[] => (c ? (list.push(c), [c.name]) : []);
  const cni = add(cilium(lab));
  add(metallb(lab));
  const lbName = loadBalancerComponent(lab);
  const lb = lbName && lbName !== "cilium" ? [lbName] : [];
  const base = [...cni, ...lb];
  const certs = add(certManager(lab, s, cni));
  const ingress = add(ingressComponent(lab, [...base, ...certs]));
  add(externalDns(lab, secrets, s, cni));
  const stores = storage(lab, s, cni).flatMap((c) => add(c));
  const s3 = add(objectStore(lab, s, stores.length ? stores : cni));
  const idp = add(identity(lab, s, [...stores, ...ingress, ...certs]));
  const snaps = add(snapshots(lab, stores.length ? stores : cni));
  const backup = add(backups(lab, s, [...stores, ...s3, ...snaps]));
  add(registry(lab, stores.length ? stores : cni));
  // last: it watches every other component's Helm releases
  add(monitoring(lab, s, [...stores, ...ingress, ...certs], list.map((c) => c.namespace)));
  return { components: list, appsDependOn: [...base, ...certs, ...ingress, ...stores, ...s3, ...idp, ...snaps, ...backup], missing: s.missing };
}

/** Target: the platform and the Flux layout, under kubernetes/. */
export function renderPlatform(lab: Lab, secrets: LabSecrets): FileTree {
  const t = tree();
  const { components, appsDependOn, missing } = platformComponents(lab, secrets);
  writeFluxSystem(t, lab);
  writeLayout(t, lab, components, { appsDependOn, apps: lab.apps.length > 0 || lab.functions.length > 0 });
  if (lab.cni === "cilium") addFile(t, "bootstrap/cilium-values.yaml", toYaml(ciliumValues(lab)));
  addFile(t, "README.md", bootstrapReadme(lab, components, missing));
  return t;
}

export { backupTargetCredentials } from "./backups.js";
export { secretSource } from "./secrets.js";
export { REGISTRY_MIRROR } from "./registry.js";
export { platformNames, NAMESPACES, INGRESS_CLASS, CLUSTER_ISSUER, ingressFor, forwardAuth } from "./contract.js";
