import type { Rule } from "./rule.js";
import { error, warning } from "./rule.js";
import { catalogApp } from "../../catalog/index.js";

/** Apps can run somewhere: their arch, devices and replicas fit the catalog and the machines. */
export const appsFit: Rule = function* (spec) {
  const hosts = new Map(spec.hosts.map((h) => [h.name, h]));
  const nodeArchs = new Set(spec.nodes.map((n) => hosts.get(n.host)?.arch).filter(Boolean));
  const gpuHosts = new Set(spec.hosts.filter((h) => h.gpus.length > 0).map((h) => h.name));
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
    const gpu = a.placement?.gpu ?? (c.devices?.gpu === "required" ? 1 : 0);
    if (gpu > 0 && gpuHosts.size === 0 && a.enabled) yield error(["apps", i, "placement", "gpu"], `${c.title} needs a GPU but no host has one`, "add gpus: to the host that has one, or set placement.gpu: 0");
    if (a.replicas !== undefined && a.replicas > 1 && !c.replicas.scalable) {
      yield error(["apps", i, "replicas"], `${c.title} keeps state on a volume and runs one replica; ${a.replicas} were asked for`, "remove replicas, or set it to 1");
    }
    if (a.exposure && a.exposure !== "none" && !c.ports.some((p) => p.http) && !c.ports.some((p) => p.loadBalancer)) {
      yield error(["apps", i, "exposure"], `${c.title} has no web or network port to expose`, "set exposure: none");
    }
    if (a.hostname && a.exposure !== "none") {
      const domain = (a.exposure ?? c.exposure) === "public" ? spec.cluster.domains.public : spec.cluster.domains.private;
      if (domain && !a.hostname.endsWith(`.${domain}`) && a.hostname !== domain) {
        yield warning(["apps", i, "hostname"], `${a.hostname} is not under the ${(a.exposure ?? c.exposure)} domain ${domain}`, "certificates and DNS records are managed for names under the lab's domains");
      }
    }
    if (c.volumes.length > 0 && spec.storage.classes.length === 0 && a.enabled) {
      yield error(["apps", i, "storage"], `${c.title} keeps state but the lab defines no storage classes`, "add storage.classes (nfs, iscsi, ceph-rbd, cephfs, longhorn or local)");
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
