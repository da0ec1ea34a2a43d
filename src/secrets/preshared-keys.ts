// WireGuard preshared keys, one per peer pair. In memory a nested record keyed by the pair's names in
// order (psks[a][b] with a < b), so a lookup needs no string building. In the store each first peer
// holds one value listing its partners, one "partner key" line each:
//
//   wireguardPresharedKeys:
//     node/cp-1: |
//       node/cp-2 qmTbsK…=
//       node/w-1 0b7Xq…=
//
// One encrypted value per peer instead of one per pair: a 1,000-node site-leaders lab has 99,500
// pairs, and opening the store decrypted each of them apart (1.3 s). Stores written the old way
// (one "a|b" key per pair) are still read.
import type { PresharedKeys } from "./types.js";

const ordered = (a: string, b: string): [string, string] => (a < b ? [a, b] : [b, a]);

/** The pair's key, if the store has one. */
export function presharedKey(psks: PresharedKeys, a: string, b: string): string | undefined {
  const [x, y] = ordered(a, b);
  return psks[x]?.[y];
}

/** Every pair with its key as [a, b, key] (a < b), sorted by a then b. */
export function presharedKeyEntries(psks: PresharedKeys): [string, string, string][] {
  const out: [string, string, string][] = [];
  for (const a of Object.keys(psks).sort()) {
    const partners = psks[a]!;
    for (const b of Object.keys(partners).sort()) out.push([a, b, partners[b]!]);
  }
  return out;
}

/** A builder that copies only what it changes: set keys, drop peers, then `done()`. */
export function editPresharedKeys(psks: PresharedKeys) {
  const out: Record<string, Record<string, string>> = { ...psks } as Record<string, Record<string, string>>;
  const copied = new Set<string>();
  const own = (a: string): Record<string, string> => {
    if (!copied.has(a)) {
      out[a] = { ...out[a] };
      copied.add(a);
    }
    return out[a]!;
  };
  return {
    set(a: string, b: string, key: string): void {
      const [x, y] = ordered(a, b);
      own(x)[y] = key;
    },
    /** drops every pair `peer` is part of; returns the dropped pairs as "a|b" */
    dropPeer(peer: string): string[] {
      const dropped: string[] = [];
      for (const b of Object.keys(out[peer] ?? {}).sort()) dropped.push(`${peer}|${b}`);
      delete out[peer];
      for (const a of Object.keys(out).sort()) {
        if (out[a]![peer] === undefined) continue;
        dropped.push(`${a}|${peer}`);
        delete own(a)[peer];
        if (!Object.keys(out[a]!).length) delete out[a];
      }
      return dropped.sort();
    },
    done(): PresharedKeys {
      return out;
    },
  };
}

/** The store form: first peer → "partner key" lines, both levels sorted. */
export function presharedKeysToStore(psks: PresharedKeys): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of Object.keys(psks).sort()) {
    const partners = psks[a]!;
    const names = Object.keys(partners).sort();
    if (names.length) out[a] = names.map((b) => `${b} ${partners[b]}\n`).join("");
  }
  return out;
}

/** Reads the store form (or the older one "a|b" → key); `bad(field, what)` makes the error. */
export function presharedKeysFromStore(o: Record<string, unknown>, bad: (field: string, what: string) => Error): PresharedKeys {
  const out: Record<string, Record<string, string>> = {};
  const put = (a: string, b: string, key: string, field: string) => {
    if (!a || !b || a === b) throw bad(field, `names the pair ${JSON.stringify(a)} and ${JSON.stringify(b)}`);
    const [x, y] = ordered(a, b);
    (out[x] ??= {})[y] = key;
  };
  for (const [k, v] of Object.entries(o)) {
    const field = `wireguardPresharedKeys.${k}`;
    if (typeof v !== "string") throw bad(field, "is not a string");
    const bar = k.indexOf("|");
    if (bar >= 0) {
      put(k.slice(0, bar), k.slice(bar + 1), v, field);
      continue;
    }
    let start = 0;
    while (start < v.length) {
      let end = v.indexOf("\n", start);
      if (end < 0) end = v.length;
      const sp = v.indexOf(" ", start);
      if (sp < 0 || sp > end || sp + 1 === end) throw bad(field, `has a line that is not "peer key": ${JSON.stringify(v.slice(start, end))}`);
      put(k, v.slice(start, sp), v.slice(sp + 1, end), field);
      start = end + 1;
    }
  }
  return out;
}
