import type { CatalogApp } from "../app.js";
import { DEFAULT_IMAGES } from "../../versions/defaults.js";

/** Immich: photo and video backup. Needs Postgres with the vector extensions Immich ships, and Redis. */
export const immich: CatalogApp = {
  name: "immich",
  title: "Immich",
  description: "Photo and video backup",
  icon: "immich.png",
  category: "media",
  image: DEFAULT_IMAGES["immich"],
  archs: ["amd64", "arm64"],
  ports: [{ name: "http", port: 2283, protocol: "TCP", http: true }],
  volumes: [{ name: "library", path: "/data", size: "100Gi" }],
  replicas: { default: 1, scalable: false },
  dependencies: ["postgres", "redis"],
  dependencyImages: { postgres: "immich-postgres" },
  devices: { gpu: "optional" },
  resources: { cpu: "500m", memory: "1Gi" },
  exposure: "private",
  internet: true,
  // the phone app uploads with its own login
  sso: "native",
  env: {
    DB_HOSTNAME: "{{postgres.host}}",
    DB_PORT: "{{postgres.port}}",
    DB_USERNAME: "{{postgres.user}}",
    DB_DATABASE_NAME: "{{postgres.database}}",
    REDIS_HOSTNAME: "{{redis.host}}",
    REDIS_PORT: "{{redis.port}}",
    IMMICH_MACHINE_LEARNING_ENABLED: "false",
  },
  secretEnv: { DB_PASSWORD: "postgres-password" },
  healthPath: "/api/server/ping",
  runAsUser: 1000,
  memoryLimitFactor: 4,
};
