import type { Rule } from "./rule.js";
import { error } from "./rule.js";
import { didYouMean } from "../diagnostic.js";
import { capabilitiesOf } from "../../distributions/index.js";

/**
 * UPSes: their hosts exist, a host is on one UPS, the UPS's own host is among those it powers and can
 * run the NUT server (not a distribution whose NUT is a client only, as Talos's extension), the clients can reach it, and a
 * UPS stays at one site.
 */
export const upsWired: Rule = function* (spec) {
  const hosts = new Map(spec.hosts.map((h) => [h.name, h]));
  const known = [...hosts.keys()];
  const unknown = (name: string) => `unknown host ${name}`;
  const hint = (name: string) => didYouMean(name, known) ?? `known hosts: ${known.slice(0, 12).join(", ")}`;
  const names = new Set<string>();
  const poweredBy = new Map<string, string>();
  for (const [i, u] of spec.ups.entries()) {
    if (names.has(u.name)) yield error(["ups", i, "name"], `UPS ${u.name} is defined twice`, "give each UPS its own name");
    names.add(u.name);
    const host = hosts.get(u.host);
    if (!host) yield error(["ups", i, "host"], unknown(u.host), hint(u.host));
    for (const [j, p] of u.powers.entries()) {
      if (!hosts.has(p)) yield error(["ups", i, "powers", j], unknown(p), hint(p));
      else if (poweredBy.has(p)) yield error(["ups", i, "powers", j], `host ${p} is already powered by UPS ${poweredBy.get(p)}`, "list each host under the one UPS its power supply is plugged into");
      else poweredBy.set(p, u.name);
    }
    if (!host) continue;
    if (!u.powers.includes(u.host)) yield error(["ups", i, "powers"], `UPS ${u.name} is plugged into host ${u.host}, which is not among the hosts it powers`, `add ${u.host} to powers: the host running the NUT server must outlast the others`);
    const os = capabilitiesOf(spec.cluster.distribution);
    if (!os.nut.server && spec.nodes.some((n) => n.host === u.host && n.kind !== "vm")) {
      yield error(["ups", i, "host"], `host ${u.host} runs ${os.title}, whose NUT is a client only: it cannot watch the UPS`, "plug the UPS's data cable into a Debian or Proxmox host it powers (a NAS or a hypervisor), and name that host");
    }
    const others = u.powers.filter((p) => p !== u.host && hosts.has(p));
    const nodeAddress = spec.nodes.find((n) => n.host === u.host && n.kind !== "vm")?.address;
    if (others.length && !host.address && !nodeAddress) {
      yield error(["ups", i, "host"], `the NUT clients on ${others.join(", ")} cannot reach host ${u.host}: it has no address`, `give host ${u.host} its LAN address (hosts[].address)`);
    }
    const sites = [...new Set(u.powers.map((p) => hosts.get(p)?.site).filter((s): s is string => s !== undefined))];
    if (sites.length > 1) yield error(["ups", i, "powers"], `UPS ${u.name} powers hosts at sites ${sites.join(" and ")}`, "a UPS powers the hosts of one site: define one UPS per site");
  }
};
