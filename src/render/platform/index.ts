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
import { EXPOSURE_RENDERERS } from "./exposure/index.js";
import { storage } from "./storage.js";
import { objectStore } from "./object-store.js";
import { monitoring } from "./monitoring.js";
import { identity } from "./identity.js";
import { backups } from "./backups.js";
import { registry } from "./registry.js";
import { snapshots } from "./snapshots.js";
import { gpus } from "./gpu.js";
import { secretSource } from "./secrets.js";
import { appNamespaceNeeds } from "../apps/namespaces.js";

/**
 * The lab's platform components, in dependency order. A component depends only on what it really
 * needs before it can be applied and become ready: the CRDs its objects use, the storage its volumes
 * bind to, the load balancer that gives the ingress its address. The CNI is not one of them: Flux
 * itself cannot run before it (cilium is installed at bootstrap, flannel comes with k3s); the cilium
 * component only keeps that release and adds the load-balancer pool.
 */
export function platformComponents(lab: Lab, secrets: LabSecrets): { components: Component[]; appsDependOn: string[]; missing: Map<string, string> } {
  const s = secretSource(secrets);
  const list: Component[] = [];
  const add = (c: Component | undefined): string[] => (c ? (list.push(c), [c.name]) : []);
  const cni = add(cilium(lab));
  add(metallb(lab));
  // the component whose pool gives LoadBalancer Services their addresses
  const lbName = loadBalancerComponent(lab);
  const lb = lbName === "cilium" ? cni : lbName ? [lbName] : [];
  const certs = add(certManager(lab, secrets, s, []));
  // (its certificates are cert-manager's to issue later: not something to wait for)
  const ingress = add(ingressComponent(lab, lb));
  add(externalDns(lab, secrets, s, []));
  // each exposure mode's own component (cloudflared), sending traffic to the ingress
  for (const r of Object.values(EXPOSURE_RENDERERS)) add(r.component?.(lab, s, ingress));
  const stores = storage(lab, s, []).flatMap((c) => add(c));
  // the Gateway API's kinds (HTTPRoute, SecurityPolicy, ReferenceGrant) come with the ingress component
  const routes = lab.ingress.controller === "gateway-api" ? ingress : [];
  const s3 = add(objectStore(lab, s, stores));
  const idp = add(identity(lab, s, [...stores, ...routes]));
  const snaps = add(snapshots(lab, []));
  const backup = add(backups(lab, s, []));
  add(registry(lab, stores));
  add(gpus(lab, []));
  // last: it watches every other component's Helm releases
  add(monitoring(lab, s, [...stores, ...routes], list.map((c) => c.namespace)));
  return { components: list, appsDependOn: [...lb, ...certs, ...ingress, ...stores, ...s3, ...idp, ...snaps, ...backup], missing: s.missing };
}

/** Target: the platform and the Flux layout, under kubernetes/. */
export function renderPlatform(lab: Lab, secrets: LabSecrets): FileTree {
  const t = tree();
  const { components, appsDependOn, missing } = platformComponents(lab, secrets);
  writeFluxSystem(t, lab);
  writeLayout(t, lab, components, { appsDependOn, apps: lab.apps.length > 0 || lab.functions.length > 0, appNamespaces: appNamespaceNeeds(lab) });
  if (lab.cni === "cilium") addFile(t, "bootstrap/cilium-values.yaml", toYaml(ciliumValues(lab)));
  addFile(t, "README.md", bootstrapReadme(lab, components, missing));
  return t;
}

export { backupTargetCredentials } from "./backups.js";
export { secretSource } from "./secrets.js";
export { REGISTRY_MIRROR } from "./registry.js";
export { platformNames, NAMESPACES, INGRESS_CLASS, CLUSTER_ISSUER, ingressFor, forwardAuth } from "./contract.js";
