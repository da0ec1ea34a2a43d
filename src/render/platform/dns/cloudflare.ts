// Cloudflare: external-dns with the API token (proxied records behind a Cloudflare Tunnel), and DNS-01.
import type { DnsRenderer } from "./contract.js";
import { publicExposure } from "../../../lab/public-entry.js";

const token = "Cloudflare API token (Zone:DNS:Edit) for DNS-01 and external-dns";

export const cloudflareDns: DnsRenderer = {
  name: "cloudflare",
  instances: () => [undefined],
  externalDns: (lab, e, secretName) => ({
    // behind a Cloudflare Tunnel the public names are CNAMEs to the tunnel, which only work proxied (the exposure mode says)
    args: ["--cloudflare-dns-records-per-page=5000", ...(e === "public" && publicExposure(lab).proxied ? ["--cloudflare-proxied"] : [])],
    env: [{ name: "CF_API_TOKEN", valueFrom: { secretKeyRef: { name: secretName, key: "api-token" } } }],
    registry: "txt",
  }),
  credentials: (_lab, _store, s) => ({ "api-token": s.external("cloudflare-api-token", token) }),
  dns01: (_lab, s) => ({
    solver: { dns01: { cloudflare: { apiTokenSecretRef: { name: "cloudflare-api-token", key: "api-token" } } } },
    secret: { name: "cloudflare-api-token", data: { "api-token": s.external("cloudflare-api-token", token) } },
  }),
};
