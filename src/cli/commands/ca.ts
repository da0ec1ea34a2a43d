// drover ca export [lab] [-o, --out file] [--format pem|der]: the lab's internal CA certificate (never its
// key), read from the secrets store, for devices to trust: the private domain's HTTPS certificates
// (cert-manager's `internal-ca` issuer) chain to it. The same certificate is in the seat bundle
// (seats/internal-ca.crt). It is made once, so a device trusts it once, across rebuilds.
import type { Command } from "commander";
import { X509Certificate } from "node:crypto";
import { relative, resolve } from "node:path";
import type { Context } from "../context.js";
import { bold, dim, green } from "../output.js";
import { UserError } from "../errors.js";
import { LAB_HELP } from "../lab-argument.js";
import { loadLab } from "../../lab/file.js";
import { findLocalKey } from "../../secrets/keys.js";
import { loadSecrets } from "../../secrets/store.js";
import { writeFileAtomic } from "../../fs/atomic-write.js";

interface ExportFlags { out?: string; format: string; ageKey?: string }

export function register(program: Command, ctx: Context): void {
  const ca = program.command("ca").description("the lab's internal CA (the private domain's certificates): export it for devices to trust");
  ca
    .command("export")
    .description("print or write the internal CA certificate (never its key), PEM or DER")
    .argument("[lab]", LAB_HELP, "lab.yaml")
    .option("-o, --out <file>", "write it to this file (mode 0644) instead of printing it")
    .option("--format <format>", "pem|der (der needs --out)", "pem")
    .option("--age-key <file>", "age key file (default: DROVER_AGE_KEY_FILE, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY, ~/.config/sops/age/keys.txt)")
    .action(async (labPath: string, f: ExportFlags) => {
      const o = ctx.output();
      if (f.format !== "pem" && f.format !== "der") throw new UserError(`--format ${f.format} is not a certificate format`, "use --format pem (text, the default) or --format der (binary, with --out)", 2);
      if (f.format === "der" && !f.out) throw new UserError("--format der writes binary: it needs --out <file>", "add --out internal-ca.der (or use --format pem to print it)", 2);
      const loaded = loadLab(labPath);
      const store = await loadSecrets(loaded.lab, loaded.dir, findLocalKey({ keyFile: f.ageKey }));
      const crt = store.secrets.internalCa?.crt;
      if (!crt || store.created || store.added.includes("internal CA")) {
        throw new UserError(`${store.display} has no internal CA yet`, "run drover render first: it makes the CA once and keeps it in the secrets store");
      }
      const x = new X509Certificate(crt);
      const info = { subject: x.subject.replace(/\n/g, ", "), notBefore: new Date(x.validFrom).toISOString(), notAfter: new Date(x.validTo).toISOString(), sha256: x.fingerprint256 };
      if (f.out) {
        const path = resolve(f.out);
        writeFileAtomic(path, f.format === "pem" ? crt : x.raw, { mode: 0o644 });
        if (o.json) o.out(JSON.stringify({ file: path, format: f.format, ...info }, null, 2));
        else o.out(`${green(o, "✓")} wrote the internal CA certificate to ${bold(o, relative(process.cwd(), path) || path)} (${f.format.toUpperCase()})\n${dim(o, `  ${info.subject}; valid until ${info.notAfter}; SHA-256 ${info.sha256}`)}`);
        return;
      }
      if (o.json) o.out(JSON.stringify({ format: "pem", ...info, certificate: crt }, null, 2));
      else o.out(crt);
    });
}
