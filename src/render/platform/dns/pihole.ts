// Pi-hole: external-dns writes local records through the API of the lab's Pi-hole app (v6), one
// instance per replica of a highly available Pi-hole (each keeps its own records), with the app's
// generated admin password (or an external Pi-hole's, from the secrets store).
import type { Lab } from "../../../lab/types.js";
import { replicaServiceName, serviceName } from "../../apps/names.js";
import type { DnsRenderer } from "./contract.js";

/**
 * The Pi-hole API(s) external-dns writes the private records to: the app's Service, or each replica
 * of a highly available Pi-hole by its own name (every instance must know every record).
 */
function piholeServers(lab: Lab): string[] {
  const p = lab.apps.find((a) => a.catalog.name === "pihole");
  if (!p) return ["http://pihole.dns.svc.cluster.local"];
  const http = p.catalog.ports.find((x) => x.http)!;
  const port = http.servicePort ?? http.port;
  if (!p.independentReplicas) return [`http://${serviceName(p)}.${p.namespace}.svc.cluster.local:${port}`];
  return Array.from({ length: p.replicas }, (_, i) => `http://${p.name}-${i}.${replicaServiceName(p)}.${p.namespace}.svc.cluster.local:${port}`);
}

export const piholeDns: DnsRenderer = {
  name: "pihole",
  instances: piholeServers,
  externalDns: (lab, _e, secretName, server) => ({
    args: [`--pihole-server=${server ?? piholeServers(lab)[0]!}`, "--pihole-api-version=6"],
    env: [{ name: "EXTERNAL_DNS_PIHOLE_PASSWORD", valueFrom: { secretKeyRef: { name: secretName, key: "password" } } }],
    registry: "noop",
  }),
  credentials: (lab, store, s) => {
    const p = lab.apps.find((a) => a.catalog.name === "pihole");
    const v = p ? store.apps[p.name]?.["admin-password"] : undefined;
    return { password: v ?? s.external("pihole-password", "Pi-hole web/API password for external-dns") };
  },
};
