// SOPS files on disk: every problem becomes a UserError that names the file (and the value's path).
import { readFileSync } from "node:fs";
import { UserError } from "../../errors.js";
import { decrypt } from "./index.js";
import { SopsError } from "./document.js";
import { FormatError } from "./format.js";
import type { SopsMap } from "./value.js";
import type { DataKeyEnvelope } from "./document.js";

export interface OpenedSopsFile {
  readonly doc: SopsMap;
  readonly envelope: DataKeyEnvelope;
  readonly lastModified: string;
}

/** Decrypts SOPS text read from `display` (a path for messages), as a UserError on any problem. */
export async function decryptText(text: string, display: string, identities: readonly string[]): Promise<OpenedSopsFile> {
  try {
    return await decrypt(text, identities);
  } catch (e) {
    if (e instanceof FormatError) throw new UserError(`${display}${e.line ? `:${e.line}:${e.column}` : ""}: ${e.message}`, "the file is not valid YAML/JSON; restore it from version control");
    if (e instanceof SopsError) {
      const hint = /none of your age keys/.test(e.message)
        ? "use a key that is one of the recipients (--age-key / SOPS_AGE_KEY_FILE), or have a recipient add yours with `sops updatekeys`"
        : /MAC|authenticate/.test(e.message)
          ? "the file was changed without sops; restore it from version control, or edit it only with `sops`"
          : undefined;
      throw new UserError(`${display}: ${e.message}`, hint);
    }
    throw e;
  }
}

export async function decryptFile(path: string, display: string, identities: readonly string[]): Promise<OpenedSopsFile> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new UserError(`${display}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return decryptText(text, display, identities);
}
