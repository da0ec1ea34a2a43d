// drover catalog [app]: the apps Drover knows (src/catalog) — list them, or show what one needs, its
// defaults (image, replicas, resources, volumes, ports), its exposure and the architectures it runs on.
import type { Command } from "commander";
import type { Context } from "../context.js";
import { bold, dim, table } from "../output.js";
import { UserError } from "../errors.js";
import type { CatalogApp } from "../../catalog/index.js";

/** What an app is, as data (the --json shape and the text view's source). */
export function describeApp(a: CatalogApp): Record<string, unknown> {
  return {
    name: a.name,
    title: a.title,
    description: a.description,
    category: a.category,
    image: `${a.image.repository}:${a.image.tag}`,
    archs: [...a.archs],
    exposure: a.exposure,
    sso: a.sso ?? "forward-auth",
    replicas: a.replicas.default,
    scalable: a.replicas.scalable,
    resources: { cpu: a.resources.cpu, memory: a.resources.memory },
    volumes: a.volumes.map((v) => ({ name: v.name, path: v.path, size: v.size })),
    ports: a.ports.map((p) => ({ name: p.name, port: p.servicePort ?? p.port, protocol: p.protocol, ...(p.http ? { http: true } : {}), ...(p.loadBalancer ? { loadBalancer: true } : {}) })),
    needs: [
      ...a.dependencies,
      ...(a.devices?.gpu ? [`GPU (${a.devices.gpu})`] : []),
      ...(a.devices?.serial ? [`serial device (${a.devices.serial})`] : []),
      ...(a.internet ? ["internet access"] : []),
    ],
    generatedSecrets: Object.keys(a.secrets ?? {}).sort(),
  };
}

export function register(program: Command, ctx: Context): void {
  program
    .command("catalog")
    .description("list the apps Drover can run, or show one: what it needs, its defaults, exposure and architectures")
    .argument("[app]", "an app of the catalog")
    .action(async (name: string | undefined) => {
      const o = ctx.output();
      const { catalog, catalogApp, catalogNames } = await import("../../catalog/index.js");
      if (!name) {
        const apps = [...catalog].sort((a, b) => (a.name < b.name ? -1 : 1));
        if (o.json) {
          o.out(JSON.stringify(apps.map((a) => ({ name: a.name, title: a.title, category: a.category, exposure: a.exposure, archs: [...a.archs], description: a.description })), null, 2));
          return;
        }
        o.out([
          table([["app", "category", "exposure", "archs", "what it is"], ...apps.map((a) => [a.name, a.category, a.exposure, a.archs.join(","), a.description])]),
          dim(o, `${apps.length} apps; drover catalog <app> shows one; add it to lab.yaml under apps: (- { name: <app> })`),
        ].join("\n"));
        return;
      }
      const a = catalogApp(name);
      if (!a) {
        const { didYouMean } = await import("../../spec/diagnostic.js");
        throw new UserError(`${name} is not in the app catalog`, didYouMean(name, catalogNames()) ?? "run drover catalog to list the apps");
      }
      const d = describeApp(a);
      if (o.json) {
        o.out(JSON.stringify(d, null, 2));
        return;
      }
      const lines = [
        `${bold(o, a.title)} (${a.name}): ${a.description}`,
        `  image      ${d.image as string}`,
        `  archs      ${a.archs.join(", ")}`,
        `  exposure   ${a.exposure} by default${a.sso === "native" ? " (signs users in itself: no SSO gate)" : ""}`,
        `  replicas   ${a.replicas.default}${a.replicas.scalable ? " (scalable)" : " (stateful: exactly one)"}`,
        `  resources  ${a.resources.cpu} CPU, ${a.resources.memory} memory requested`,
        `  volumes    ${a.volumes.map((v) => `${v.name} ${v.size} at ${v.path}`).join(", ") || "none (stateless)"}`,
        `  ports      ${a.ports.map((p) => `${p.name} ${p.servicePort ?? p.port}/${p.protocol.toLowerCase()}${p.http ? " (web, through the ingress)" : p.loadBalancer ? " (own load-balancer address)" : ""}`).join(", ") || "none"}`,
        `  needs      ${(d.needs as string[]).join(", ") || "nothing else"}`,
        `  secrets    ${(d.generatedSecrets as string[]).join(", ") || "none"} ${dim(o, "(generated into the secrets store)")}`,
        dim(o, `  in lab.yaml: apps: [ { name: ${a.name}${a.exposure === "none" ? "" : `, exposure: ${a.exposure}`} } ]`),
      ];
      o.out(lines.join("\n"));
    });
}
