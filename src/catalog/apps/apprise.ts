import type { CatalogApp } from "../app.js";
import { DEFAULT_IMAGES } from "../../versions/defaults.js";

/** Apprise API: one HTTP endpoint that sends notifications to 100+ services; saved configurations under /config. */
export const apprise: CatalogApp = {
  name: "apprise",
  title: "Apprise",
  description: "Notifications to any service",
  icon: "apprise.png",
  category: "monitoring",
  image: DEFAULT_IMAGES["apprise"],
  archs: ["amd64", "arm64"],
  ports: [{ name: "http", port: 8000, protocol: "TCP", http: true }],
  volumes: [{ name: "config", path: "/config", size: "1Gi" }],
  replicas: { default: 1, scalable: false },
  dependencies: [],
  resources: { cpu: "50m", memory: "128Mi" },
  exposure: "private",
  internet: true,
  // called by other services (alerting), not by people
  sso: "native",
  env: { APPRISE_STATEFUL_MODE: "simple", APPRISE_WORKER_COUNT: "1" },
  healthPath: "/status",
  capabilities: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"],
};
