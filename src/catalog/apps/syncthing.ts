import type { CatalogApp } from "../app.js";
import { DEFAULT_IMAGES } from "../../versions/defaults.js";

/** Syncthing: continuous file sync between devices; sync protocol on its own address (22000 TCP and QUIC). */
export const syncthing: CatalogApp = {
  name: "syncthing",
  title: "Syncthing",
  description: "Continuous file synchronisation",
  icon: "syncthing.png",
  category: "files",
  image: DEFAULT_IMAGES["syncthing"],
  archs: ["amd64", "arm64"],
  ports: [
    { name: "http", port: 8384, protocol: "TCP", http: true },
    { name: "sync-tcp", port: 22000, protocol: "TCP", loadBalancer: true },
    { name: "sync-quic", port: 22000, protocol: "UDP", loadBalancer: true },
  ],
  volumes: [{ name: "data", path: "/var/syncthing", size: "100Gi" }],
  replicas: { default: 1, scalable: false },
  dependencies: [],
  resources: { cpu: "100m", memory: "256Mi" },
  exposure: "private",
  internet: true,
  env: { STGUIADDRESS: "0.0.0.0:8384", PUID: "1000", PGID: "1000" },
  healthPath: "/rest/noauth/health",
  runAsUser: 1000,
};
