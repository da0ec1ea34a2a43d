// TCP ports for the servers tests start (control planes, registries, Git servers, Flux controllers).
//
// A port found free by binding port 0 and closing again can be handed to two servers: the kernel picks
// the next port 0 bind from the same ephemeral range, and with several test files starting control
// planes at once, two of them did get the same port (CI, stop 21: kwok and kube-controller-manager of
// one cluster both on 127.0.0.1:42847, "bind: address already in use"). So ports come from below the
// ephemeral range (the kernel never picks those for port 0 or outgoing connections), and each is
// reserved for the life of the process that took it, with a lock file every test process honours; a
// lock whose process is gone is taken over.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** the ports handed out: below Linux's default ephemeral range (32768–60999) and above well-known servers' */
export const TEST_PORTS = { first: 20000, last: 32767 } as const;

/** one lock file per reserved port, holding the pid of the process that reserved it */
export const PORT_LOCKS = join(tmpdir(), "drover-test-ports");
const mine = new Set<number>();
let cursor = TEST_PORTS.first + (process.pid * 7919) % (TEST_PORTS.last - TEST_PORTS.first);

const alive = (pid: number): boolean => {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === "EPERM"; }
};

/** takes the lock of `port` for this process; false when a live process holds it */
function reserve(port: number): boolean {
  const file = join(PORT_LOCKS, String(port));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      let owner = NaN;
      try { owner = Number(readFileSync(file, "utf8")); } catch { /* just released */ }
      if (Number.isInteger(owner) && owner > 0 && alive(owner)) return false;
      rmSync(file, { force: true }); // its process is gone
    }
  }
  return false;
}

const bindable = (port: number): Promise<boolean> => new Promise((resolve) => {
  const s = createServer();
  s.once("error", () => resolve(false));
  s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
});

/**
 * A TCP port on 127.0.0.1 for a server a test starts, handed to no other caller in any test process
 * while this process lives.
 */
export async function freePort(): Promise<number> {
  mkdirSync(PORT_LOCKS, { recursive: true });
  const span = TEST_PORTS.last - TEST_PORTS.first + 1;
  for (let tried = 0; tried < span; tried++) {
    const port = TEST_PORTS.first + (cursor++ - TEST_PORTS.first) % span;
    if (mine.has(port) || !reserve(port)) continue;
    if (await bindable(port)) {
      mine.add(port);
      return port;
    }
    rmSync(join(PORT_LOCKS, String(port)), { force: true }); // something outside the tests listens there
  }
  throw new Error(`no free test port in ${TEST_PORTS.first}-${TEST_PORTS.last}`);
}

/**
 * A port on 127.0.0.1 that nothing listens on, for a test of a client's "connection refused": a test
 * port, so no server a test starts takes it while this process lives.
 */
export const closedPort = (): Promise<number> => freePort();

// the locks go with the process (a crash leaves them to be taken over)
process.on("exit", () => {
  for (const port of mine) rmSync(join(PORT_LOCKS, String(port)), { force: true });
});
