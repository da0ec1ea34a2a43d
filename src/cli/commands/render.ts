// drover render [lab] [-o dir]: lab.yaml → secrets store → rendered tree, written atomically.
import type { Command } from "commander";
import { LAB_HELP } from "../lab-argument.js";
import { resolve, relative } from "node:path";
import type { Context } from "../context.js";
import { loadRenderableLab as loadLab } from "../../render/load.js";
import { bold, dim, green, table } from "../output.js";
import { renderLab, writeTree, checkOutputFolder, tree as newTree, addFile, sortedPaths } from "../../render/index.js";
import type { FileTree } from "../../render/index.js";
import type { LabSecrets } from "../../secrets/types.js";
import { findLocalKey } from "../../secrets/keys.js";
import { loadSecrets, storeFile } from "../../secrets/store.js";
import type { Generators } from "../../secrets/generate.js";
import { encryptManifest } from "../../secrets/manifest.js";
import { labNeeds, type Need } from "../../render/needs.js";
import { fluxBootstrapCommands } from "../../render/flux/flux-system.js";
import { gitSource } from "../../render/flux/git-source.js";
import { distributionOf } from "../../render/distributions.js";
import type { Lab } from "../../lab/types.js";

/** The next steps for this lab after a render: short, concrete commands. */
export function nextSteps(lab: Lab, outDir: string, needs: readonly Need[], keyFile?: string): string[] {
  const rel = relative(process.cwd(), outDir) || ".";
  const steps: string[] = [];
  const creds = needs.filter((n) => n.kind === "credential");
  if (creds.length) steps.push(`store the missing credentials, then render again: ${creds.map((n) => `drover secrets set ${n.name}`).join("; ")}`);
  for (const n of needs.filter((x) => x.kind === "placeholder")) steps.push(`${n.fix} (${n.name})`);
  steps.push(...distributionOf(lab).bootSteps(lab, rel));
  const src = gitSource(lab);
  const remote = src.host === "external" && !lab.gitops.url ? "your Git remote (gitops.url)" : src.url;
  steps.push(`push ${rel}/kubernetes to ${remote} (branch ${src.branch}) as ${lab.gitops.path.replace(/^\.?\/+|\/+$/g, "")}/`);
  const key = keyFile ? relative(process.cwd(), keyFile) || keyFile : "<your age key file>";
  steps.push(`kubectl create namespace flux-system && kubectl -n flux-system create secret generic sops-age --from-file=age.agekey=${key}`);
  steps.push(...fluxBootstrapCommands(lab, `${rel}/kubernetes`));
  return steps;
}

/** Seams for tests: secret generators (e.g. a Talos bundle stand-in) and the tree writer. */
export const renderDeps: { generators: Partial<Generators>; writeTree: typeof writeTree } = { generators: {}, writeTree };

/** Encrypts every file flagged `encrypt: "sops"`; the result has no flags left to act on. */
export function encryptFlagged(t: FileTree, secrets: LabSecrets): FileTree {
  const out = newTree();
  for (const path of sortedPaths(t)) {
    const f = t.get(path)!;
    if (f.encrypt === "sops") {
      let content: string;
      try {
        content = encryptManifest(f.content, secrets, { doc: f.doc });
      } catch (e) {
        throw new Error(`internal: cannot SOPS-encrypt rendered ${path}: ${(e as Error).message}`);
      }
      addFile(out, path, content, { ...(f.secret ? { secret: true } : {}), ...(f.mode ? { mode: f.mode } : {}) });
    } else addFile(out, path, f.content, f);
  }
  return out;
}


export interface RenderResult {
  readonly outDir: string;
  /** credentials and placeholders the lab still needs */
  readonly needs: readonly Need[];
  /** what to do next, as commands */
  readonly nextSteps: readonly string[];
  readonly files: number;
  readonly folders: Record<string, number>;
  readonly secretFiles: number;
  readonly store: { file: string; created: boolean; saved: string[]; recipients: readonly string[]; recipientsFrom: string };
}

export async function render(labPath: string | undefined, opts: { out?: string; ageKey?: string }, progress: (step: string) => void = () => undefined): Promise<RenderResult> {
  progress("reading and checking the lab");
  const loaded = loadLab(labPath); // an invalid spec stops here: nothing is read, generated or written
  const key = findLocalKey({ keyFile: opts.ageKey });
  const outDir = resolve(opts.out ?? resolve(loaded.dir, "out"));
  // the one writer: it replaces or deletes only files of an earlier render, and refuses an output
  // folder that holds the lab file, the secrets store or the age key
  const protect = [
    { path: loaded.path, what: "the lab file" },
    { path: storeFile(loaded.lab, loaded.dir), what: "the secrets store" },
    ...(key.file ? [{ path: key.file, what: "the age key" }] : []),
  ];
  checkOutputFolder(newTree(), outDir, { protect }); // before any secret is made or saved
  progress("opening the secrets store (new keys are made once)");
  const store = await loadSecrets(loaded.lab, loaded.dir, key, { generators: renderDeps.generators });
  progress(`rendering ${loaded.lab.nodes.length} node${loaded.lab.nodes.length === 1 ? "" : "s"}, ${loaded.lab.apps.length} app${loaded.lab.apps.length === 1 ? "" : "s"} and the platform`);
  const plain = renderLab(loaded.lab, store.secrets);
  progress(`encrypting the Secrets of ${plain.size} files`);
  const rendered = encryptFlagged(plain, store.secrets);
  checkOutputFolder(rendered, outDir, { protect }); // a user's file where the render puts one: refused, nothing saved
  const saved = store.save();
  progress(`writing ${rendered.size} files`);
  renderDeps.writeTree(rendered, outDir, { protect });
  progress("");
  const needs = labNeeds(loaded.lab, store.secrets);
  const folders: Record<string, number> = {};
  for (const p of sortedPaths(rendered)) {
    const top = p.includes("/") ? p.slice(0, p.indexOf("/")) : ".";
    folders[top] = (folders[top] ?? 0) + 1;
  }
  return {
    outDir,
    needs,
    nextSteps: nextSteps(loaded.lab, outDir, needs, key.file),
    files: rendered.size,
    folders,
    secretFiles: [...rendered.values()].filter((f) => f.secret).length,
    store: { file: store.display, created: store.created, saved, recipients: store.recipients, recipientsFrom: store.recipientsFrom },
  };
}

export function register(program: Command, ctx: Context): void {
  program
    .command("render")
    .description("render the lab into files (Talos/k3s configs, WireGuard, Flux tree with SOPS-encrypted Secrets)")
    .argument("[lab]", LAB_HELP, "lab.yaml")
    .option("-o, --out <dir>", "output folder (default: out/ next to lab.yaml)")
    .option("--age-key <file>", "age key file (default: DROVER_AGE_KEY_FILE, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY, ~/.config/sops/age/keys.txt)")
    .action(async (path: string, o: { out?: string; ageKey?: string }) => {
      const out = ctx.output();
      let r: RenderResult;
      try {
        r = await render(path, o, out.progress);
      } finally {
        out.progress(""); // an error is printed on a clean line
      }
      if (out.json) {
        out.out(JSON.stringify(r, null, 2));
        return;
      }
      const rel = relative(process.cwd(), r.outDir) || ".";
      const lines = [`${green(out, "✓")} rendered ${bold(out, String(r.files))} file${r.files === 1 ? "" : "s"} into ${bold(out, rel)}${r.secretFiles ? dim(out, ` (${r.secretFiles} secret, mode 0600)`) : ""}`];
      if (r.files) lines.push(table([["folder", "files"], ...Object.entries(r.folders).map(([f, n]) => [`  ${f}/`, String(n)])]).replace(/^folder/, "  folder"));
      if (r.store.saved.length) {
        lines.push(`  secrets ${r.store.created ? "created" : "updated"} ${bold(out, r.store.file)}: ${summarizeAdditions(r.store.saved)}`);
      } else lines.push(dim(out, `  secrets ${r.store.file} unchanged`));
      if (r.store.recipientsFrom === "local key") lines.push(dim(out, `  encrypted to your local age key ${r.store.recipients[0]} (add secrets.recipients to lab.yaml to share the lab)`));
      if (r.needs.length) {
        lines.push(`  ${bold(out, "still needed")}:`);
        for (const n of r.needs) lines.push(`    ${n.name}: ${n.what}`);
      }
      lines.push(`  ${bold(out, "next steps")}:`);
      r.nextSteps.forEach((s, i) => lines.push(`    ${i + 1}. ${s}`));
      out.out(lines.join("\n"));
    });
}

/** "12 wireguard keys, 66 preshared keys, k3s token" */
export function summarizeAdditions(items: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const i of items) {
    const kind = i.replace(/^(wireguard key|preshared key|app secret) .*/, "$1");
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => (n > 1 ? `${n} ${k.replace(/key$/, "keys").replace(/secret$/, "secrets")}` : k)).join(", ");
}
