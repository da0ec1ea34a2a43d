// Components whose upstream is retired or past its end of life: what it is, since when, where that is
// said, what to use instead, and whether a lab runs it. `drover check` warns about each one a lab runs.
import type { Lab } from "./types.js";

export interface EndOfLife {
  readonly component: string;
  readonly status: "retired" | "end-of-life";
  /** when upstream stopped (releases, fixes, security patches) */
  readonly since: string;
  /** where upstream says so */
  readonly source: string;
  /** what to do instead, as a lab.yaml change */
  readonly fix: string;
  readonly runs: (lab: Lab) => boolean;
}

export const END_OF_LIFE: readonly EndOfLife[] = [
  {
    component: "ingress-nginx",
    status: "retired",
    since: "March 2026",
    source: "https://kubernetes.io/blog/2025/11/11/ingress-nginx-retirement/",
    fix: "move to the Gateway API: set `network.ingress.controller: gateway-api` (Envoy Gateway, the same public and private entry points and addresses), review with `drover diff --against HEAD`, then push (README: Moving off ingress-nginx)",
    runs: (lab) => lab.ingress.controller === "ingress-nginx",
  },
];

/** The retired or end-of-life components this lab runs. */
export const endOfLifeIn = (lab: Lab): EndOfLife[] => END_OF_LIFE.filter((e) => e.runs(lab));
