// One file per app. This starter registry is filled out by the catalog work (issue 4).
import type { CatalogApp } from "../app.js";

const web = (name: string, title: string, category: string, image: string, tag: string, port: number, opts: Partial<CatalogApp> = {}): CatalogApp => ({
  name, title, description: title, icon: `${name}.png`, category,
  image: { repository: image, tag }, archs: ["amd64", "arm64"],
  ports: [{ name: "http", port, protocol: "TCP", http: true }], volumes: [{ name: "data", path: "/data", size: "5Gi" }],
  replicas: { default: 1, scalable: false }, dependencies: [], resources: { cpu: "100m", memory: "256Mi" }, exposure: "private",
  ...opts,
});

export const apps: readonly CatalogApp[] = [
  web("grafana", "Grafana", "monitoring", "grafana/grafana", "12.3.0", 3000),
  web("vaultwarden", "Vaultwarden", "security", "vaultwarden/server", "1.34.3", 80),
  web("etherpad", "Etherpad", "office", "etherpad/etherpad", "2.5.2", 9001, { exposure: "public" }),
  web("soft-serve", "Soft Serve", "dev", "charmcli/soft-serve", "v0.11.1", 23232),
  web("0x0", "0x0 file sharing", "files", "ghcr.io/mia-0/0x0", "2024.12.1", 8080, { exposure: "public", archs: ["amd64"] }),
  web("nextcloud", "Nextcloud", "files", "nextcloud", "32.0.2-apache", 80),
  web("octoprint", "OctoPrint", "iot", "octoprint/octoprint", "1.11.4", 5000),
  web("ollama", "Ollama", "ai", "ollama/ollama", "0.13.0", 11434),
  web("forgejo", "Forgejo", "dev", "codeberg.org/forgejo/forgejo", "13.0.3", 3000),
  web("keycloak", "Keycloak", "identity", "quay.io/keycloak/keycloak", "26.4.5", 8080),
  web("apprise", "Apprise", "monitoring", "caronc/apprise", "1.2.6", 8000),
  web("influxdb", "InfluxDB", "databases", "influxdb", "2.7.12", 8086),
  web("postgres", "PostgreSQL", "databases", "postgres", "17.7", 5432, { exposure: "none" }),
  web("wallabag", "wallabag", "reading", "wallabag/wallabag", "2.6.14", 80),
  web("freshrss", "FreshRSS", "reading", "freshrss/freshrss", "1.27.1", 80),
  web("atuin", "Atuin", "dev", "ghcr.io/atuinsh/atuin", "v18.10.0", 8888),
  web("pihole", "Pi-hole", "network", "pihole/pihole", "2025.11.0", 80),
  web("jellyfin", "Jellyfin", "media", "jellyfin/jellyfin", "10.11.3", 8096),
  web("homepage", "Homepage", "dashboard", "ghcr.io/gethomepage/homepage", "v1.7.0", 3000, { volumes: [], replicas: { default: 1, scalable: true } }),
  web("immich", "Immich", "media", "ghcr.io/immich-app/immich-server", "v2.3.1", 2283),
  web("home-assistant", "Home Assistant", "iot", "ghcr.io/home-assistant/home-assistant", "2025.11.3", 8123),
  web("uptime-kuma", "Uptime Kuma", "monitoring", "louislam/uptime-kuma", "2.0.2", 3001),
  web("paperless-ngx", "Paperless-ngx", "office", "ghcr.io/paperless-ngx/paperless-ngx", "2.20.0", 8000),
  web("n8n", "n8n", "automation", "n8nio/n8n", "1.121.3", 5678),
  web("syncthing", "Syncthing", "files", "syncthing/syncthing", "2.0.11", 8384),
];
