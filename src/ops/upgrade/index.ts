// ops/upgrade/: `drover upgrade` — the plan (versions, skew rules, order, what-if per step) and the roll.
export * from "./version.js";
export * from "./skew.js";
export * from "./order.js";
export * from "./drain-check.js";
export * from "./plan.js";
export * from "./runner.js";
export * from "./roll.js";
export * from "./run.js";
