import type { CatalogApp } from "../app.js";
import { DEFAULT_IMAGES } from "../../versions/defaults.js";

/** InfluxDB 2: a time-series database, set up on first start with an admin user and token. */
export const influxdb: CatalogApp = {
  name: "influxdb",
  title: "InfluxDB",
  description: "Time-series database",
  icon: "influxdb.png",
  category: "databases",
  image: DEFAULT_IMAGES["influxdb"],
  archs: ["amd64", "arm64"],
  ports: [{ name: "http", port: 8086, protocol: "TCP", http: true }],
  volumes: [
    { name: "data", path: "/var/lib/influxdb2", size: "20Gi" },
    { name: "config", path: "/etc/influxdb2", size: "100Mi" },
  ],
  replicas: { default: 1, scalable: false },
  dependencies: [],
  resources: { cpu: "200m", memory: "512Mi" },
  exposure: "private",
  // written to by agents with tokens
  sso: "native",
  env: {
    DOCKER_INFLUXDB_INIT_MODE: "setup",
    DOCKER_INFLUXDB_INIT_USERNAME: "admin",
    DOCKER_INFLUXDB_INIT_ORG: "lab",
    DOCKER_INFLUXDB_INIT_BUCKET: "default",
  },
  secretEnv: { DOCKER_INFLUXDB_INIT_PASSWORD: "admin-password", DOCKER_INFLUXDB_INIT_ADMIN_TOKEN: "admin-token" },
  secrets: { "admin-password": "password", "admin-token": "hex" },
  healthPath: "/health",
  runAsUser: 1000,
};
