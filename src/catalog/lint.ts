// Catalog lint: rules every catalog entry, and every app as rendered, must keep.
//   image-pinned        images carry an exact version tag (no latest, no missing tag, no bare major)
//   privilege-device    no privileged container, host path or host namespace unless the app declares the device
//   state-in-volumes    a stateful app runs one replica; pods mount only declared volumes (PVCs of the
//                       catalog's volumes), config (ConfigMap/Secret) and scratch (emptyDir)
//   capabilities        a container adds back only capabilities its catalog entry declares; never SYS_ADMIN & co.
//   well-formed         unique port and volume names, absolute distinct volume paths, an http port for exposed apps
// The arch rule (an app's images fit the nodes it may land on) is a spec rule with a position in
// lab.yaml: src/spec/rules/apps.ts (appArchFits).
import { DEFAULT_IMAGES } from "../versions/defaults.js";
import type { CatalogApp } from "./app.js";

export interface LintFinding {
  readonly app: string;
  readonly rule: "image-pinned" | "privilege-device" | "state-in-volumes" | "capabilities" | "well-formed";
  readonly message: string;
}

type Obj = Record<string, unknown>;
const FORBIDDEN_CAPS = new Set(["SYS_ADMIN", "SYS_MODULE", "SYS_PTRACE", "SYS_RAWIO", "SYS_BOOT", "NET_ADMIN", "BPF", "PERFMON", "ALL"]);

/** An image tag that names one release: not latest/stable/main, not empty, not just a major version. */
export function pinnedTag(tag: string | undefined): boolean {
  if (!tag) return false;
  if (/^(latest|stable|main|master|edge|nightly|dev|release)$/i.test(tag)) return false;
  if (/^v?\d+$/.test(tag)) return false; // "17", "v2": moves with every release
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag) && /\d/.test(tag);
}

/** Splits an image reference into repository and tag (digests count as pinned). */
export function parseImage(ref: string): { repository: string; tag: string | undefined; digest: boolean } {
  const at = ref.indexOf("@");
  if (at >= 0) return { repository: ref.slice(0, at), tag: ref.slice(at + 1), digest: true };
  const slash = ref.lastIndexOf("/");
  const colon = ref.lastIndexOf(":");
  if (colon > slash) return { repository: ref.slice(0, colon), tag: ref.slice(colon + 1), digest: false };
  return { repository: ref, tag: undefined, digest: false };
}

export function lintCatalogApp(c: CatalogApp): LintFinding[] {
  const out: LintFinding[] = [];
  const f = (rule: LintFinding["rule"], message: string) => out.push({ app: c.name, rule, message });
  const images = [c.image, ...(c.dependencyImages?.postgres ? [DEFAULT_IMAGES[c.dependencyImages.postgres]] : [])];
  for (const i of images) if (!pinnedTag(i.tag)) f("image-pinned", `${i.repository}:${i.tag || "(no tag)"} is not pinned to a release`);
  if (c.volumes.length && c.replicas.scalable && !c.replicas.independent) f("state-in-volumes", "keeps state on volumes but is marked scalable");
  if (c.volumes.length && c.replicas.default !== 1) f("state-in-volumes", `keeps state on volumes but defaults to ${c.replicas.default} replicas`);
  const portNames = c.ports.map((p) => p.name);
  if (new Set(portNames).size !== portNames.length) f("well-formed", `port names repeat: ${portNames.join(", ")}`);
  const volNames = c.volumes.map((v) => v.name);
  if (new Set(volNames).size !== volNames.length) f("well-formed", `volume names repeat: ${volNames.join(", ")}`);
  for (const v of c.volumes) {
    if (!v.path.startsWith("/")) f("well-formed", `volume ${v.name} path ${v.path} is not absolute`);
    for (const w of c.volumes) if (v !== w && (w.path === v.path || w.path.startsWith(`${v.path}/`))) f("state-in-volumes", `volume ${w.name} (${w.path}) is inside volume ${v.name} (${v.path})`);
  }
  if (c.exposure !== "none" && !c.ports.some((p) => p.http) && !c.ports.some((p) => p.loadBalancer)) f("well-formed", "is exposed but has no http or load-balanced port");
  for (const cap of c.capabilities ?? []) if (FORBIDDEN_CAPS.has(cap)) f("capabilities", `asks for ${cap}, which gives the container the host`);
  if (c.runAsUser === 0) f("well-formed", "runAsUser 0: leave runAsUser out for images that must start as root");
  if (!c.archs.length) f("well-formed", "supports no architecture");
  return out;
}

export function lintCatalog(apps: readonly CatalogApp[]): LintFinding[] {
  const out = apps.flatMap(lintCatalogApp);
  const names = apps.map((a) => a.name);
  for (const n of new Set(names)) if (names.filter((x) => x === n).length > 1) out.push({ app: n, rule: "well-formed", message: "is in the catalog twice" });
  return out;
}

function podSpecs(o: Obj): Obj[] {
  const spec = o.spec as Obj | undefined;
  if (!spec) return [];
  if (o.kind === "Pod") return [spec];
  if (o.kind === "CronJob") return [((((spec.jobTemplate as Obj).spec as Obj).template as Obj).spec as Obj)];
  const tpl = spec.template as Obj | undefined;
  return tpl?.spec ? [tpl.spec as Obj] : [];
}

/**
 * Lints the objects rendered for one app (its folder, dependencies included): privilege only for a
 * declared device, volumes only the declared ones, pinned images, declared capabilities only.
 */
export function lintRendered(c: CatalogApp, instance: string, objects: readonly Obj[]): LintFinding[] {
  const out: LintFinding[] = [];
  const f = (rule: LintFinding["rule"], message: string) => out.push({ app: instance, rule, message });
  const device = c.devices?.serial !== undefined;
  const declaredClaims = new Set(c.volumes.map((v) => `${instance}-${v.name}`));
  const claims = new Set(objects.filter((o) => o.kind === "PersistentVolumeClaim").map((o) => (o.metadata as Obj).name as string));
  const allowedCaps = new Set(c.capabilities ?? []);
  for (const o of objects) {
    const name = `${String(o.kind)}/${String((o.metadata as Obj | undefined)?.name)}`;
    const own = ((o.metadata as Obj | undefined)?.labels as Obj | undefined)?.["app.kubernetes.io/component"] === undefined;
    for (const spec of podSpecs(o)) {
      if (spec.hostNetwork || spec.hostPID || spec.hostIPC) f("privilege-device", `${name} shares a host namespace`);
      for (const v of (spec.volumes as Obj[] | undefined) ?? []) {
        if (v.hostPath && !device) f("privilege-device", `${name} mounts host path ${String((v.hostPath as Obj).path)} but ${c.name} declares no device`);
        const pvc = v.persistentVolumeClaim as Obj | undefined;
        if (pvc) {
          const claim = pvc.claimName as string;
          if (own && !declaredClaims.has(claim)) f("state-in-volumes", `${name} mounts claim ${claim}, which is not one of ${c.name}'s declared volumes`);
          if (!claims.has(claim)) f("state-in-volumes", `${name} mounts claim ${claim}, which is not rendered`);
        }
        const kinds = Object.keys(v).filter((k) => k !== "name");
        if (kinds.some((k) => !["persistentVolumeClaim", "configMap", "secret", "emptyDir", "hostPath", "projected"].includes(k))) f("state-in-volumes", `${name} volume ${String(v.name)} is a ${kinds.join("/")}`);
      }
      const containers = [...((spec.initContainers as Obj[] | undefined) ?? []), ...((spec.containers as Obj[] | undefined) ?? [])];
      for (const k of containers) {
        const img = parseImage(String(k.image));
        if (!img.digest && !pinnedTag(img.tag)) f("image-pinned", `${name} container ${String(k.name)} runs ${String(k.image)}, not pinned to a release`);
        const sc = (k.securityContext as Obj | undefined) ?? {};
        if (sc.privileged === true && !device) f("privilege-device", `${name} container ${String(k.name)} is privileged but ${c.name} declares no device`);
        if (sc.privileged !== true) {
          if (sc.allowPrivilegeEscalation !== false) f("privilege-device", `${name} container ${String(k.name)} may escalate privileges`);
          const caps = (sc.capabilities as Obj | undefined) ?? {};
          if (!((caps.drop as string[] | undefined) ?? []).includes("ALL")) f("capabilities", `${name} container ${String(k.name)} does not drop ALL capabilities`);
          for (const cap of (caps.add as string[] | undefined) ?? []) if (!own || !allowedCaps.has(cap)) f("capabilities", `${name} container ${String(k.name)} adds ${cap}, which ${c.name} does not declare`);
        }
      }
    }
  }
  return out;
}
