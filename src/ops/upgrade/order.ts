// The order nodes are upgraded in, one at a time: control planes first (etcd keeps quorum because only
// one member is ever away), then workers failure domain by failure domain — site, then chassis (hosts
// that fail together), then host — so that a bad release that breaks a node breaks it in one domain
// and the roll stops there, while the other domains still run the apps.
import type { Lab, Node } from "../../lab/types.js";

/** Where a node sits: the domains it fails with, outermost first. */
export interface FailureDomain {
  readonly site: string;
  /** the chassis of its host, else the host itself */
  readonly chassis: string;
  readonly host: string;
}

export const domainOf = (lab: Lab, n: Node): FailureDomain => ({ site: n.site, chassis: lab.host(n.host).chassis ?? n.host, host: n.host });

export const domainText = (d: FailureDomain): string => [d.site, d.chassis !== d.host ? `chassis ${d.chassis}` : undefined, `host ${d.host}`].filter(Boolean).join(" / ");

/**
 * Control planes in lab order, then workers grouped by site (lab order), chassis and host (first
 * appearance in lab.yaml), each group's nodes in lab order. Volatile nodes (hosts that come and go)
 * go last: they may be off when the roll reaches them.
 */
export function upgradeOrder(lab: Lab, nodes: readonly Node[] = lab.nodes): Node[] {
  const cps = nodes.filter((n) => n.role === "controlplane");
  const workers = nodes.filter((n) => n.role !== "controlplane");
  const siteRank = new Map(lab.sites.map((s, i) => [s.name, i]));
  const first = new Map<string, number>();
  const hostFirst = new Map<string, number>();
  workers.forEach((n, i) => {
    const d = domainOf(lab, n);
    if (!first.has(d.chassis)) first.set(d.chassis, i);
    if (!hostFirst.has(d.host)) hostFirst.set(d.host, i);
  });
  const index = new Map(workers.map((n, i) => [n.name, i]));
  const key = (n: Node) => {
    const d = domainOf(lab, n);
    return [n.volatile ? 1 : 0, siteRank.get(d.site) ?? 0, first.get(d.chassis)!, hostFirst.get(d.host)!, index.get(n.name)!];
  };
  const sorted = workers.map((n) => ({ n, k: key(n) })).sort((a, b) => {
    for (let i = 0; i < a.k.length; i++) if (a.k[i] !== b.k[i]) return a.k[i]! - b.k[i]!;
    return 0;
  });
  return [...cps, ...sorted.map((x) => x.n)];
}
