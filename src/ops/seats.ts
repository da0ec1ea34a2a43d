// Seats (road-warrior WireGuard clients: laptops, phones): added to and removed from lab.yaml, and
// on removal forgotten by the secrets store, so that the next render drops the seat from every node.
import { existsSync } from "node:fs";
import { relative, resolve, dirname } from "node:path";
import { readLabText, InvalidLab } from "../lab/file.js";
import { loadLabText } from "../lab/load.js";
import { addSeatText, removeSeatText, type SeatEntry } from "../spec/seats-edit.js";
import { writeFileAtomic } from "../fs/atomic-write.js";
import type { LocalKey } from "../secrets/keys.js";
import { DEFAULT_STORE_FILE, readStore, writeStore } from "../secrets/store.js";
import { forgetPeer } from "../secrets/forget.js";
import { seatPeer } from "../lab/mesh.js";

/** Writes new lab.yaml text only if it is a valid spec; the file is untouched otherwise. */
function commitSpec(path: string, display: string, text: string): void {
  const r = loadLabText(text, display);
  if (!r.spec) throw new InvalidLab(r.diagnostics.filter((d) => d.severity === "error"), display);
  writeFileAtomic(path, text);
}

export function addSeat(labPath: string | undefined, seat: SeatEntry): { path: string; display: string } {
  const { path, display, text } = readLabText(labPath);
  commitSpec(path, display, addSeatText(text, display, seat));
  return { path, display };
}

/** Removes the seat from lab.yaml and its keys from the secrets store. */
export async function removeSeat(labPath: string | undefined, name: string, key: LocalKey): Promise<{ path: string; display: string; forgot: string[] }> {
  const { path, display, text } = readLabText(labPath);
  const next = removeSeatText(text, display, name);
  const r = loadLabText(next, display);
  if (!r.spec) throw new InvalidLab(r.diagnostics.filter((d) => d.severity === "error"), display);
  // read the store before touching lab.yaml: a key that cannot open it stops everything here
  const storePath = resolve(dirname(path), r.spec.secrets?.file ?? DEFAULT_STORE_FILE);
  const storeDisplay = relative(process.cwd(), storePath) || storePath;
  const store = existsSync(storePath) ? await readStore(storePath, storeDisplay, key.identities) : undefined;
  writeFileAtomic(path, next);
  const forgot: string[] = [];
  if (store) {
    const peer = seatPeer(name);
    const { secrets, removed } = forgetPeer(store.secrets, peer);
    const n = removed.filter((r) => r.startsWith("preshared key ")).length;
    if (store.secrets.wireguard[peer]) forgot.push(`wireguard key ${peer}`);
    if (n) forgot.push(`${n} preshared key${n === 1 ? "" : "s"}`);
    if (forgot.length) writeStore(storePath, { secrets, envelope: store.envelope });
  }
  return { path, display, forgot };
}
