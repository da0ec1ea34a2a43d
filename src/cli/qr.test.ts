// The terminal QR code decodes, with zbarimg (Debian zbar-tools), back to the exact seat config.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sh } from "../testing/netns.js";
import { debianTool } from "../testing/paths.js";
import { meshLab } from "../testing/mesh-lab.js";
import { testSecrets } from "../testing/apps-lab.js";
import { seatConf } from "../render/wireguard/index.js";
import { parseHalfBlocks, qrHalfBlocks, qrMatrix, qrPbm } from "./qr.js";

async function zbar(image: Buffer): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "drover-qr-"));
  try {
    const file = join(dir, "code.pbm");
    writeFileSync(file, image, { mode: 0o600 });
    const r = await sh([debianTool("zbarimg"), "--quiet", "--raw", "-Sbinary", file]);
    return r.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("a seat's config as a terminal QR code (half blocks) decodes to the same text", async () => {
  const lab = meshLab();
  const conf = seatConf(lab, testSecrets(lab), "phone");
  const text = qrHalfBlocks(qrMatrix(conf));
  assert.ok([...text].every((c) => " █▀▄\n".includes(c)));
  // what a phone camera sees: the printed characters, as modules
  const decoded = await zbar(qrPbm(parseHalfBlocks(text), 6));
  assert.equal(decoded.replace(/\n$/, ""), conf.replace(/\n$/, ""));
});

test("the QR matrix without the terminal decodes too; different text gives a different code", async () => {
  const a = qrMatrix("[Interface]\nPrivateKey = x\n");
  assert.equal((await zbar(qrPbm(a, 8, 4))).trim(), "[Interface]\nPrivateKey = x");
  assert.notDeepEqual(a, qrMatrix("[Interface]\nPrivateKey = y\n"));
});
