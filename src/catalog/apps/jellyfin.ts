import type { CatalogApp } from "../app.js";
import { DEFAULT_IMAGES } from "../../versions/defaults.js";

/** Jellyfin: media server; a GPU (optional) does hardware transcoding. */
export const jellyfin: CatalogApp = {
  name: "jellyfin",
  title: "Jellyfin",
  description: "Movies, shows and music",
  icon: "jellyfin.png",
  category: "media",
  image: DEFAULT_IMAGES["jellyfin"],
  archs: ["amd64", "arm64"],
  ports: [{ name: "http", port: 8096, protocol: "TCP", http: true }],
  volumes: [
    { name: "config", path: "/config", size: "10Gi" },
    { name: "cache", path: "/cache", size: "20Gi" },
  ],
  replicas: { default: 1, scalable: false },
  dependencies: [],
  devices: { gpu: "optional" },
  resources: { cpu: "500m", memory: "1Gi" },
  exposure: "private",
  internet: true,
  // TV and phone apps log in to Jellyfin itself
  sso: "native",
  env: { JELLYFIN_PublishedServerUrl: "{{url}}" },
  healthPath: "/health",
  runAsUser: 1000,
};
