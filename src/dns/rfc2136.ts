// RFC 2136 dynamic updates (BIND, Knot, PowerDNS…) signed with a TSIG key: either domain, and DNS-01.
import type { DnsProvider } from "./contract.js";

export const rfc2136: DnsProvider = {
  name: "rfc2136",
  title: "RFC 2136",
  summary: "dynamic updates to your own DNS server, signed with a TSIG key",
  zones: ["public", "private"],
  dns01: true,
  settings: { field: "rfc2136", holds: "server, zone, keyName" },
};
