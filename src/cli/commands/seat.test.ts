// drover seat add/remove end to end: lab.yaml edited with its comments kept, the key made in the
// store, the config rendered and printed as a QR code that zbarimg decodes; removal takes the seat
// out of lab.yaml (byte-identical to before), the store and every node's peers.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { renderDeps } from "./render.js";
import { tempDir } from "../../testing/age-key.js";
import { isolatedAgeKey, runCli } from "../../testing/cli-harness.js";
import type { TestKey } from "../../testing/age-key.js";
import { generateTalosSecrets } from "../../secrets/talos.js";
import { meshLabYaml } from "../../testing/mesh-lab.js";
import { readStore } from "../../secrets/store.js";
import { presharedKeyEntries } from "../../secrets/preshared-keys.js";
import { sh } from "../../testing/netns.js";
import { debianTool } from "../../testing/paths.js";
import { parseHalfBlocks, qrPbm } from "../qr.js";

let key: TestKey;
before(() => {
  key = isolatedAgeKey();
  renderDeps.generators = { talos: generateTalosSecrets };
});

const drover = runCli;

const ORIGINAL = meshLabYaml().replace("sites:\n", "# two sites: home behind NAT, two VPSes\nsites:\n").replace("  seats:\n", "  seats: # laptops and phones\n");

function labDir(): string {
  const dir = tempDir();
  writeFileSync(join(dir, "lab.yaml"), ORIGINAL);
  return dir;
}

function allFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) e.isDirectory() ? walk(join(d, e.name)) : out.set(join(d, e.name), readFileSync(join(d, e.name), "utf8"));
  };
  walk(dir);
  return out;
}

async function zbarText(blocks: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "drover-qr-"));
  try {
    writeFileSync(join(dir, "qr.pbm"), qrPbm(parseHalfBlocks(blocks), 6));
    return (await sh([debianTool("zbarimg"), "--quiet", "--raw", "-Sbinary", join(dir, "qr.pbm")])).stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("seat add: lab.yaml keeps its comments, the key is stored, the config is rendered (0600) and printed as a scannable QR code", async () => {
  const dir = labDir();
  const lab = join(dir, "lab.yaml");
  const r = await drover(["seat", "add", "laptop", "--owner", "ops", "--device", "laptop", "-f", lab]);
  assert.equal(r.code, 0, r.err);
  const text = readFileSync(lab, "utf8");
  assert.ok(text.includes("# two sites: home behind NAT, two VPSes\n") && text.includes("  seats: # laptops and phones\n"), text);
  assert.ok(text.includes("    - { name: phone, owner: ops, device: phone }\n    - { name: laptop, owner: ops, device: laptop }\n"), text);
  const conf = join(dir, "out", "seats", "laptop.conf");
  assert.equal(statSync(conf).mode & 0o777, 0o600);
  const confText = readFileSync(conf, "utf8");
  assert.ok(r.out.includes(confText.trimEnd()), "the config is printed");
  const blocks = r.out.split("\n").filter((l) => l.length > 20 && /^[█▀▄ ]+$/.test(l)).join("\n");
  assert.equal((await zbarText(blocks)).replace(/\n$/, ""), confText.replace(/\n$/, ""));
  const store = await readStore(join(dir, "secrets.sops.yaml"), "store", [key.identity]);
  const pub = store.secrets.wireguard["seat/laptop"]!.publicKey;
  assert.ok(readFileSync(join(dir, "out", "wireguard", "cp1", "wg0.conf"), "utf8").includes(pub), "the hub knows the new seat");

  const show = await drover(["seat", "show", "laptop", "-f", lab, "--json"]);
  assert.equal(show.code, 0, show.err);
  assert.equal(JSON.parse(show.out).config, confText, "seat show prints the rendered config again");
  const nope = await drover(["seat", "show", "nope", "-f", lab]);
  assert.equal(nope.code, 1);
  assert.match(nope.err, /there is no seat named nope[\s\S]*seats: phone, laptop/);

  const again = await drover(["seat", "add", "laptop", "-f", lab]);
  assert.equal(again.code, 1);
  assert.match(again.err, /lab\.yaml:\d+:\d+: network\.seats\[1\]\.name: a seat named laptop already exists/);
  const bad = await drover(["seat", "add", "tablet", "--owner", "nobody", "-f", lab]);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /unknown user nobody/);
  assert.equal(readFileSync(lab, "utf8"), text, "an invalid edit leaves lab.yaml alone");

  const rm = await drover(["seat", "remove", "laptop", "-f", lab]);
  assert.equal(rm.code, 0, rm.err);
  assert.equal(readFileSync(lab, "utf8"), ORIGINAL, "lab.yaml is back to the byte");
  const after = await readStore(join(dir, "secrets.sops.yaml"), "store", [key.identity]);
  assert.equal(after.secrets.wireguard["seat/laptop"], undefined);
  assert.deepEqual(presharedKeyEntries(after.secrets.wireguardPresharedKeys).filter(([a, b]) => a === "seat/laptop" || b === "seat/laptop"), []);
  assert.equal(existsSync(conf), false);
  for (const [f, content] of allFiles(join(dir, "out"))) assert.ok(!content.includes(pub), `${f} still has the revoked seat`);
  const none = await drover(["seat", "remove", "laptop", "-f", lab]);
  assert.equal(none.code, 1);
  assert.match(none.err, /there is no seat named laptop/);
});

test("seat add into a lab without seats creates network.seats", async () => {
  const dir = tempDir();
  const lab = join(dir, "lab.yaml");
  writeFileSync(lab, meshLabYaml({ seats: [] }).replace("  seats: []\n", ""));
  const r = await drover(["seat", "add", "tab", "--device", "tablet", "-f", lab, "--json"]);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.seat, "tab");
  assert.match(j.config, /\[Peer\]/);
  assert.match(readFileSync(lab, "utf8"), /seats:\n\s+- \{ name: tab, device: tablet \}|seats: \[ \{ name: tab, device: tablet \} \]/);
});
