import type { CatalogApp } from "../app.js";
import { DEFAULT_IMAGES } from "../../versions/defaults.js";

/** PostgreSQL: a database server on its own (apps that need one get their own instance, see render/apps/dependencies.ts). */
export const postgres: CatalogApp = {
  name: "postgres",
  title: "PostgreSQL",
  description: "Relational database",
  icon: "postgres.png",
  category: "databases",
  image: DEFAULT_IMAGES["postgres"],
  archs: ["amd64", "arm64"],
  ports: [{ name: "postgres", port: 5432, protocol: "TCP" }],
  volumes: [{ name: "data", path: "/var/lib/postgresql/data", size: "10Gi" }],
  replicas: { default: 1, scalable: false },
  dependencies: [],
  resources: { cpu: "100m", memory: "256Mi" },
  exposure: "none",
  env: { PGDATA: "/var/lib/postgresql/data/pgdata", POSTGRES_USER: "postgres" },
  secretEnv: { POSTGRES_PASSWORD: "postgres-password" },
  secrets: { "postgres-password": "password" },
  runAsUser: 999,
};
