// Cloudflare: the public domain's records through Cloudflare's API (an API token), and DNS-01.
import type { DnsProvider } from "./contract.js";

export const cloudflare: DnsProvider = {
  name: "cloudflare",
  title: "Cloudflare",
  summary: "Cloudflare's API, with an API token",
  zones: ["public"],
  dns01: true,
};
