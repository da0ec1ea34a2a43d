import type { LabRule } from "./rule.js";
import { error, warning } from "./rule.js";
import { publicApps } from "../public-entry.js";

/** A Cloudflare Tunnel carries HTTPS to the public entry point: it needs that address, and it does not carry raw ports. */
export const tunnelReaches: LabRule = function* (lab) {
  if (!lab.network.tunnel) return;
  const hasWeb = publicApps(lab).some((a) => a.catalog.ports.some((p) => p.http)) || lab.functions.some((f) => f.webhook?.exposure === "public");
  if (hasWeb && !lab.ingress.publicAddress) {
    yield error(["network", "tunnel"], "the tunnel sends public names to the public entry point, and it has no load-balancer address", "set network.loadBalancer.pool (or network.ingress.public.address)");
  }
  for (const a of publicApps(lab)) {
    for (const p of a.catalog.ports.filter((x) => x.loadBalancer)) {
      yield warning(
        ["apps", lab.spec.apps.findIndex((x) => x.name === a.name)],
        `${a.name}'s ${p.protocol} port ${p.servicePort ?? p.port} (${p.name}) is not reached through the Cloudflare Tunnel: a tunnel carries HTTP(S) to this lab, not raw ports`,
        `reach it over the WireGuard mesh (seats), or through cloudflared access on the client (a TCP route in Cloudflare), or set the app's exposure to private`,
      );
    }
  }
};
