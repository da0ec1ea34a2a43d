import { PRIVATE_DNS_NAMES, PUBLIC_DNS_NAMES, dnsProvider } from "../../dns/index.js";
import { orList } from "../../net/words.js";
import type { LabRule } from "./rule.js";
import { error } from "./rule.js";

/** A DNS provider that runs inside the lab (Pi-hole) needs its app: external-dns would write to nothing. */
export const dnsServersRun: LabRule = function* (lab) {
  for (const zone of ["private", "public"] as const) {
    const p = dnsProvider(lab.network.dns[zone]);
    if (!p?.app || lab.apps.some((a) => a.catalog.name === p.app)) continue;
    const others = (zone === "private" ? PRIVATE_DNS_NAMES : PUBLIC_DNS_NAMES).filter((n) => n !== p.name);
    yield error(
      ["network", "dns", zone],
      `network.dns.${zone} is ${p.name} but the lab runs no ${p.title} app: external-dns would publish the ${zone} names to a server that does not exist`,
      `add \`- { name: ${p.app} }\` to apps (it serves the ${zone} domain and gets a load-balancer address for DNS), or set network.dns.${zone} to ${orList(others)}`,
    );
  }
};
