// Power: the UPSes of lab.yaml resolved into what each host does when the mains fail. NUT (Network
// UPS Tools) runs the show: the UPS's own host runs the NUT server (primary), every other host it
// powers a NUT client (secondary). On low battery NUT shuts every secondary down and the primary
// last, after they have gone. Before that, hosts whose loss costs nothing the rest needs (worker-only
// hosts, volatile hosts) shut down early, after a third of the runtime on battery, to leave the
// battery to the control planes and the storage; a distribution whose NUT client has no upssched
// timers (Talos's extension runs upsmon only) waits for low battery.
import type { LabSpec } from "../spec/schema.js";
import type { Host, Node, ServiceAddress, Ups, UpsHost } from "./types.js";
import { capabilitiesOf } from "../distributions/index.js";

export type { PowerStep, Ups, UpsHost } from "./types.js";

/** NUT's network port (upsd). */
export const NUT_PORT = 3493;

const seconds = (runtime: string): number => Number(runtime.slice(0, -1)) * (runtime.endsWith("h") ? 3600 : 60);

/** The address a host's NUT server listens on: its management address, else its bare-metal node's. */
export function hostAddress(host: Host, nodes: readonly Node[]): string | undefined {
  return host.address ?? nodes.find((n) => n.host === host.name && n.kind !== "vm")?.address;
}

/** Whether the distribution's OS runs on the host itself (a bare-metal or cloud node), rather than Debian (a hypervisor, a NAS). */
export const runsDistribution = (host: string, nodes: readonly Node[]): boolean => nodes.some((n) => n.host === host && n.kind !== "vm");

export function resolveUps(spec: LabSpec, hosts: readonly Host[], nodes: readonly Node[], services: readonly ServiceAddress[]): Ups[] {
  const hostByName = new Map(hosts.map((h) => [h.name, h]));
  const nut = capabilitiesOf(spec.cluster.distribution).nut;
  const serves = new Set(services.map((s) => s.servedBy?.host).filter((h): h is string => h !== undefined));
  return spec.ups.map((u) => {
    const runtimeSeconds = seconds(u.runtime);
    const plan = (name: string): UpsHost => {
      const os = runsDistribution(name, nodes) ? "node" : "debian";
      // Debian runs NUT from files; a distribution without NUT timers takes its settings in the node config (Talos)
      const files = os === "debian" || nut.settings === "files";
      const timers = os === "debian" || nut.timers;
      if (name === u.host) return { host: name, role: "primary", os, files, step: "last", why: "the UPS's own host: NUT shuts it down after every other host" };
      const h = hostByName.get(name)!;
      const mine = nodes.filter((n) => n.host === name);
      const keeps = mine.some((n) => n.role === "controlplane") ? "a control plane" : h.guests.length ? "guest VMs" : serves.has(name) ? "a service the lab uses" : undefined;
      if (keeps) return { host: name, role: "secondary", os, files, step: "low-battery", why: `it runs ${keeps}: it stays up as long as the battery allows` };
      if (!timers) return { host: name, role: "secondary", os, files, step: "low-battery", why: "workers only, but its NUT client has no timers: it goes at low battery" };
      return { host: name, role: "secondary", os, files, step: "early", why: h.power === "volatile" ? "a volatile host" : "workers only: its pods move to the hosts that stay up, which keep the battery longer" };
    };
    const order = { early: 0, "low-battery": 1, last: 2 } as const;
    const planned = u.powers.map(plan).sort((a, b) => order[a.step] - order[b.step] || a.host.localeCompare(b.host));
    const server = hostByName.get(u.host);
    return {
      name: u.name,
      host: u.host,
      driver: u.driver,
      port: u.port,
      runtimeSeconds,
      serverAddress: u.powers.some((p) => p !== u.host) && server ? hostAddress(server, nodes) : undefined,
      hosts: planned,
      earlyAfterSeconds: Math.max(60, Math.floor(runtimeSeconds / 3)),
    };
  });
}
