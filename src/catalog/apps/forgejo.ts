import type { CatalogApp } from "../app.js";
import { DEFAULT_IMAGES } from "../../versions/defaults.js";

/** Forgejo: a Git forge (rootless image): web UI, git over HTTP and over SSH on its own address. */
export const forgejo: CatalogApp = {
  name: "forgejo",
  title: "Forgejo",
  description: "Git forge with issues, pull requests and CI",
  icon: "forgejo.png",
  category: "dev",
  image: DEFAULT_IMAGES["forgejo"],
  archs: ["amd64", "arm64"],
  ports: [
    { name: "http", port: 3000, protocol: "TCP", http: true },
    { name: "ssh", port: 2222, protocol: "TCP", loadBalancer: true, servicePort: 22 },
  ],
  volumes: [
    { name: "data", path: "/var/lib/gitea", size: "20Gi" },
    { name: "config", path: "/etc/gitea", size: "100Mi" },
  ],
  replicas: { default: 1, scalable: false },
  dependencies: ["postgres"],
  resources: { cpu: "200m", memory: "512Mi" },
  exposure: "private",
  internet: true,
  // git clients push over HTTP and SSH with tokens and keys
  sso: "native",
  env: {
    FORGEJO__database__DB_TYPE: "postgres",
    FORGEJO__database__HOST: "{{postgres.host}}:{{postgres.port}}",
    FORGEJO__database__NAME: "{{postgres.database}}",
    FORGEJO__database__USER: "{{postgres.user}}",
    FORGEJO__server__ROOT_URL: "{{url}}/",
    FORGEJO__server__DOMAIN: "{{host}}",
    FORGEJO__server__SSH_DOMAIN: "{{host}}",
    FORGEJO__server__SSH_PORT: "22",
    FORGEJO__server__SSH_LISTEN_PORT: "2222",
    FORGEJO__security__INSTALL_LOCK: "true",
    FORGEJO__service__DISABLE_REGISTRATION: "true",
  },
  secretEnv: {
    FORGEJO__database__PASSWD: "postgres-password",
    FORGEJO__security__SECRET_KEY: "secret-key",
    FORGEJO__security__INTERNAL_TOKEN: "internal-token",
  },
  secrets: { "secret-key": "hex", "internal-token": "hex" },
  healthPath: "/api/healthz",
  runAsUser: 1000,
};
