// QR codes for the terminal: the matrix (qrcode-generator), drawn with half blocks so that one text
// line holds two module rows. Light modules are drawn (█ ▀ ▄), dark ones left blank, as `qrencode -t
// UTF8` does: on a dark terminal that gives dark modules on a light code. A 4-module quiet zone
// surrounds the code, as scanners need.
import qrcode from "qrcode-generator";

export type QrMatrix = boolean[][]; // true = dark module

export function qrMatrix(text: string): QrMatrix {
  const qr = qrcode(0, "M");
  qr.addData(text, "Byte");
  qr.make();
  const n = qr.getModuleCount();
  return Array.from({ length: n }, (_, r) => Array.from({ length: n }, (_, c) => qr.isDark(r, c)));
}

export const QUIET_ZONE = 4;

function withQuietZone(m: QrMatrix, q = QUIET_ZONE): QrMatrix {
  const n = m.length + 2 * q;
  return Array.from({ length: n }, (_, r) => Array.from({ length: n }, (_, c) => m[r - q]?.[c - q] ?? false));
}

/** The code as terminal text: each character is two modules stacked (top, bottom). */
export function qrHalfBlocks(m: QrMatrix): string {
  const z = withQuietZone(m);
  const lines: string[] = [];
  for (let r = 0; r < z.length; r += 2) {
    let line = "";
    for (let c = 0; c < z.length; c++) {
      const topLight = !z[r]![c];
      const bottomLight = r + 1 < z.length ? !z[r + 1]![c] : true;
      line += topLight && bottomLight ? "█" : topLight ? "▀" : bottomLight ? "▄" : " ";
    }
    lines.push(line);
  }
  return lines.join("\n") + "\n";
}

/** Reads half-block text back into modules (quiet zone included): true = dark. */
export function parseHalfBlocks(text: string): QrMatrix {
  const rows: boolean[][] = [];
  for (const line of text.replace(/\n$/, "").split("\n")) {
    const chars = [...line];
    rows.push(chars.map((ch) => ch === " " || ch === "▄"));
    rows.push(chars.map((ch) => ch === " " || ch === "▀"));
  }
  return rows;
}

/** A binary PBM (P4) image of a matrix, `scale` pixels per module (for scanners and tests). */
export function qrPbm(m: QrMatrix, scale = 8, quietZone = 0): Buffer {
  const z = quietZone ? withQuietZone(m, quietZone) : m;
  const size = z.length * scale;
  const rowBytes = Math.ceil(size / 8);
  const header = Buffer.from(`P4\n${size} ${size}\n`, "ascii");
  const body = Buffer.alloc(rowBytes * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (z[Math.floor(y / scale)]![Math.floor(x / scale)]) body[y * rowBytes + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }
  return Buffer.concat([header, body]);
}
