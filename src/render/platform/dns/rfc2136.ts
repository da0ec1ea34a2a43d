// RFC 2136: external-dns and cert-manager's DNS-01 send TSIG-signed updates to network.dns.rfc2136.server.
import { parseHostPort } from "../../../net/host.js";
import type { Lab } from "../../../lab/types.js";
import type { DnsRenderer } from "./contract.js";

const settings = (lab: Lab) => {
  const r = lab.network.dns.rfc2136;
  if (!r) throw new Error("internal: network.dns.rfc2136 is missing (drover check refuses it)");
  return r;
};

export const rfc2136Dns: DnsRenderer = {
  name: "rfc2136",
  instances: () => [undefined],
  externalDns: (lab, _e, secretName) => {
    const r = settings(lab);
    const server = parseHostPort(r.server);
    if ("error" in server) throw new Error(`internal: network.dns.rfc2136.server ${r.server} is not host[:port] (drover check refuses it)`);
    return {
      args: [`--rfc2136-host=${server.host}`, `--rfc2136-port=${server.port ?? 53}`, `--rfc2136-zone=${r.zone}`, `--rfc2136-tsig-keyname=${r.keyName}`, "--rfc2136-tsig-secret-alg=hmac-sha256", "--rfc2136-tsig-axfr"],
      env: [{ name: "EXTERNAL_DNS_RFC2136_TSIG_SECRET", valueFrom: { secretKeyRef: { name: secretName, key: "secret" } } }],
      registry: "txt",
    };
  },
  credentials: (lab, _store, s) => ({ secret: s.external("rfc2136-tsig-secret", `TSIG secret of key ${lab.network.dns.rfc2136?.keyName ?? ""}`) }),
  dns01: (lab, s) => {
    const r = lab.network.dns.rfc2136;
    if (!r) return undefined;
    return {
      solver: { dns01: { rfc2136: { nameserver: r.server, tsigKeyName: r.keyName, tsigAlgorithm: "HMACSHA256", tsigSecretSecretRef: { name: "rfc2136-tsig", key: "secret" } } } },
      secret: { name: "rfc2136-tsig", data: { secret: s.external("rfc2136-tsig-secret", `TSIG secret of key ${r.keyName} on ${r.server}`) } },
    };
  },
};
