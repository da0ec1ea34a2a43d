import type { CatalogApp } from "../app.js";
import { DEFAULT_IMAGES } from "../../versions/defaults.js";

/** Etherpad: collaborative editing. Pads live in Postgres; the server keeps pad state in memory, so one replica. */
export const etherpad: CatalogApp = {
  name: "etherpad",
  title: "Etherpad",
  description: "Collaborative real-time text editing",
  icon: "etherpad.png",
  category: "office",
  image: DEFAULT_IMAGES["etherpad"],
  archs: ["amd64", "arm64"],
  ports: [{ name: "http", port: 9001, protocol: "TCP", http: true }],
  volumes: [],
  replicas: { default: 1, scalable: false },
  dependencies: ["postgres"],
  resources: { cpu: "100m", memory: "256Mi" },
  exposure: "public",
  env: {
    TITLE: "Etherpad",
    TRUST_PROXY: "true",
    DB_TYPE: "postgres",
    DB_HOST: "{{postgres.host}}",
    DB_PORT: "{{postgres.port}}",
    DB_NAME: "{{postgres.database}}",
    DB_USER: "{{postgres.user}}",
  },
  secretEnv: { DB_PASS: "postgres-password", ADMIN_PASSWORD: "admin-password" },
  secrets: { "admin-password": "password" },
  healthPath: "/health",
  runAsUser: 5001,
  fsGroup: 0,
};
