import type { CatalogApp } from "../app.js";
import { DEFAULT_IMAGES } from "../../versions/defaults.js";

/** Soft Serve: a Git server for the command line (SSH, HTTP and git:// daemon); repositories under /soft-serve. */
export const softServe: CatalogApp = {
  name: "soft-serve",
  title: "Soft Serve",
  description: "Self-hosted Git server for the command line",
  icon: "git.png",
  category: "dev",
  image: DEFAULT_IMAGES["soft-serve"],
  archs: ["amd64", "arm64"],
  ports: [
    { name: "http", port: 23232, protocol: "TCP", http: true },
    { name: "ssh", port: 23231, protocol: "TCP", loadBalancer: true, servicePort: 22 },
    { name: "git", port: 9418, protocol: "TCP", loadBalancer: true },
  ],
  volumes: [{ name: "data", path: "/soft-serve", size: "10Gi" }],
  replicas: { default: 1, scalable: false },
  dependencies: [],
  resources: { cpu: "50m", memory: "128Mi" },
  exposure: "private",
  // git clients speak HTTP and SSH themselves
  sso: "native",
  env: { SOFT_SERVE_DATA_PATH: "/soft-serve", SOFT_SERVE_HTTP_PUBLIC_URL: "{{url}}", SOFT_SERVE_NAME: "Soft Serve" },
  runAsUser: 1000,
};
