// analyze/: Lab → analysis: the scheduling simulation, what-if, capacity and the mesh's reachability.
export * from "./model.js";
export { NodeState } from "./state.js";
export { scheduleAll, scheduleOne, failNodes, mayBeOn, leastAllocated, balancedAllocation } from "./scheduler.js";
export { simulationInput, simNode, appPods, systemReserved, CONTROL_PLANE_TAINT } from "./workload.js";
export { powerCut, type PowerCutStep } from "./power-cut.js";
export { baseline, whatIf, allSingle, volatileOff, volatileHosts, failureUnits, damage, outOfServiceCommand, RESCHEDULE_DELAY, GRACEFUL_RESCHEDULE_DELAY, type WhatIfReport, type WhatIfOptions, type AppOutcome, type Outcome, type Baseline, type Shutdown, type FailureUnit, type ServiceLost } from "./whatif.js";
