import type { LabRule } from "./rule.js";
import { error, warning } from "./rule.js";
import { publicApps, publicExposure } from "../public-entry.js";

/** An exposure mode that carries only HTTPS to the public entry point (a Cloudflare Tunnel) needs that address, and does not carry raw ports. */
export const exposureReaches: LabRule = function* (lab) {
  const mode = publicExposure(lab);
  if (mode.carries !== "https" || !mode.reach) return;
  const hasWeb = publicApps(lab).some((a) => a.catalog.ports.some((p) => p.http)) || lab.functions.some((f) => f.webhook?.exposure === "public");
  if (hasWeb && !lab.ingress.publicAddress) yield error([...mode.reach.at], mode.reach.noEntryAddress.message, mode.reach.noEntryAddress.fix);
  for (const a of publicApps(lab)) {
    for (const p of a.catalog.ports.filter((x) => x.loadBalancer)) {
      const r = mode.reach.rawPort(a.name, `${p.protocol} port ${p.servicePort ?? p.port} (${p.name})`);
      yield warning(["apps", lab.spec.apps.findIndex((x) => x.name === a.name)], r.message, r.fix);
    }
  }
};
