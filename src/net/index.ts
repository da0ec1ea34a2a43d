// net/: IPv4 addresses, ranges and CIDRs, and Kubernetes quantities: pure arithmetic under every layer.
export * from "./ip.js";
export * from "./quantity.js";
