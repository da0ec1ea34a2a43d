import type { CatalogApp } from "../app.js";
import { DEFAULT_IMAGES } from "../../versions/defaults.js";

/** n8n: workflow automation. Workflows in Postgres, the encryption key and binary data under ~/.n8n. */
export const n8n: CatalogApp = {
  name: "n8n",
  title: "n8n",
  description: "Workflow automation",
  icon: "n8n.png",
  category: "automation",
  image: DEFAULT_IMAGES["n8n"],
  archs: ["amd64", "arm64"],
  ports: [{ name: "http", port: 5678, protocol: "TCP", http: true }],
  volumes: [{ name: "data", path: "/home/node/.n8n", size: "2Gi" }],
  replicas: { default: 1, scalable: false },
  dependencies: ["postgres"],
  resources: { cpu: "200m", memory: "512Mi" },
  exposure: "private",
  internet: true,
  // webhooks are called by other services
  sso: "native",
  env: {
    DB_TYPE: "postgresdb",
    DB_POSTGRESDB_HOST: "{{postgres.host}}",
    DB_POSTGRESDB_PORT: "{{postgres.port}}",
    DB_POSTGRESDB_DATABASE: "{{postgres.database}}",
    DB_POSTGRESDB_USER: "{{postgres.user}}",
    N8N_HOST: "{{host}}",
    N8N_PROTOCOL: "https",
    N8N_PORT: "5678",
    WEBHOOK_URL: "{{url}}/",
    N8N_DIAGNOSTICS_ENABLED: "false",
  },
  secretEnv: { DB_POSTGRESDB_PASSWORD: "postgres-password", N8N_ENCRYPTION_KEY: "encryption-key" },
  secrets: { "encryption-key": "hex" },
  healthPath: "/healthz",
  runAsUser: 1000,
};
