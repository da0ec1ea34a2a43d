// JSON Schema of lab.yaml, for editors (yaml-language-server) and other tools.
import { z } from "zod";
import { LabSpecSchema, API_VERSION } from "./schema.js";
import { FIELD_DESCRIPTIONS } from "./descriptions.js";

type JsonSchema = { properties?: Record<string, JsonSchema>; items?: JsonSchema; anyOf?: JsonSchema[]; oneOf?: JsonSchema[]; description?: string };

/** The schemas a field path points at (several inside unions such as storage class types). */
function at(root: JsonSchema, path: string): JsonSchema[] {
  let cur: JsonSchema[] = [root];
  for (const step of path.split(".")) {
    const list = step.endsWith("[]");
    const name = list ? step.slice(0, -2) : step;
    const next: JsonSchema[] = [];
    const visit = (s: JsonSchema) => {
      for (const o of [...(s.anyOf ?? []), ...(s.oneOf ?? [])]) visit(o);
      const p = s.properties?.[name];
      if (!p) return;
      if (!list) return void next.push(p);
      const items = (q: JsonSchema) => { if (q.items) next.push(q.items); for (const o of [...(q.anyOf ?? []), ...(q.oneOf ?? [])]) items(o); };
      items(p);
    };
    cur.forEach(visit);
    cur = next;
  }
  return cur;
}

export function labJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(LabSpecSchema, { io: "input", unrepresentable: "any", target: "draft-2020-12" }) as Record<string, unknown>;
  for (const [path, text] of Object.entries(FIELD_DESCRIPTIONS)) {
    const found = at(schema as JsonSchema, path);
    if (found.length === 0) throw new Error(`internal: no field ${path} in the lab schema (src/spec/descriptions.ts)`);
    for (const s of found) s.description = text;
  }
  return {
    ...schema,
    // extension fields: a place for YAML anchors (see withoutExtensions in load.ts)
    patternProperties: { "^x-": {} },
    $id: `https://drover.dev/schema/${API_VERSION.replace("/", "-")}/lab.schema.json`,
    title: "Drover lab",
    description: "A home lab described once: sites, hosts, nodes, network, storage, identity and apps.",
  };
}
