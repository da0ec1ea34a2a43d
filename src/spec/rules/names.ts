import type { Rule } from "./rule.js";
import { error } from "./rule.js";
import type { Finding } from "../diagnostic.js";

export function* duplicates<T>(items: readonly T[], key: (t: T) => string | undefined, section: readonly string[], field: string, what: string, show: (k: string) => string = (k) => k): Generator<Finding> {
  const first = new Map<string, number>();
  for (let i = 0; i < items.length; i++) {
    const k = key(items[i]!);
    if (k === undefined) continue;
    const prev = first.get(k);
    if (prev === undefined) first.set(k, i);
    else yield error([...section, i, field], `${what} ${show(k)} is already used by ${section.join(".")}[${prev}]`, `each ${what} must be unique; rename or remove one of them`);
  }
}

/** Names are unique within their section. */
export const uniqueNames: Rule = function* (spec) {
  yield* duplicates(spec.sites, (s) => s.name, ["sites"], "name", "site name");
  yield* duplicates(spec.hosts, (h) => h.name, ["hosts"], "name", "host name");
  yield* duplicates(spec.nodes, (n) => n.name, ["nodes"], "name", "node name");
  yield* duplicates(spec.apps, (a) => a.name, ["apps"], "name", "app name");
  yield* duplicates(spec.storage.classes, (c) => c.name, ["storage", "classes"], "name", "storage class");
  yield* duplicates(spec.identity.groups, (g) => g.name, ["identity", "groups"], "name", "group");
  yield* duplicates(spec.identity.users, (u) => u.name, ["identity", "users"], "name", "user");
  yield* duplicates(spec.network.seats, (s) => s.name, ["network", "seats"], "name", "seat");
  yield* duplicates(spec.functions, (f) => f.name, ["functions"], "name", "function");
  yield* duplicates(spec.backups.targets, (t) => t.name, ["backups", "targets"], "name", "backup target");
  // guests are machines on the LAN like nodes: their names are unique among nodes and guests
  const machine = new Map<string, string>(spec.nodes.map((n, i) => [n.name, `nodes[${i}]`]));
  for (const [hi, h] of spec.hosts.entries()) {
    for (const [gi, g] of h.guests.entries()) {
      const prev = machine.get(g.name);
      if (prev) yield error(["hosts", hi, "guests", gi, "name"], `guest name ${g.name} is already used by ${prev}`, "nodes and guest VMs share one namespace of machine names; rename one of them");
      else machine.set(g.name, `hosts[${hi}].guests[${gi}]`);
    }
  }
};

/** Node and seat addresses, MACs and app hostnames are unique. */
export const uniqueAddresses: Rule = function* (spec) {
  yield* duplicates(spec.nodes, (n) => n.address, ["nodes"], "address", "address");
  yield* duplicates(spec.nodes, (n) => n.mac?.toLowerCase(), ["nodes"], "mac", "MAC address");
  yield* duplicates(spec.hosts, (h) => h.mac?.toLowerCase(), ["hosts"], "mac", "MAC address");
  yield* duplicates(spec.hosts, (h) => h.address, ["hosts"], "address", "address");
  yield* duplicates(spec.network.seats, (s) => s.address, ["network", "seats"], "address", "address");
  yield* duplicates(spec.apps, (a) => a.hostname, ["apps"], "hostname", "hostname");
  // guest addresses are unique among nodes, hosts and guests
  const used = new Map<string, string>();
  for (const [i, n] of spec.nodes.entries()) used.set(n.address, `nodes[${i}] (${n.name})`);
  for (const [i, h] of spec.hosts.entries()) if (h.address && !used.has(h.address)) used.set(h.address, `hosts[${i}] (${h.name})`);
  for (const [hi, h] of spec.hosts.entries()) {
    for (const [gi, g] of h.guests.entries()) {
      if (!g.address) continue;
      const prev = used.get(g.address);
      if (prev) yield error(["hosts", hi, "guests", gi, "address"], `address ${g.address} is already used by ${prev}`, "give each machine its own address");
      else used.set(g.address, `hosts[${hi}].guests[${gi}] (${g.name})`);
    }
  }
  // a host's management address must not be a node's address either (VM nodes share the host's LAN)
  const nodeAddr = new Map(spec.nodes.map((n, i) => [n.address, i]));
  for (let i = 0; i < spec.hosts.length; i++) {
    const h = spec.hosts[i]!;
    const n = h.address ? nodeAddr.get(h.address) : undefined;
    if (n !== undefined && spec.nodes[n]!.host !== h.name) {
      yield error(["hosts", i, "address"], `address ${h.address} is already used by nodes[${n}] (${spec.nodes[n]!.name})`, "give the host its own management address");
    }
  }
};
