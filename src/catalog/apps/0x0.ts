import type { CatalogApp } from "../app.js";
import { DEFAULT_IMAGES } from "../../versions/defaults.js";

/**
 * 0x0: "The Null Pointer" style file sharing (`curl -F file=@x https://0x0.<domain>`). The upstream 0x0
 * (git.0x0.st/mia/0x0) publishes no container image, so the catalog runs rustypaste, a maintained
 * server with the same upload protocol (multipart field `file`, the URL in the response body).
 */
export const zeroX0: CatalogApp = {
  name: "0x0",
  title: "0x0 file sharing",
  description: "Share files with curl: curl -F file=@x <url>",
  icon: "mdi-file-upload",
  category: "files",
  image: DEFAULT_IMAGES["0x0"],
  archs: ["amd64", "arm64"],
  ports: [{ name: "http", port: 8000, protocol: "TCP", http: true }],
  volumes: [{ name: "upload", path: "/app/upload", size: "20Gi" }],
  replicas: { default: 1, scalable: false },
  dependencies: [],
  resources: { cpu: "50m", memory: "64Mi" },
  exposure: "public",
  // uploads come from curl with a token, not from a browser session
  sso: "native",
  env: { RUST_LOG: "info", CONFIG: "/etc/rustypaste/config.toml" },
  secretEnv: { AUTH_TOKEN: "upload-token" },
  secrets: { "upload-token": "hex" },
  files: {
    "/etc/rustypaste/config.toml": [
      "[server]",
      'address = "0.0.0.0:8000"',
      'max_content_length = "512MB"',
      'upload_path = "./upload"',
      "",
      "[landing_page]",
      'text = "curl -F file=@x -H \\"Authorization: <token>\\" <this url>"',
      "",
      "[paste]",
      'default_extension = "txt"',
      'mime_override = []',
      'mime_blacklist = []',
      "duplicate_files = true",
      'delete_expired_files = { enabled = true, interval = "1h" }',
      "",
    ].join("\n"),
  },
  runAsUser: 1000,
};
