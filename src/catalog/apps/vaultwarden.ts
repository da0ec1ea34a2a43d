import type { CatalogApp } from "../app.js";
import { DEFAULT_IMAGES } from "../../versions/defaults.js";

/** Vaultwarden: a Bitwarden-compatible password manager (SQLite and attachments under /data). */
export const vaultwarden: CatalogApp = {
  name: "vaultwarden",
  title: "Vaultwarden",
  description: "Password manager (Bitwarden compatible)",
  icon: "vaultwarden.png",
  category: "security",
  image: DEFAULT_IMAGES["vaultwarden"],
  archs: ["amd64", "arm64"],
  ports: [{ name: "http", port: 8080, protocol: "TCP", http: true }],
  volumes: [{ name: "data", path: "/data", size: "1Gi" }],
  replicas: { default: 1, scalable: false },
  dependencies: [],
  resources: { cpu: "50m", memory: "128Mi" },
  exposure: "private",
  internet: true,
  // Bitwarden clients (browser extensions, phones) log in themselves: no forward-auth in front
  sso: "native",
  env: { DOMAIN: "{{url}}", ROCKET_PORT: "8080", SIGNUPS_ALLOWED: "false", INVITATIONS_ALLOWED: "true" },
  secretEnv: { ADMIN_TOKEN: "admin-token" },
  secrets: { "admin-token": "base64" },
  healthPath: "/alive",
  runAsUser: 1000,
};
