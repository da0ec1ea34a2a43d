import type { LabRule } from "./rule.js";
import { appIndex, error, warning } from "./rule.js";

/** A public app or webhook needs the public domain; an app's own hostname belongs under its domain. */
export const exposureDomains: LabRule = function* (lab) {
  if (!lab.domains.public) {
    const app = lab.apps.find((a) => a.exposure.kind === "public");
    if (app) {
      const i = appIndex(lab, app.name);
      const explicit = lab.spec.apps[i]!.exposure !== undefined;
      yield error(
        ["apps", i, explicit ? "exposure" : "name"],
        "a public service needs cluster.domains.public",
        explicit ? "add cluster.domains.public: example.com" : `add cluster.domains.public: example.com, or set exposure: private (${app.catalog.title} is public unless the lab says otherwise)`,
      );
    } else if (lab.functions.some((f) => f.webhook?.exposure === "public")) {
      yield error(["cluster", "domains"], "a public service needs cluster.domains.public", "add cluster.domains.public: example.com");
    }
  }
  for (const a of lab.apps) {
    const i = appIndex(lab, a.name);
    const hostname = lab.spec.apps[i]!.hostname;
    if (!hostname || a.exposure.kind === "none") continue;
    const domain = a.exposure.kind === "public" ? lab.domains.public : lab.domains.private;
    if (domain && !hostname.endsWith(`.${domain}`) && hostname !== domain) {
      yield warning(["apps", i, "hostname"], `${hostname} is not under the ${a.exposure.kind} domain ${domain}`, "certificates and DNS records are managed for names under the lab's domains");
    }
  }
};
