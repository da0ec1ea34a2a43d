import type { Command } from "commander";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";
import type { Context } from "../context.js";
import { UserError, EXIT_USAGE } from "../errors.js";
import { loadLab, readLabText } from "../lab-file.js";
import { startDashboard } from "../../ui/serve.js";
import { bold, yellow } from "../output.js";

export function register(program: Command, ctx: Context): void {
  program
    .command("ui")
    .description("serve the lab's web dashboard on localhost (services, nodes and mesh, what-if, plan)")
    .argument("[lab]", "path to lab.yaml (or its folder)", "lab.yaml")
    .option("--listen <addr>", "address:port to listen on", "127.0.0.1:7480")
    .option("--kubeconfig <file>", "compare with and show the live cluster")
    .action(async (path: string, opts: { listen: string; kubeconfig?: string }) => {
      const o = ctx.output();
      const { path: file } = readLabText(path);
      loadLab(file); // refuse to start on an invalid lab
      const m = /^(\[[0-9a-fA-F:]+\]|[0-9.]+|localhost):(\d{1,5})$/.exec(opts.listen);
      if (!m) throw new UserError(`--listen ${opts.listen} is not address:port`, "for example --listen 127.0.0.1:7480", EXIT_USAGE);
      const host = m[1]!.replace(/^\[|\]$/g, "");
      const port = Number(m[2]);
      if (opts.kubeconfig && !existsSync(opts.kubeconfig)) throw new UserError(`--kubeconfig ${opts.kubeconfig}: no such file`);
      const loopback = host === "localhost" || host.startsWith("127.") || host === "::1";
      if (!loopback) o.err(yellow(o, `warning: listening on ${opts.listen} exposes the dashboard beyond this machine; anyone with the token can read the lab's layout`));
      const assets = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "ui", "public");
      const d = await startDashboard({ labPath: file, host, port, assets, loopbackOnly: loopback, kubeconfig: opts.kubeconfig });
      if (o.json) o.out(JSON.stringify({ url: d.url, token: d.token }));
      else o.out(`Drover dashboard for ${bold(o, file)}\n  open ${bold(o, d.url)}\n  (the token in the URL is required for every request; Ctrl-C stops the server)`);
      await new Promise<void>((resolve) => {
        const stop = () => { d.close().then(resolve); };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });
}
