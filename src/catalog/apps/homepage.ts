import type { CatalogApp } from "../app.js";
import { DEFAULT_IMAGES } from "../../versions/defaults.js";

/** Homepage: the lab's start page, listing every service from its gethomepage.dev/* ingress annotations. */
export const homepage: CatalogApp = {
  name: "homepage",
  title: "Homepage",
  description: "The lab's start page",
  icon: "homepage.png",
  category: "dashboard",
  image: DEFAULT_IMAGES["homepage"],
  archs: ["amd64", "arm64"],
  ports: [{ name: "http", port: 3000, protocol: "TCP", http: true }],
  volumes: [],
  replicas: { default: 1, scalable: true },
  dependencies: [],
  resources: { cpu: "50m", memory: "128Mi" },
  exposure: "private",
  internet: true,
  env: { HOMEPAGE_ALLOWED_HOSTS: "{{host}}", LOG_TARGETS: "stdout" },
  healthPath: "/api/healthcheck",
  runAsUser: 1000,
  clusterRead: [
    { apiGroups: [""], resources: ["namespaces", "pods", "nodes"] },
    { apiGroups: ["networking.k8s.io"], resources: ["ingresses"] },
    { apiGroups: ["metrics.k8s.io"], resources: ["nodes", "pods"] },
  ],
  files: {
    "/app/config/kubernetes.yaml": "mode: cluster\n",
    "/app/config/settings.yaml": "title: Lab\nheaderStyle: clean\nlayout: {}\n",
    "/app/config/services.yaml": "[]\n",
    "/app/config/widgets.yaml": "- kubernetes:\n    cluster:\n      show: true\n      cpu: true\n      memory: true\n    nodes:\n      show: true\n",
    "/app/config/bookmarks.yaml": "[]\n",
    "/app/config/docker.yaml": "{}\n",
    "/app/config/custom.css": "",
    "/app/config/custom.js": "",
  },
};
