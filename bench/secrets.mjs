#!/usr/bin/env node
// SOPS encrypt/decrypt of a secrets store holding 1,000 nodes' WireGuard keys (2,000 values plus a
// k3s token): Drover's implementation vs the real sops binary, measured in the same run.
// sops runs as a process (as a user would run it); Drover's figure includes parsing and emitting YAML.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { tool } from "../dist/testing/paths.js";
import { generateWireguardKeyPair } from "../dist/secrets/wireguard.js";
import { encrypt, decrypt, parseDocument, emitYaml } from "../dist/secrets/sops/index.js";

const NODES = Number(process.env.NODES ?? 1000);
const RUNS = Number(process.env.RUNS ?? 5);
const dir = mkdtempSync(join(tmpdir(), "drover-bench-secrets-"));
const keyFile = join(dir, "keys.txt");
spawnSync(tool("age-keygen"), ["-o", keyFile]);
const keyText = readFileSync(keyFile, "utf8");
const identity = /^AGE-SECRET-KEY-1\S+$/m.exec(keyText)[0];
const recipient = /public key: (age1\S+)/.exec(keyText)[1];

const wireguard = new Map();
for (let i = 0; i < NODES; i++) {
  const kp = generateWireguardKeyPair();
  wireguard.set(`node/n${String(i).padStart(4, "0")}`, new Map([["privateKey", kp.privateKey], ["publicKey", kp.publicKey]]));
}
const doc = new Map([["version", 1], ["k3s", new Map([["token", "a".repeat(64)]])], ["wireguard", wireguard]]);
const plainFile = join(dir, "store.yaml");
writeFileSync(plainFile, emitYaml(doc));
const env = { PATH: process.env.PATH, HOME: dir, SOPS_AGE_KEY_FILE: keyFile };

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function time(f) {
  const xs = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    f();
    xs.push(performance.now() - t);
  }
  return median(xs);
}
async function timeAsync(f) {
  const xs = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await f();
    xs.push(performance.now() - t);
  }
  return median(xs);
}

const encFile = join(dir, "store.sops.yaml");
let encrypted = "";
const droverEnc = await timeAsync(async () => { encrypted = await encrypt(parseDocument(readFileSync(plainFile, "utf8")), [recipient]); });
writeFileSync(encFile, encrypted);
const droverDec = await timeAsync(async () => { await decrypt(readFileSync(encFile, "utf8"), [identity]); });

const sopsBin = tool("sops");
const sopsEnc = time(() => {
  const r = spawnSync(sopsBin, ["-e", "--age", recipient, plainFile], { env, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(String(r.stderr));
});
// sops decrypts what Drover wrote (and checks compatibility on the way)
const sopsDec = time(() => {
  const r = spawnSync(sopsBin, ["-d", encFile], { env, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(String(r.stderr));
});

const row = (what, d, s) => `| ${what} | ${d.toFixed(1)} ms | ${s.toFixed(1)} ms | ${(s / d).toFixed(1)}× |`;
console.log(`secrets store: ${NODES} nodes (${NODES * 2 + 1} values, ${(readFileSync(encFile).length / 1024).toFixed(0)} KiB encrypted), median of ${RUNS}`);
console.log("| operation | drover | sops | sops / drover |");
console.log("|---|---|---|---|");
console.log(row("encrypt", droverEnc, sopsEnc));
console.log(row("decrypt + MAC check", droverDec, sopsDec));
