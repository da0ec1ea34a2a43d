import type { CatalogApp } from "../app.js";
import { DEFAULT_IMAGES } from "../../versions/defaults.js";

/** Home Assistant: home automation; a Zigbee/Z-Wave USB stick is an optional serial device. */
export const homeAssistant: CatalogApp = {
  name: "home-assistant",
  title: "Home Assistant",
  description: "Home automation",
  icon: "home-assistant.png",
  category: "iot",
  image: DEFAULT_IMAGES["home-assistant"],
  archs: ["amd64", "arm64"],
  ports: [{ name: "http", port: 8123, protocol: "TCP", http: true }],
  volumes: [{ name: "config", path: "/config", size: "5Gi" }],
  replicas: { default: 1, scalable: false },
  dependencies: [],
  devices: { serial: "optional" },
  resources: { cpu: "250m", memory: "512Mi" },
  exposure: "private",
  internet: true,
  // the companion apps log in to Home Assistant itself
  sso: "native",
  env: { TZ: "UTC" },
  healthPath: "/manifest.json",
  capabilities: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID", "NET_BIND_SERVICE", "NET_RAW"],
};
