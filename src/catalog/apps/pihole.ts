import type { CatalogApp } from "../app.js";
import { DEFAULT_IMAGES } from "../../versions/defaults.js";

/**
 * Pi-hole: DNS sinkhole for ads, serving DNS on its own load-balancer address (53 TCP and UDP). With
 * replicas: 2 or more, highly available: independent instances on different hosts behind that address.
 */
export const pihole: CatalogApp = {
  name: "pihole",
  title: "Pi-hole",
  description: "Network-wide ad blocking DNS",
  icon: "pi-hole.png",
  category: "network",
  image: DEFAULT_IMAGES["pihole"],
  archs: ["amd64", "arm64"],
  ports: [
    { name: "http", port: 80, protocol: "TCP", http: true },
    { name: "dns-tcp", port: 53, protocol: "TCP", loadBalancer: true },
    { name: "dns-udp", port: 53, protocol: "UDP", loadBalancer: true },
  ],
  volumes: [{ name: "config", path: "/etc/pihole", size: "1Gi" }],
  // two or more: each Pi-hole keeps its own /etc/pihole, spread across hosts behind the one DNS address
  replicas: { default: 1, scalable: true, independent: true },
  dependencies: [],
  resources: { cpu: "100m", memory: "256Mi" },
  exposure: "private",
  internet: true,
  env: { TZ: "UTC", FTLCONF_dns_listeningMode: "all", FTLCONF_webserver_port: "80" },
  secretEnv: { FTLCONF_webserver_api_password: "admin-password" },
  secrets: { "admin-password": "password" },
  healthPath: "/admin/",
  // FTL binds port 53, and the entrypoint sets file capabilities on pihole-FTL and drops to the pihole user
  capabilities: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID", "SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "KILL"],
};
