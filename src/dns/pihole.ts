// Pi-hole: the private domain's local records in the lab's own Pi-hole app (its API password).
import type { DnsProvider } from "./contract.js";

export const pihole: DnsProvider = {
  name: "pihole",
  title: "Pi-hole",
  summary: "local records in the lab's Pi-hole app",
  zones: ["private"],
  dns01: false,
  app: "pihole",
};
