// Finding the local age key, in order: --age-key / DROVER_AGE_KEY_FILE, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY,
// then $XDG_CONFIG_HOME/sops/age/keys.txt (default ~/.config/sops/age/keys.txt), where sops looks too.
import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { UserError } from "../errors.js";
import { generateIdentity, identityFileText, parseIdentities, recipientOf } from "./age.js";
import type { AgeKeyPair } from "./age.js";

export interface KeyOptions {
  /** the --age-key flag */
  readonly keyFile?: string | undefined;
  readonly env?: NodeJS.ProcessEnv;
}

export interface LocalKey {
  readonly identities: readonly string[];
  /** the recipient of the first identity: what a new store is encrypted to by default */
  readonly recipient: string;
  /** where the key came from, for messages */
  readonly source: string;
  /** the key file, when the key was read from one (render refuses an output folder that holds it) */
  readonly file?: string;
}

export function defaultKeyFile(env: NodeJS.ProcessEnv = process.env): string {
  const config = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith("/") ? env.XDG_CONFIG_HOME : join(env.HOME || homedir(), ".config");
  return join(config, "sops", "age", "keys.txt");
}

function fromText(text: string, source: string): LocalKey {
  const { identities, bad } = parseIdentities(text);
  if (bad.length) throw new UserError(`${source}: line ${bad[0]} is not an age identity (AGE-SECRET-KEY-1…)`, "an age key file holds AGE-SECRET-KEY-1… lines and # comments; make a new one with `drover keys init`");
  if (!identities.length) throw new UserError(`${source}: holds no age identity (AGE-SECRET-KEY-1…)`, "make one with `drover keys init`");
  return { identities, recipient: recipientOf(identities[0]!), source };
}

function fromFile(path: string, via: string): LocalKey {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new UserError(`${path} (from ${via}): cannot read the age key file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, `check the path, or create a key there with \`drover keys init --age-key ${path}\``);
  }
  return { ...fromText(text, path), file: path };
}

/** The places searched, in order, with what each one is (for the "where I looked" error). */
export function keyPlaces(opts: KeyOptions = {}): string[] {
  const env = opts.env ?? process.env;
  return [
    `--age-key flag${opts.keyFile ? ` (${opts.keyFile})` : ": not given"}`,
    `DROVER_AGE_KEY_FILE${env.DROVER_AGE_KEY_FILE ? `=${env.DROVER_AGE_KEY_FILE}` : ": not set"}`,
    `SOPS_AGE_KEY_FILE${env.SOPS_AGE_KEY_FILE ? `=${env.SOPS_AGE_KEY_FILE}` : ": not set"}`,
    `SOPS_AGE_KEY${env.SOPS_AGE_KEY ? " (set)" : ": not set"}`,
    `${defaultKeyFile(env)}: no such file`,
  ];
}

/** The local age key; a UserError listing every place looked when there is none. */
export function findLocalKey(opts: KeyOptions = {}): LocalKey {
  const env = opts.env ?? process.env;
  if (opts.keyFile) return fromFile(resolve(opts.keyFile), "--age-key");
  if (env.DROVER_AGE_KEY_FILE) return fromFile(resolve(env.DROVER_AGE_KEY_FILE), "DROVER_AGE_KEY_FILE");
  if (env.SOPS_AGE_KEY_FILE) return fromFile(resolve(env.SOPS_AGE_KEY_FILE), "SOPS_AGE_KEY_FILE");
  if (env.SOPS_AGE_KEY) return fromText(env.SOPS_AGE_KEY, "SOPS_AGE_KEY");
  const def = defaultKeyFile(env);
  if (existsSync(def)) return fromFile(def, "the default location");
  throw new UserError(
    `no age key found; looked in:\n${keyPlaces(opts).map((p) => `    - ${p}`).join("\n")}`,
    `create one with \`drover keys init\` (writes ${def}, mode 0600), or point --age-key / SOPS_AGE_KEY_FILE at an existing age key file`,
  );
}

/** Like findLocalKey, but undefined instead of an error when no key exists anywhere. */
export function tryLocalKey(opts: KeyOptions = {}): LocalKey | undefined {
  try {
    return findLocalKey(opts);
  } catch {
    return undefined;
  }
}

/** Where `drover keys init` writes: the explicitly chosen file, else the default location. */
export function keyInitPath(opts: KeyOptions = {}): string {
  const env = opts.env ?? process.env;
  return resolve(opts.keyFile || env.DROVER_AGE_KEY_FILE || env.SOPS_AGE_KEY_FILE || defaultKeyFile(env));
}

/** Writes a new identity file (mode 0600, folder 0700); refuses to overwrite an existing file. */
export function initKeyFile(path: string, now: Date = new Date()): AgeKeyPair & { path: string } {
  if (existsSync(path)) throw new UserError(`${path} already exists; refusing to overwrite an age key`, "keep using it, or choose another file with --age-key (losing a key loses access to every secret encrypted to it)");
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const pair = generateIdentity();
  // write a temp file, then link it into place: link fails if the target appeared meanwhile
  const tmp = join(dirname(path), `.keys-${process.pid}-${Date.now()}.tmp`);
  const fd = openSync(tmp, "wx", 0o600);
  try {
    writeSync(fd, identityFileText(pair, now));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") throw new UserError(`${path} already exists; refusing to overwrite an age key`);
    throw e;
  } finally {
    rmSync(tmp, { force: true });
  }
  return { ...pair, path };
}
