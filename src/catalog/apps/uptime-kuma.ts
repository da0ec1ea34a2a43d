import type { CatalogApp } from "../app.js";
import { DEFAULT_IMAGES } from "../../versions/defaults.js";

/** Uptime Kuma: uptime monitoring and status pages (SQLite under /app/data). */
export const uptimeKuma: CatalogApp = {
  name: "uptime-kuma",
  title: "Uptime Kuma",
  description: "Uptime monitoring and status pages",
  icon: "uptime-kuma.png",
  category: "monitoring",
  image: DEFAULT_IMAGES["uptime-kuma"],
  archs: ["amd64", "arm64"],
  ports: [{ name: "http", port: 3001, protocol: "TCP", http: true }],
  volumes: [{ name: "data", path: "/app/data", size: "2Gi" }],
  replicas: { default: 1, scalable: false },
  dependencies: [],
  resources: { cpu: "100m", memory: "256Mi" },
  exposure: "private",
  internet: true,
  env: { UPTIME_KUMA_PORT: "3001" },
  healthPath: "/",
  capabilities: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID", "NET_RAW"],
};
