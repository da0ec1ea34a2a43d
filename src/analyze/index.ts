export * from "./model.js";
export { NodeState } from "./state.js";
export { scheduleAll, scheduleOne } from "./scheduler.js";
export { simulationInput, simNode, appPods, systemReserved, CONTROL_PLANE_TAINT } from "./workload.js";
export { baseline, whatIf, allSingle, volatileOff, damage, RESCHEDULE_DELAY, type WhatIfReport, type AppOutcome, type Outcome, type Baseline } from "./whatif.js";
