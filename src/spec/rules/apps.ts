import { orList } from "../../net/words.js";
import { STORAGE_TYPES } from "../schema.js";
import type { Rule } from "./rule.js";
import { error, warning } from "./rule.js";
import { catalogApp } from "../../catalog/index.js";
import { capabilitiesOf } from "../../distributions/index.js";

/** Apps can run somewhere: their arch, devices and replicas fit the catalog and the machines. */
export const appsFit: Rule = function* (spec) {
  const hosts = new Map(spec.hosts.map((h) => [h.name, h]));
  const nodeArchs = new Set(spec.nodes.map((n) => hosts.get(n.host)?.arch).filter(Boolean));
  for (const [i, a] of spec.apps.entries()) {
    const c = catalogApp(a.app ?? a.name);
    if (!c) continue; // reported by references
    const wanted = a.placement?.arch ?? c.archs;
    const unsupported = (a.placement?.arch ?? []).filter((x) => !c.archs.includes(x));
    for (const x of unsupported) yield error(["apps", i, "placement", "arch"], `${c.title} has no ${x} image (it supports ${c.archs.join(", ")})`, `remove ${x} from placement.arch`);
    const usable = wanted.filter((x) => c.archs.includes(x) && nodeArchs.has(x));
    if (usable.length === 0 && a.enabled) {
      yield error(["apps", i, a.placement?.arch ? "placement" : "name"], `${c.title} runs on ${c.archs.join(", ")} but the lab's nodes are ${[...nodeArchs].join(", ")}`, "add a node of a supported architecture, or remove the app");
    }
    if (a.replicas !== undefined && a.replicas > 1 && !c.replicas.scalable) {
      yield error(["apps", i, "replicas"], `${c.title} keeps state on a volume and runs one replica; ${a.replicas} were asked for`, "remove replicas, or set it to 1");
    }
    if (a.exposure && a.exposure !== "none" && !c.ports.some((p) => p.http) && !c.ports.some((p) => p.loadBalancer)) {
      yield error(["apps", i, "exposure"], `${c.title} has no web or network port to expose`, "set exposure: none");
    }
    if ((c.volumes.length > 0 || c.dependencies.includes("postgres")) && spec.storage.classes.length === 0 && a.enabled) {
      yield error(["apps", i, "storage"], `${c.title} keeps state but the lab defines no storage classes`, `add storage.classes (${orList(STORAGE_TYPES)})`);
    }
  }
};

/** Functions: a runtime can be told from the file, and they are triggered somehow. */
export const functionsWellFormed: Rule = function* (spec) {
  for (const [i, f] of spec.functions.entries()) {
    if (!f.runtime && !/\.(py|js|mjs|ts|sh)$/.test(f.file)) yield error(["functions", i, "file"], `cannot tell the runtime of ${f.file} from its name`, "name the file .py, .js, .mjs or .sh, or set runtime:");
    if (!f.schedule && !f.webhook) yield error(["functions", i], `function ${f.name} has neither a schedule nor a webhook`, "add schedule: \"*/15 * * * *\" or webhook: {}");
    if (f.file.startsWith("/") || f.file.split("/").includes("..")) yield error(["functions", i, "file"], `${f.file} must be a path inside the lab folder`, "give a path relative to lab.yaml such as functions/hello.py");
  }
};

/**
 * An app's image fits the nodes it may land on: the nodes of its placement.hosts and matching its
 * placement.nodeSelector must include one of an architecture the app has images for (and that
 * placement.arch allows). Without host or selector pinning, appsFit checks the lab as a whole.
 */
export const appArchFits: Rule = function* (spec) {
  const hosts = new Map(spec.hosts.map((h) => [h.name, h]));
  const siteOf = (host: string) => hosts.get(host)?.site ?? "";
  for (const [i, a] of spec.apps.entries()) {
    if (!a.enabled) continue;
    const c = catalogApp(a.app ?? a.name);
    if (!c) continue;
    const pinHosts = a.placement?.hosts;
    const selector = a.placement?.nodeSelector;
    if (!pinHosts?.length && !(selector && Object.keys(selector).length)) continue;
    if (pinHosts?.some((h) => !hosts.has(h))) continue; // an unknown host: reported by references
    const candidates = spec.nodes.filter((n) => {
      if (pinHosts?.length && !pinHosts.includes(n.host)) return false;
      const h = hosts.get(n.host);
      const labels: Record<string, string> = {
        ...n.labels,
        "kubernetes.io/arch": h?.arch ?? "",
        "kubernetes.io/os": "linux",
        "kubernetes.io/hostname": n.name,
        "drover.dev/host": n.host,
        "drover.dev/site": siteOf(n.host),
        "topology.kubernetes.io/zone": n.host,
        "topology.kubernetes.io/region": siteOf(n.host),
      };
      return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
    });
    const where: (string | number)[] = pinHosts?.length ? ["apps", i, "placement", "hosts"] : ["apps", i, "placement", "nodeSelector"];
    if (!candidates.length) {
      yield error(where, `no node matches ${c.title}'s placement${pinHosts?.length ? ` (hosts ${pinHosts.join(", ")})` : ""}${selector && Object.keys(selector).length ? ` (nodeSelector ${Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(", ")})` : ""}`, "pin the app to hosts that run nodes, or use labels the nodes carry");
      continue;
    }
    // some distributions (Talos) taint control planes NoSchedule when the lab has workers
    const dist = capabilitiesOf(spec.cluster.distribution);
    const tainted = dist.taintsControlPlanes && spec.nodes.some((n) => n.role === "worker");
    const tolerates = (a.placement?.tolerations ?? []).some((t) => t.key === "node-role.kubernetes.io/control-plane");
    if (tainted && !tolerates && candidates.every((n) => n.role === "controlplane")) {
      yield error(where, `${c.title}'s placement allows only control-plane nodes (${candidates.map((n) => n.name).join(", ")}), which ${dist.title} keeps free of apps`, "pin it to a host that runs a worker, or add placement.tolerations: [{ key: node-role.kubernetes.io/control-plane, effect: NoSchedule }]");
      continue;
    }
    const allowed = (a.placement?.arch ?? c.archs).filter((x) => c.archs.includes(x));
    const archs = [...new Set(candidates.map((n) => hosts.get(n.host)?.arch).filter((x): x is "amd64" | "arm64" => x !== undefined))].sort();
    if (!archs.some((x) => allowed.includes(x))) {
      yield error(where, `${c.title} has images for ${allowed.join(", ")} but the nodes its placement allows (${candidates.map((n) => n.name).join(", ")}) are ${archs.join(", ")}`, `pin it to ${allowed.join(" or ")} hosts, or remove the placement`);
    }
  }
};

/** Apps that need a serial device (a 3D printer, a Zigbee stick) can find one. */
export const appDevices: Rule = function* (spec) {
  const SERIAL = /^\/dev\/(tty(USB|ACM|AMA|S)\d+|serial\/.+)$/;
  for (const [i, a] of spec.apps.entries()) {
    if (!a.enabled) continue;
    const c = catalogApp(a.app ?? a.name);
    if (c?.devices?.serial !== "required") continue;
    const candidates = a.placement?.hosts?.length ? spec.hosts.filter((h) => a.placement!.hosts!.includes(h.name)) : spec.hosts;
    if (!candidates.some((h) => h.devices.some((d) => SERIAL.test(d)))) {
      yield warning(["apps", i, a.placement?.hosts?.length ? "placement" : "name"], `${c.title} needs a serial device but no ${a.placement?.hosts?.length ? "pinned " : ""}host lists one`, "add the device to the host, e.g. devices: [/dev/ttyUSB0], and pin the app with placement.hosts");
    }
  }
};

/** Each patch targets a kind Drover renders for an app. */
export const appPatchTargets: Rule = function* (spec) {
  const kinds = ["Deployment", "StatefulSet", "Service", "PersistentVolumeClaim", "Ingress", "NetworkPolicy", "PodDisruptionBudget", "ConfigMap", "Secret", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ReplicationSource", "ReplicationDestination", "Schedule"];
  for (const [i, a] of spec.apps.entries()) {
    for (const [j, p] of a.patches.entries()) {
      if (!kinds.includes(p.target.kind)) yield error(["apps", i, "patches", j, "target", "kind"], `Drover renders no ${p.target.kind} for an app`, `target one of ${kinds.join(", ")}`);
    }
  }
};
