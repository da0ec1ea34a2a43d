import type { LabRule } from "./rule.js";
import { error } from "./rule.js";

/** A DNS provider that runs inside the lab (Pi-hole) needs its app: external-dns would write to nothing. */
export const dnsServersRun: LabRule = function* (lab) {
  if (lab.network.dns.private === "pihole" && !lab.apps.some((a) => a.catalog.name === "pihole")) {
    yield error(
      ["network", "dns", "private"],
      "network.dns.private is pihole but the lab runs no Pi-hole app: external-dns would publish the private names to a server that does not exist",
      "add `- { name: pihole }` to apps (it serves the private domain and gets a load-balancer address for DNS), or set network.dns.private to rfc2136 or none",
    );
  }
};
