export * from "./ip.js";
export * from "./quantity.js";
