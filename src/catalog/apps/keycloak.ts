import type { CatalogApp } from "../app.js";
import { DEFAULT_IMAGES } from "../../versions/defaults.js";

/** Keycloak: identity and access management, backed by Postgres. */
export const keycloak: CatalogApp = {
  name: "keycloak",
  title: "Keycloak",
  description: "Identity and access management",
  icon: "keycloak.png",
  category: "identity",
  image: DEFAULT_IMAGES["keycloak"],
  archs: ["amd64", "arm64"],
  ports: [
    { name: "http", port: 8080, protocol: "TCP", http: true },
    { name: "management", port: 9000, protocol: "TCP" },
  ],
  volumes: [],
  // sessions are kept in the local cache: clustering would need JGroups discovery, so one replica
  replicas: { default: 1, scalable: false },
  dependencies: ["postgres"],
  resources: { cpu: "250m", memory: "768Mi" },
  exposure: "private",
  // it is the login itself
  sso: "native",
  args: ["start", "--cache=local"],
  env: {
    KC_DB: "postgres",
    KC_DB_URL: "jdbc:postgresql://{{postgres.host}}:{{postgres.port}}/{{postgres.database}}",
    KC_DB_USERNAME: "{{postgres.user}}",
    KC_HOSTNAME: "{{url}}",
    KC_HTTP_ENABLED: "true",
    KC_PROXY_HEADERS: "xforwarded",
    KC_HEALTH_ENABLED: "true",
    KC_BOOTSTRAP_ADMIN_USERNAME: "admin",
  },
  secretEnv: { KC_DB_PASSWORD: "postgres-password", KC_BOOTSTRAP_ADMIN_PASSWORD: "admin-password" },
  secrets: { "admin-password": "password" },
  runAsUser: 1000,
};
