import type { CatalogApp } from "../app.js";
import { DEFAULT_IMAGES } from "../../versions/defaults.js";

/** wallabag: save web pages to read later (nginx + PHP in the image; images cached under web/assets/images). */
export const wallabag: CatalogApp = {
  name: "wallabag",
  title: "wallabag",
  description: "Read-it-later",
  icon: "wallabag.png",
  category: "reading",
  image: DEFAULT_IMAGES["wallabag"],
  archs: ["amd64", "arm64"],
  ports: [{ name: "http", port: 80, protocol: "TCP", http: true }],
  volumes: [{ name: "images", path: "/var/www/wallabag/web/assets/images", size: "5Gi" }],
  replicas: { default: 1, scalable: false },
  dependencies: ["postgres", "redis"],
  resources: { cpu: "100m", memory: "256Mi" },
  exposure: "private",
  internet: true,
  // browser extensions and phone apps use OAuth clients of wallabag itself
  sso: "native",
  env: {
    SYMFONY__ENV__DATABASE_DRIVER: "pdo_pgsql",
    SYMFONY__ENV__DATABASE_HOST: "{{postgres.host}}",
    SYMFONY__ENV__DATABASE_PORT: "{{postgres.port}}",
    SYMFONY__ENV__DATABASE_NAME: "{{postgres.database}}",
    SYMFONY__ENV__DATABASE_USER: "{{postgres.user}}",
    SYMFONY__ENV__DOMAIN_NAME: "{{url}}",
    SYMFONY__ENV__REDIS_HOST: "{{redis.host}}",
    SYMFONY__ENV__FOSUSER_REGISTRATION: "false",
    POPULATE_DATABASE: "true",
  },
  secretEnv: { SYMFONY__ENV__DATABASE_PASSWORD: "postgres-password", SYMFONY__ENV__SECRET: "app-secret" },
  secrets: { "app-secret": "hex" },
  healthPath: "/login",
  capabilities: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID", "NET_BIND_SERVICE"],
};
