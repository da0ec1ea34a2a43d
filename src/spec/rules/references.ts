import type { Rule } from "./rule.js";
import { error } from "./rule.js";
import { didYouMean } from "../diagnostic.js";
import { catalogNames } from "../../catalog/index.js";

const hintFor = (name: string, known: string[], what: string) =>
  didYouMean(name, known) ?? (known.length ? `known ${what}: ${known.slice(0, 12).join(", ")}${known.length > 12 ? ", …" : ""}` : `define it under ${what}`);

/** Every name that points at another entry points at one that exists. */
export const references: Rule = function* (spec) {
  const sites = spec.sites.map((s) => s.name);
  const hosts = spec.hosts.map((h) => h.name);
  const classes = spec.storage.classes.map((c) => c.name);
  const groups = spec.identity.groups.map((g) => g.name);
  const users = spec.identity.users.map((u) => u.name);
  const apps = spec.apps.map((a) => a.name);
  const catalog = catalogNames();
  const catalogSet = new Set(catalog);
  const siteSet = new Set(sites), hostSet = new Set(hosts), classSet = new Set(classes), groupSet = new Set(groups), userSet = new Set(users);

  for (const [i, h] of spec.hosts.entries()) {
    if (!siteSet.has(h.site)) yield error(["hosts", i, "site"], `unknown site ${h.site}`, hintFor(h.site, sites, "sites"));
  }
  for (const [i, n] of spec.nodes.entries()) {
    if (!hostSet.has(n.host)) yield error(["nodes", i, "host"], `unknown host ${n.host}`, hintFor(n.host, hosts, "hosts"));
  }
  for (const [i, u] of spec.identity.users.entries()) {
    for (const [j, g] of u.groups.entries()) if (!groupSet.has(g)) yield error(["identity", "users", i, "groups", j], `unknown group ${g}`, hintFor(g, groups, "groups"));
  }
  for (const [j, g] of spec.identity.defaultGroups.entries()) if (!groupSet.has(g)) yield error(["identity", "defaultGroups", j], `unknown group ${g}`, hintFor(g, groups, "groups"));
  for (const [j, g] of spec.identity.defaultPolicy.groups.entries()) if (!groupSet.has(g)) yield error(["identity", "defaultPolicy", "groups", j], `unknown group ${g}`, hintFor(g, groups, "groups"));
  for (const [i, s] of spec.network.seats.entries()) {
    if (s.owner && !userSet.has(s.owner)) yield error(["network", "seats", i, "owner"], `unknown user ${s.owner}`, hintFor(s.owner, users, "users"));
  }
  for (const [i, a] of spec.apps.entries()) {
    const app = a.app ?? a.name;
    if (!catalogSet.has(app)) {
      yield error(["apps", i, a.app ? "app" : "name"], `${app} is not in the app catalog`, didYouMean(app, catalog) ?? (a.app ? "run `drover catalog` to list the apps" : "name the catalog app with `app:`, or run `drover catalog` to list them"));
    }
    if (a.storage?.class && !classSet.has(a.storage.class)) yield error(["apps", i, "storage", "class"], `unknown storage class ${a.storage.class}`, hintFor(a.storage.class, classes, "storage classes"));
    for (const [j, g] of (a.groups ?? []).entries()) if (!groupSet.has(g)) yield error(["apps", i, "groups", j], `unknown group ${g}`, hintFor(g, groups, "groups"));
    for (const [j, h] of (a.placement?.hosts ?? []).entries()) if (!hostSet.has(h)) yield error(["apps", i, "placement", "hosts", j], `unknown host ${h}`, hintFor(h, hosts, "hosts"));
  }
  const os = spec.storage.objectStore;
  if (os?.storageClass && !classSet.has(os.storageClass)) yield error(["storage", "objectStore", "storageClass"], `unknown storage class ${os.storageClass}`, hintFor(os.storageClass, classes, "storage classes"));
  if (spec.gitops.forge) {
    const forgeApp = spec.apps.find((a) => a.name === spec.gitops.forge);
    if (!forgeApp) yield error(["gitops", "forge"], `unknown app ${spec.gitops.forge}`, hintFor(spec.gitops.forge, apps, "apps"));
    else if (!["forgejo", "soft-serve"].includes(forgeApp.app ?? forgeApp.name)) yield error(["gitops", "forge"], `${spec.gitops.forge} is not a Git forge`, "use an app of the catalog's forgejo or soft-serve");
  }
  if (spec.gitops.url && spec.gitops.forge) yield error(["gitops", "forge"], "set either gitops.url or gitops.forge, not both", "url points Flux at an external Git host; forge at a forge app in the lab");
  if (spec.gitops.serve && (spec.gitops.url || spec.gitops.forge)) yield error(["gitops", "serve"], `set gitops.serve only while the lab has no Git host (it has gitops.${spec.gitops.url ? "url" : "forge"})`, "serve is for a lab without a Git host yet: drover serves the repository itself; remove it once url or forge is set");
};
