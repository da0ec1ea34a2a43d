// Run inside a node's network namespace by the kubelets harness (kubelets.ts): listens on the
// namespace's own loopback, one TCP port per argument `port=unix-socket`, and passes every connection
// to the Unix socket, which the test process answers from the root namespace's loopback (the test
// control plane's API server, the local registry). A Unix socket is a file, so it crosses network
// namespaces; nothing is routed between the namespaces and nothing listens outside loopback.
import { connect, createServer } from "node:net";

for (const arg of process.argv.slice(2)) {
  const eq = arg.indexOf("=");
  const port = Number(arg.slice(0, eq));
  const path = arg.slice(eq + 1);
  createServer((c) => {
    const u = connect(path);
    c.pipe(u).pipe(c);
    c.on("error", () => u.destroy());
    u.on("error", () => c.destroy());
  }).listen(port, "127.0.0.1", () => process.stdout.write(`listening ${port}\n`));
}
