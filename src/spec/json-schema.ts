// JSON Schema of lab.yaml, for editors (yaml-language-server) and other tools.
import { z } from "zod";
import { LabSpecSchema, API_VERSION } from "./schema.js";

export function labJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(LabSpecSchema, { io: "input", unrepresentable: "any", target: "draft-2020-12" }) as Record<string, unknown>;
  return {
    ...schema,
    // extension fields: a place for YAML anchors (see withoutExtensions in load.ts)
    patternProperties: { "^x-": {} },
    $id: `https://drover.dev/schema/${API_VERSION.replace("/", "-")}/lab.schema.json`,
    title: "Drover lab",
    description: "A home lab described once: sites, hosts, nodes, network, storage, identity and apps.",
  };
}
