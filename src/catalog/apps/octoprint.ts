import type { CatalogApp } from "../app.js";
import { DEFAULT_IMAGES } from "../../versions/defaults.js";

/** OctoPrint: a web interface for a 3D printer on a USB serial port. */
export const octoprint: CatalogApp = {
  name: "octoprint",
  title: "OctoPrint",
  description: "3D printer control",
  icon: "octoprint.png",
  category: "iot",
  image: DEFAULT_IMAGES["octoprint"],
  archs: ["amd64", "arm64"],
  ports: [{ name: "http", port: 80, protocol: "TCP", http: true }],
  volumes: [{ name: "data", path: "/octoprint", size: "5Gi" }],
  replicas: { default: 1, scalable: false },
  dependencies: [],
  devices: { serial: "required" },
  resources: { cpu: "250m", memory: "256Mi" },
  exposure: "private",
  internet: true,
  env: { ENABLE_MJPG_STREAMER: "false" },
  healthPath: "/online.txt",
  capabilities: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID", "NET_BIND_SERVICE", "KILL"],
};
