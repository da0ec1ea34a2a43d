import type { CatalogApp } from "../app.js";
import { DEFAULT_IMAGES } from "../../versions/defaults.js";

/** Redis-compatible cache and queue (Valkey, the Linux Foundation fork that stayed BSD-licensed). */
export const redis: CatalogApp = {
  name: "redis",
  title: "Valkey (Redis)",
  description: "In-memory cache and queue",
  icon: "redis.png",
  category: "databases",
  image: DEFAULT_IMAGES["redis"],
  archs: ["amd64", "arm64"],
  ports: [{ name: "redis", port: 6379, protocol: "TCP" }],
  volumes: [],
  replicas: { default: 1, scalable: false },
  dependencies: [],
  resources: { cpu: "50m", memory: "64Mi" },
  exposure: "none",
  args: ["valkey-server", "--save", "", "--appendonly", "no"],
  runAsUser: 999,
};
