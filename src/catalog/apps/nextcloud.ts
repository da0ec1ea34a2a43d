import type { CatalogApp } from "../app.js";
import { DEFAULT_IMAGES } from "../../versions/defaults.js";

/** Nextcloud: files, calendars and contacts. Apache in the image binds port 80 and drops to www-data. */
export const nextcloud: CatalogApp = {
  name: "nextcloud",
  title: "Nextcloud",
  description: "Files, calendars and contacts",
  icon: "nextcloud.png",
  category: "files",
  image: DEFAULT_IMAGES["nextcloud"],
  archs: ["amd64", "arm64"],
  ports: [{ name: "http", port: 80, protocol: "TCP", http: true }],
  volumes: [{ name: "data", path: "/var/www/html", size: "50Gi" }],
  replicas: { default: 1, scalable: false },
  dependencies: ["postgres", "redis"],
  resources: { cpu: "250m", memory: "512Mi" },
  exposure: "private",
  internet: true,
  // desktop and phone sync clients use WebDAV with app passwords
  sso: "native",
  env: {
    POSTGRES_HOST: "{{postgres.host}}",
    POSTGRES_DB: "{{postgres.database}}",
    POSTGRES_USER: "{{postgres.user}}",
    REDIS_HOST: "{{redis.host}}",
    NEXTCLOUD_ADMIN_USER: "admin",
    NEXTCLOUD_TRUSTED_DOMAINS: "{{host}}",
    OVERWRITEPROTOCOL: "https",
    OVERWRITEHOST: "{{host}}",
    TRUSTED_PROXIES: "10.0.0.0/8 172.16.0.0/12 192.168.0.0/16",
  },
  secretEnv: { POSTGRES_PASSWORD: "postgres-password", NEXTCLOUD_ADMIN_PASSWORD: "admin-password" },
  secrets: { "admin-password": "password" },
  healthPath: "/status.php",
  capabilities: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID", "NET_BIND_SERVICE"],
  memoryLimitFactor: 4,
};
