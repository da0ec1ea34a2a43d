import type { CatalogApp } from "../app.js";
import { DEFAULT_IMAGES } from "../../versions/defaults.js";

/** Paperless-ngx: scans, OCRs and indexes documents. Redis is its task broker; Postgres its database. */
export const paperlessNgx: CatalogApp = {
  name: "paperless-ngx",
  title: "Paperless-ngx",
  description: "Document management with OCR",
  icon: "paperless-ngx.png",
  category: "office",
  image: DEFAULT_IMAGES["paperless-ngx"],
  archs: ["amd64", "arm64"],
  ports: [{ name: "http", port: 8000, protocol: "TCP", http: true }],
  volumes: [
    { name: "data", path: "/usr/src/paperless/data", size: "5Gi" },
    { name: "media", path: "/usr/src/paperless/media", size: "20Gi" },
  ],
  replicas: { default: 1, scalable: false },
  dependencies: ["postgres", "redis"],
  resources: { cpu: "250m", memory: "1Gi" },
  exposure: "private",
  internet: true,
  env: {
    PAPERLESS_URL: "{{url}}",
    PAPERLESS_REDIS: "redis://{{redis.host}}:{{redis.port}}",
    PAPERLESS_DBHOST: "{{postgres.host}}",
    PAPERLESS_DBPORT: "{{postgres.port}}",
    PAPERLESS_DBNAME: "{{postgres.database}}",
    PAPERLESS_DBUSER: "{{postgres.user}}",
    PAPERLESS_ADMIN_USER: "admin",
    PAPERLESS_PORT: "8000",
  },
  secretEnv: { PAPERLESS_DBPASS: "postgres-password", PAPERLESS_SECRET_KEY: "secret-key", PAPERLESS_ADMIN_PASSWORD: "admin-password" },
  secrets: { "secret-key": "hex", "admin-password": "password" },
  healthPath: "/",
  capabilities: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"],
};
