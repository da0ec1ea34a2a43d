// A power cut at a site, step by step: the hosts on no UPS go off at once, without warning; the hosts
// on a UPS ride on its battery and shut down as NUT is told to (lab/power.ts): the early ones after
// their timer, the rest at low battery (the UPS's own host last). Each step is a what-if of every host
// off by then; the battery hosts' shutdowns are planned (graceful where the kubelet hears of them).
import type { Baseline, WhatIfReport } from "./whatif.js";
import { whatIf } from "./whatif.js";
import type { UpsHost } from "../lab/power.js";

export interface PowerCutStep {
  /** minutes after the mains fail */
  readonly afterMinutes: number;
  /** what happens at this step, in words */
  readonly what: string;
  /** the hosts that go off at this step */
  readonly hostsOff: readonly string[];
  /** the lab with every host off so far */
  readonly report: WhatIfReport;
}

export function powerCut(b: Baseline, site: string): PowerCutStep[] {
  const lab = b.lab;
  const atSite = lab.hosts.filter((h) => h.site === site).map((h) => h.name);
  const onUps = new Map<string, UpsHost>();
  for (const ups of lab.ups) for (const h of ups.hosts) if (atSite.includes(h.host)) onUps.set(h.host, h);
  const cut = atSite.filter((h) => !onUps.has(h));
  const off: string[] = [...cut];
  const steps: PowerCutStep[] = [];
  const step = (afterMinutes: number, what: string, hostsOff: readonly string[]) =>
    steps.push({ afterMinutes, what, hostsOff, report: whatIf(b, [...off], { shutdown: "graceful", cut, unit: { kind: "site", name: site } }) });
  step(0, cut.length ? `the mains fail: the hosts on no UPS go off at once` : "the mains fail: every host runs on a UPS's battery", cut);
  // the early shutdowns, by when their timers fire
  const early = new Map<number, string[]>();
  for (const ups of lab.ups) for (const h of ups.hosts) if (h.step === "early" && atSite.includes(h.host)) (early.get(ups.earlyAfterSeconds) ?? early.set(ups.earlyAfterSeconds, []).get(ups.earlyAfterSeconds)!).push(h.host);
  for (const [seconds, hosts] of [...early].sort(([a], [b]) => a - b)) {
    off.push(...hosts);
    step(Math.round(seconds / 60), "NUT shuts the early hosts down on battery", hosts);
  }
  // each UPS's battery runs low: its other hosts, then its own host last
  for (const ups of [...lab.ups].filter((u) => u.hosts.some((h) => atSite.includes(h.host))).sort((a, c) => a.runtimeSeconds - c.runtimeSeconds)) {
    const rest = ups.hosts.filter((h) => h.step !== "early").map((h) => h.host);
    off.push(...rest);
    step(Math.round(ups.runtimeSeconds / 60), `UPS ${ups.name}'s battery runs low: NUT shuts ${rest.filter((h) => h !== ups.host).join(", ") || "nothing else"} down, then ${ups.host} last`, rest);
  }
  return steps;
}
