import type { CatalogApp } from "../app.js";
import { DEFAULT_IMAGES } from "../../versions/defaults.js";

/** FreshRSS: a feed reader (Apache + PHP; SQLite and settings under data/). */
export const freshrss: CatalogApp = {
  name: "freshrss",
  title: "FreshRSS",
  description: "RSS and Atom feed reader",
  icon: "freshrss.png",
  category: "reading",
  image: DEFAULT_IMAGES["freshrss"],
  archs: ["amd64", "arm64"],
  ports: [{ name: "http", port: 80, protocol: "TCP", http: true }],
  volumes: [
    { name: "data", path: "/var/www/FreshRSS/data", size: "2Gi" },
    { name: "extensions", path: "/var/www/FreshRSS/extensions", size: "100Mi" },
  ],
  replicas: { default: 1, scalable: false },
  dependencies: [],
  resources: { cpu: "50m", memory: "128Mi" },
  exposure: "private",
  internet: true,
  env: { CRON_MIN: "*/20", TRUSTED_PROXY: "10.0.0.0/8 172.16.0.0/12 192.168.0.0/16" },
  healthPath: "/i/",
  capabilities: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID", "NET_BIND_SERVICE"],
};
