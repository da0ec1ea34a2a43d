import type { LabRule } from "./rule.js";
import { warning } from "./rule.js";
import { endOfLifeIn } from "../end-of-life.js";

/** A component whose upstream is retired or end-of-life gets no security fixes: warned, with the way off it. */
export const endOfLife: LabRule = function* (lab) {
  for (const e of endOfLifeIn(lab)) {
    const named = e.component === "ingress-nginx" && lab.spec.network.ingress.controller !== undefined;
    yield warning(
      e.component === "ingress-nginx" ? named ? ["network", "ingress", "controller"] : ["network", "ingress"] : [],
      `${e.component} is ${e.status} upstream since ${e.since}: no more releases, bug fixes or security patches (${e.source})${e.component === "ingress-nginx" && !named ? "; it is the ingress controller of a lab that names none (network.ingress.controller)" : ""}`,
      e.fix,
    );
  }
};
