import type { CatalogApp } from "../app.js";
import { DEFAULT_IMAGES } from "../../versions/defaults.js";

/** Ollama: runs language models locally; a GPU makes it fast (placement.gpu: 1), the CPU works too. */
export const ollama: CatalogApp = {
  name: "ollama",
  title: "Ollama",
  description: "Local large language models",
  icon: "ollama.png",
  category: "ai",
  image: DEFAULT_IMAGES["ollama"],
  archs: ["amd64", "arm64"],
  ports: [{ name: "http", port: 11434, protocol: "TCP", http: true }],
  volumes: [{ name: "models", path: "/models", size: "50Gi" }],
  replicas: { default: 1, scalable: false },
  dependencies: [],
  devices: { gpu: "optional" },
  resources: { cpu: "1", memory: "4Gi" },
  exposure: "private",
  internet: true,
  // an API for tools and chat front ends (they send their own keys)
  sso: "native",
  env: { OLLAMA_HOST: "0.0.0.0:11434", OLLAMA_MODELS: "/models", HOME: "/models" },
  healthPath: "/",
  runAsUser: 1000,
};
