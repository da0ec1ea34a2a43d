// SOPS-encrypted YAML and JSON, byte-compatible with the sops tool (age recipients only).
import type { SopsMap } from "./value.js";
import type { DataKeyEnvelope, EncryptOptions } from "./document.js";
import { decryptDocument, encryptDocument, newEnvelope, openDataKey, readMetadata } from "./document.js";
import { emitJson, emitYaml, parseDocument } from "./format.js";

export * from "./value.js";
export * from "./document.js";
export type { EncryptionRules } from "./tree.js";
export { parseDocument, emitYaml, emitJson, FormatError, needsQuotes } from "./format.js";

export type SopsFormat = "yaml" | "json";

export const formatOf = (file: string): SopsFormat => (/\.json$/i.test(file) ? "json" : "yaml");

const emit = (doc: SopsMap, format: SopsFormat) => (format === "json" ? emitJson(doc) : emitYaml(doc));

/** Encrypts with an already wrapped data key (synchronous). */
export function encryptWith(plain: SopsMap, env: DataKeyEnvelope, opts: EncryptOptions & { format?: SopsFormat } = {}): string {
  return emit(encryptDocument(plain, env, opts), opts.format ?? "yaml");
}

/** Encrypts to age recipients with a fresh data key, as `sops -e --age …` does. */
export async function encrypt(plain: SopsMap, recipients: readonly string[], opts: EncryptOptions & { format?: SopsFormat } = {}): Promise<string> {
  return encryptWith(plain, await newEnvelope(recipients), opts);
}

/** Decrypts SOPS text with age identities and verifies its MAC; also returns the unwrapped envelope. */
export async function decrypt(text: string, identities: readonly string[], format: SopsFormat = /^\s*\{/.test(text) ? "json" : "yaml"): Promise<{ doc: SopsMap; envelope: DataKeyEnvelope; lastModified: string }> {
  const enc = parseDocument(text, format === "json");
  const meta = readMetadata(enc);
  const dataKey = await openDataKey(meta, identities);
  return { doc: decryptDocument(enc, dataKey, meta), envelope: { dataKey, age: meta.age }, lastModified: meta.lastmodified };
}
