// Talos's own JSON schema for machine-config documents (from the pinned talos machinery module,
// fetched by scripts/tools/install.sh), compiled once with ajv. Every rendered document must pass:
// the whole schema (one of its document kinds), and for precise messages the kind's own definition.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { ValidateFunction } from "ajv";
import { parseAllDocuments } from "yaml";
import { toolData } from "./paths.js";

interface TalosSchema {
  readonly whole: ValidateFunction;
  /** document kind ("v1alpha1" for the main config) → its definition's validator */
  readonly byKind: ReadonlyMap<string, ValidateFunction>;
}

let compiled: TalosSchema | undefined;

export function talosSchema(schemaFile = join(toolData("talos-schema"), "config.schema.json")): TalosSchema {
  if (compiled) return compiled;
  const schema = JSON.parse(readFileSync(schemaFile, "utf8")) as { $id: string; $defs: Record<string, { properties?: { kind?: { enum?: string[] } } }>; oneOf: { $ref: string }[] };
  // the schema carries editor annotations (x-intellij-html-description…): allow unknown keywords
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addFormat("uri", (s: string) => URL.canParse(s));
  const whole = ajv.compile(schema);
  const byKind = new Map<string, ValidateFunction>();
  for (const ref of schema.oneOf) {
    const def = ref.$ref.replace("#/$defs/", "");
    const kind = schema.$defs[def]?.properties?.kind?.enum?.[0] ?? (def === "v1alpha1.Config" ? "v1alpha1" : undefined);
    if (kind) byKind.set(kind, ajv.getSchema(`${schema.$id}${ref.$ref}`)!);
  }
  compiled = { whole, byKind };
  return compiled;
}

/** Problems of each document of a multi-document machine config ("" when every document is valid). */
export function talosSchemaErrors(configText: string, schema = talosSchema()): string {
  const problems: string[] = [];
  for (const [i, doc] of parseAllDocuments(configText).entries()) {
    if (doc.errors.length) {
      problems.push(`document ${i}: YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
      continue;
    }
    const value = doc.toJS() as { kind?: string };
    const kind = value?.kind ?? "v1alpha1";
    const own = schema.byKind.get(kind);
    if (!own) {
      problems.push(`document ${i}: kind ${kind} is not in the Talos schema`);
      continue;
    }
    if (!own(value)) {
      problems.push(`document ${i} (${kind}): ${(own.errors ?? []).slice(0, 8).map((e) => `${e.instancePath || "/"} ${e.message}${e.params && "additionalProperty" in e.params ? ` (${String(e.params.additionalProperty)})` : ""}`).join("; ")}`);
    } else if (!schema.whole(value)) {
      problems.push(`document ${i} (${kind}): matches no single document kind of the schema`);
    }
  }
  return problems.join("\n");
}
