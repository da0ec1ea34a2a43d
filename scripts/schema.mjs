#!/usr/bin/env node
// npm run schema: writes schema/lab.schema.json from src/spec/json-schema.ts (built to dist/).
// The file is committed so editors find it from the examples' modeline; a test fails when it drifts.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { labJsonSchema } from "../dist/spec/json-schema.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const file = join(root, "schema", "lab.schema.json");
mkdirSync(dirname(file), { recursive: true });
writeFileSync(`${file}.tmp`, JSON.stringify(labJsonSchema(), null, 2) + "\n");
renameSync(`${file}.tmp`, file);
console.log(`wrote ${file}`);
