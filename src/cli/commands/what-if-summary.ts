// `drover check` lines from the what-if analysis: the worst single-host failure (and the worst chassis
// or site), what the volatile hosts take with them, and the headroom left after the worst host.
import { summarySections, type SummarySection } from "./check.js";
import { baseline, allSingle, volatileOff } from "../../analyze/index.js";
import { humanBytes, formatMillicores } from "../../net/quantity.js";

/** Above this size the summary skips the simulation (seconds on a large lab); `drover what-if` runs it in full. */
export const RESILIENCE_SUMMARY_LIMIT = { nodes: 200, apps: 1000 };

/** At most `max` names, then "and N more". */
const some = (names: readonly string[], max = 8) => (names.length > max ? `${names.slice(0, max).join(", ")} and ${names.length - max} more` : names.join(", "));

export const resilienceSummary: SummarySection = (lab) => {
  if (lab.nodes.length > RESILIENCE_SUMMARY_LIMIT.nodes || lab.apps.length > RESILIENCE_SUMMARY_LIMIT.apps) {
    return {
      title: "resilience",
      lines: [`not simulated for a lab of ${lab.nodes.length} nodes and ${lab.apps.length} apps (limit ${RESILIENCE_SUMMARY_LIMIT.nodes} and ${RESILIENCE_SUMMARY_LIMIT.apps}); run drover what-if`],
      json: { skipped: true, reason: "lab too large for the summary", limit: RESILIENCE_SUMMARY_LIMIT },
    };
  }
  const b = baseline(lab);
  const singles = allSingle(b);
  // the worst host on its own, and the worst larger unit (a chassis or a site) beside it when there is one
  const worst = singles.find((r) => r.unit.kind === "host");
  const worstUnit = singles.find((r) => r.unit.kind !== "host");
  const lines: string[] = [];
  const json: Record<string, unknown> = {};
  const affected = (r: (typeof singles)[number]) => r.apps.filter((a) => a.outcome !== "unaffected");
  const describe = (r: (typeof singles)[number]) => {
    const parts: string[] = [];
    if (!r.etcd.ok) parts.push("etcd loses quorum (nothing is rescheduled)");
    else if (!r.api.ok) parts.push("the API goes away");
    const down = r.apps.filter((a) => a.outcome === "down").map((a) => a.app);
    const restarted = r.apps.filter((a) => a.outcome === "restarted").map((a) => a.app);
    const degraded = r.apps.filter((a) => a.outcome === "degraded").map((a) => a.app);
    if (down.length) parts.push(`down: ${some(down)}`);
    if (restarted.length) parts.push(`restart elsewhere: ${some(restarted)}`);
    if (degraded.length) parts.push(`degraded: ${some(degraded)}`);
    for (const s of r.spofs) parts.push(`${s.component}: ${s.reason}`);
    if (r.outOfService.length) parts.push(`StatefulSets wait for ${r.outOfService.map((x) => x.node).join(", ")} to return or be marked out-of-service`);
    return parts.join("; ") || "nothing is affected";
  };
  if (b.pending.size) lines.push(`${b.pending.size} pod(s) cannot be placed even with every host on`);
  if (worst) {
    lines.push(`worst single host: ${worst.unit.name} — ${describe(worst)}`);
    lines.push(`headroom after it: ${formatMillicores(worst.headroom.cpuMillis)} CPU, ${humanBytes(worst.headroom.memoryBytes)} memory, ${worst.headroom.pods} pod slots`);
    json.worstSingleHost = { host: worst.unit.name, affected: affected(worst).map((a) => ({ app: a.app, outcome: a.outcome, reason: a.reason })), etcd: worst.etcd, api: worst.api, spofs: worst.spofs, headroom: worst.headroom };
  }
  if (worstUnit) {
    lines.push(`worst ${worstUnit.unit.kind}: ${worstUnit.unit.name} (${some(worstUnit.down)}) — ${describe(worstUnit)}`);
    json.worstUnit = { unit: worstUnit.unit, hosts: worstUnit.down, affected: affected(worstUnit).map((a) => ({ app: a.app, outcome: a.outcome, reason: a.reason })), etcd: worstUnit.etcd, api: worstUnit.api, spofs: worstUnit.spofs, headroom: worstUnit.headroom };
  }
  if (lab.hosts.some((h) => h.power === "volatile")) {
    const v = volatileOff(b);
    lines.push(`volatile hosts off (${some(v.down)}): ${describe(v)}`);
    json.volatileOff = { hosts: v.down, affected: affected(v).map((a) => ({ app: a.app, outcome: a.outcome, reason: a.reason })), etcd: v.etcd, api: v.api, spofs: v.spofs, headroom: v.headroom };
  }
  json.unplaceable = Object.fromEntries(b.pending);
  return { title: "resilience", lines, json };
};

summarySections.push(resilienceSummary);
