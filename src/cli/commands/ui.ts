import type { Command } from "commander";
import { join, dirname } from "node:path";
import { LAB_HELP } from "../lab-argument.js";
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";
import type { Context } from "../context.js";
import { UserError, EXIT_USAGE } from "../errors.js";
import { loadLab, readLabText } from "../../lab/file.js";
import { startDashboard } from "../../ui/serve.js";
import { parseAllowHost, parseListen } from "../../ui/listen.js";
import { bold, dim, yellow } from "../output.js";

export function register(program: Command, ctx: Context): void {
  program
    .command("ui")
    .description("serve the lab's web dashboard on localhost (services, nodes and mesh, what-if, plan)")
    .argument("[lab]", LAB_HELP, "lab.yaml")
    .option("--listen <addr>", "address:port to listen on (a non-loopback address needs --allow-remote)", "127.0.0.1:7480")
    .option("--allow-remote", "allow a --listen address other machines can reach")
    .option("--allow-host <name>", "a host name (or address) the dashboard is opened by, besides this machine's own; repeatable", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--kubeconfig <file>", "compare with and show the live cluster")
    .action(async (path: string, opts: { listen: string; allowRemote?: boolean; allowHost: string[]; kubeconfig?: string }) => {
      const o = ctx.output();
      // the command line first: a bad --listen or --allow-host is a usage error (ListenError) before anything is read
      const listen = parseListen(opts.listen);
      opts.allowHost.forEach(parseAllowHost);
      if (!listen.loopback && !opts.allowRemote) {
        throw new UserError(
          `--listen ${opts.listen} would open the dashboard to other machines; refusing without --allow-remote`,
          "keep the default 127.0.0.1:7480 (reach it from elsewhere through an SSH tunnel), or pass --allow-remote, with --allow-host <name> for each name you open it by",
          EXIT_USAGE,
        );
      }
      const { path: file } = readLabText(path);
      loadLab(file); // refuse to start on an invalid lab
      if (opts.kubeconfig && !existsSync(opts.kubeconfig)) throw new UserError(`--kubeconfig ${opts.kubeconfig}: no such file`);
      const assets = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "ui", "public");
      // a refused address (ListenError) or one that cannot be bound (BindError) is a UserError of its own
      const d = await startDashboard({ labPath: file, host: listen.host, port: listen.port, assets, allowRemote: !!opts.allowRemote, allowHosts: opts.allowHost, kubeconfig: opts.kubeconfig });
      if (!listen.loopback) o.err(yellow(o, `warning: listening on ${opts.listen}: other machines can reach the dashboard; anyone with the token can read the lab's layout`));
      if (o.json) o.out(JSON.stringify({ url: d.url, token: d.token, hosts: d.hosts }));
      else {
        const names = listen.loopback ? "" : `\n  ${dim(o, `answers to ${d.hosts.join(", ")} (add names with --allow-host)`)}`;
        o.out(`Drover dashboard for ${bold(o, file)}\n  open ${bold(o, d.url)}\n  (the token in the URL is required for every request; Ctrl-C stops the server)${names}`);
      }
      await new Promise<void>((resolve) => {
        const stop = () => { d.close().then(resolve); };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });
}
