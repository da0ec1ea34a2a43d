import type { CatalogApp } from "../app.js";
import { DEFAULT_IMAGES } from "../../versions/defaults.js";

/** Grafana: dashboards. Keeps its SQLite database, plugins and settings under /var/lib/grafana. */
export const grafana: CatalogApp = {
  name: "grafana",
  title: "Grafana",
  description: "Dashboards for metrics and logs",
  icon: "grafana.png",
  category: "monitoring",
  image: DEFAULT_IMAGES["grafana"],
  archs: ["amd64", "arm64"],
  ports: [{ name: "http", port: 3000, protocol: "TCP", http: true }],
  volumes: [{ name: "data", path: "/var/lib/grafana", size: "5Gi" }],
  replicas: { default: 1, scalable: false },
  dependencies: [],
  resources: { cpu: "100m", memory: "256Mi" },
  exposure: "private",
  internet: true,
  env: { GF_SERVER_ROOT_URL: "{{url}}", GF_SECURITY_ADMIN_USER: "admin", GF_ANALYTICS_REPORTING_ENABLED: "false" },
  secretEnv: { GF_SECURITY_ADMIN_PASSWORD: "admin-password" },
  secrets: { "admin-password": "password" },
  healthPath: "/api/health",
  runAsUser: 472,
};
