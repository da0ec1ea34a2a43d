// What `drover up` reports as it goes: one event per step of a phase. The CLI shows them as a
// progress line on a terminal and one line per finished step otherwise; --json collects them.
import type { DistributionName } from "../../distributions/index.js";

/** The machines phase is named after the lab's distribution ("talos", "k3s"). */
export type UpPhase = "render" | DistributionName | "gitops" | "flux";

export interface UpEvent {
  readonly phase: UpPhase;
  /**
   * "start": begun; "skip": already done, nothing to do; "done": did it; "wait": still waiting (repeated);
   * "warn": went on, but the user should know; "trace": a detail for debugging (each object created or
   * changed), which the CLI prints only with DROVER_TRACE=1 and leaves out of the steps it shows
   */
  readonly status: "start" | "skip" | "done" | "wait" | "warn" | "trace";
  readonly message: string;
}

export type UpReport = (e: UpEvent) => void;
