// What `drover up` reports as it goes: one event per step of a phase. The CLI shows them as a
// progress line on a terminal and one line per finished step otherwise; --json collects them.
import type { DistributionName } from "../../distributions/index.js";

/** The machines phase is named after the lab's distribution ("talos", "k3s"). */
export type UpPhase = "render" | DistributionName | "gitops" | "flux";

export interface UpEvent {
  readonly phase: UpPhase;
  /** "start": begun; "skip": already done, nothing to do; "done": did it; "wait": still waiting (repeated); "warn": went on, but the user should know */
  readonly status: "start" | "skip" | "done" | "wait" | "warn";
  readonly message: string;
}

export type UpReport = (e: UpEvent) => void;
