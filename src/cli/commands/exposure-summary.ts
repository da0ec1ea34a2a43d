// The `drover check` section for public exposure: which site serves the public services, what public
// DNS records point at, and the router port forwards each site needs (src/lab/public-entry.ts).
import { summarySections } from "./check.js";
import { portForwards, publicApps, publicSite, publicTarget } from "../../lab/public-entry.js";

summarySections.push((lab) => {
  const forwards = portForwards(lab);
  const apps = publicApps(lab);
  if (!apps.length && !forwards.length) return undefined;
  const lines: string[] = [];
  const site = publicSite(lab);
  const target = publicTarget(lab);
  if (apps.length) {
    lines.push(`${apps.length} public service${apps.length === 1 ? "" : "s"} served from ${site ? `site ${site.name}` : "an unknown site"}; public DNS points at ${target ? `${target.value}${target.kind === "name" ? " (CNAME)" : ""}` : "nothing known yet (set sites[].publicAddress)"}`);
  }
  const bySite = new Map<string, typeof forwards>();
  for (const f of forwards) bySite.set(f.site, [...(bySite.get(f.site) ?? []), f]);
  for (const [s, fs] of bySite) {
    const forwarding = lab.site(s).portForwarding;
    lines.push(`router of ${s}${forwarding ? "" : " (portForwarding: false: these cannot work)"} forwards:`);
    for (const f of fs) lines.push(`  ${f.port}/${f.protocol.toLowerCase()} → ${f.to ?? "(no address allocated)"}:${f.toPort}  ${f.what}`);
  }
  return {
    title: "exposure",
    lines,
    json: { publicSite: site?.name ?? null, publicTarget: target ?? null, portForwards: forwards },
  };
});
