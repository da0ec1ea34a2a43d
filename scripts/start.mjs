#!/usr/bin/env node
// `npm start`: Drover's main job on the bundled example lab (examples/talos-mixed).
// The example is copied to out/example/ (git-ignored) with a throwaway age key of its own
// (out/example/demo.agekey, mode 0600) as its secrets recipient, then checked and rendered:
// Talos machine configs, the WireGuard mesh, seat configs, boot media and Proxmox aids, and the
// Flux GitOps tree with platform and apps (secrets SOPS-encrypted). Re-running reuses the key and
// the secrets store, so the output is byte-identical.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const example = process.argv[2] ?? "talos-mixed";
const src = join(root, "examples", example, "lab.yaml");
const work = join(root, "out", "example");
const keyFile = join(work, "demo.agekey");
const drover = (args, opts = {}) => {
  const r = spawnSync(process.execPath, [join(root, "bin/drover.js"), ...args], { stdio: opts.capture ? ["ignore", "pipe", "inherit"] : "inherit", encoding: "utf8" });
  if (r.status !== 0) process.exit(r.status ?? 1);
  return r.stdout;
};

mkdirSync(work, { recursive: true });
// the lab folder's .gitignore, as `drover init` writes it: the throwaway key and the rendered secrets never go into Git
const { labGitignore } = await import(join(root, "dist/init/gitignore.js"));
const ignoreFile = join(work, ".gitignore");
const ignore = labGitignore(existsSync(ignoreFile) ? readFileSync(ignoreFile, "utf8") : undefined);
if (ignore !== undefined) { writeFileSync(ignoreFile + ".tmp", ignore); renameSync(ignoreFile + ".tmp", ignoreFile); }
if (!existsSync(keyFile)) drover(["keys", "init", "--age-key", keyFile], { capture: true });
const recipient = /^# public key: (age1\S+)/m.exec(readFileSync(keyFile, "utf8"))?.[1];
if (!recipient) { console.error(`npm start: ${keyFile} has no "# public key:" line; delete it and run again`); process.exit(1); }
// the example's own recipients belong to nobody here: the copy is encrypted to the throwaway key
const text = readFileSync(src, "utf8").replace(/^(secrets:\n  recipients:\n)(    - age1\S+\n)+/m, `$1    - ${recipient}\n`);
const lab = join(work, "lab.yaml");
writeFileSync(lab + ".tmp", text);
renameSync(lab + ".tmp", lab);
for (const f of ["functions"]) if (existsSync(join(root, "examples", example, f))) spawnSync("cp", ["-r", join(root, "examples", example, f), work]);

console.log(`drover: the example lab ${example}, copied to ${relative(process.cwd(), work)}/ with a throwaway age key\n`);
drover(["check", lab]);
console.log("");
drover(["render", lab, "--age-key", keyFile]);
console.log(`\nnext: node bin/drover.js what-if ${relative(process.cwd(), lab)} --down gamer   ·   node bin/drover.js ui ${relative(process.cwd(), lab)}`);
