import type { CatalogApp } from "../app.js";
import { DEFAULT_IMAGES } from "../../versions/defaults.js";

/** Atuin: shell history sync server. Stateless (history lives in Postgres), so it may run several replicas. */
export const atuin: CatalogApp = {
  name: "atuin",
  title: "Atuin",
  description: "Encrypted shell history sync",
  icon: "mdi-console",
  category: "dev",
  image: DEFAULT_IMAGES["atuin"],
  archs: ["amd64", "arm64"],
  ports: [{ name: "http", port: 8888, protocol: "TCP", http: true }],
  volumes: [],
  replicas: { default: 1, scalable: true },
  dependencies: ["postgres"],
  resources: { cpu: "50m", memory: "64Mi" },
  exposure: "private",
  // the atuin CLI syncs with its own account
  sso: "native",
  args: ["start"],
  env: {
    ATUIN_HOST: "0.0.0.0",
    ATUIN_PORT: "8888",
    ATUIN_OPEN_REGISTRATION: "true",
    ATUIN_DB_URI: "postgres://{{postgres.user}}:$(ATUIN_DB_PASSWORD)@{{postgres.host}}:{{postgres.port}}/{{postgres.database}}",
    RUST_LOG: "info,atuin_server=info",
  },
  secretEnv: { ATUIN_DB_PASSWORD: "postgres-password" },
  healthPath: "/healthz",
  runAsUser: 1000,
};
