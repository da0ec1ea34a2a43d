// drover seat add|remove|show: WireGuard client configs for laptops and phones. `add` edits lab.yaml
// (comments kept), makes the seat's key, re-renders (the hub learns the new peer) and prints the config
// as text and as a QR code; `remove` takes it out of lab.yaml, the secrets store and every node's peers.
import type { Command } from "commander";
import { Option } from "commander";
import { LAB_HELP } from "../lab-argument.js";
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { Context } from "../context.js";
import type { Output } from "../output.js";
import { bold, dim, green } from "../output.js";
import { findLocalKey } from "../../secrets/keys.js";
import { addSeat, removeSeat } from "../../ops/seats.js";
import { render } from "./render.js";
import { qrHalfBlocks, qrMatrix } from "../qr.js";
import { loadLab } from "../../lab/file.js";
import { loadSecrets } from "../../secrets/store.js";
import { SEAT_CA_FILE, seatConf } from "../../render/wireguard/index.js";
import { seatHub } from "../../lab/mesh.js";
import { UserError } from "../errors.js";

const DEVICES = ["laptop", "phone", "desktop", "tablet"];

interface CommonOpts {
  out?: string;
  ageKey?: string;
}

/** The seat bundle's other half: the internal CA the device trusts for the private domain's HTTPS. */
interface SeatCa {
  readonly pem: string;
  /** seats/internal-ca.crt, when rendered */
  readonly file: string | undefined;
  readonly domain: string;
}

function printSeat(out: Output, name: string, conf: string, file: string | undefined, hub: string | undefined, overlay: string | undefined, ca: SeatCa | undefined): void {
  if (out.json) {
    out.out(JSON.stringify({ seat: name, file, overlayAddress: overlay, hub, config: conf, ...(ca ? { caFile: ca.file, caCertificate: ca.pem } : {}) }, null, 2));
    return;
  }
  const lines: string[] = [];
  if (file) lines.push(`${green(out, "✓")} seat ${bold(out, name)}: ${bold(out, file)} (mode 0600)${overlay ? dim(out, `, overlay address ${overlay}`) : ""}${hub ? dim(out, `, connects through ${hub}`) : ""}`);
  lines.push("", conf.trimEnd(), "", "Scan with the WireGuard app (+ → Create from QR code):", "", qrHalfBlocks(qrMatrix(conf)).trimEnd());
  if (ca) lines.push("", `Then trust the lab's internal CA on the device (HTTPS of *.${ca.domain}): ${ca.file ? bold(out, ca.file) : "drover ca export --out internal-ca.crt"}${ca.file ? dim(out, " (also: drover ca export)") : ""}`);
  out.out(lines.join("\n"));
}

export function register(program: Command, ctx: Context): void {
  const seat = program.command("seat").description("WireGuard client configs (seats) for laptops and phones");
  const common = (c: Command) =>
    c
      .argument("[lab]", LAB_HELP, "lab.yaml")
      .addOption(new Option("-f, --file <lab>", "the lab (the [lab] operand's older spelling)").hideHelp())
      .option("-o, --out <dir>", "render output folder (default: out/ next to lab.yaml)")
      .option("--age-key <file>", "age key file (default: DROVER_AGE_KEY_FILE, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY, ~/.config/sops/age/keys.txt)");

  common(
    seat
      .command("add")
      .description("add a seat to lab.yaml, make its key, re-render, print its config and QR code")
      .argument("<name>", "seat name, e.g. alice-laptop")
      .option("--owner <user>", "the user (identity.users) the device belongs to")
      .option("--device <kind>", `${DEVICES.join("|")}`, "laptop"),
  ).action(async (name: string, labFile: string, o: CommonOpts & { owner?: string; device: string }) => {
    const out = ctx.output();
    if (!DEVICES.includes(o.device)) throw new UserError(`--device ${o.device} is not a device kind`, `use one of ${DEVICES.join(", ")}`, 2);
    findLocalKey({ keyFile: o.ageKey }); // before lab.yaml changes: without a key nothing could be rendered
    addSeat(labFile, { name, ...(o.owner ? { owner: o.owner } : {}), device: o.device });
    const r = await render(labFile, o);
    const file = join(r.outDir, "seats", `${name}.conf`);
    const lab = loadLab(labFile).lab;
    const caFile = join(r.outDir, "seats", SEAT_CA_FILE);
    const ca = existsSync(caFile) ? { pem: readFileSync(caFile, "utf8"), file: relative(process.cwd(), caFile) || caFile, domain: lab.domains.private } : undefined;
    printSeat(out, name, readFileSync(file, "utf8"), relative(process.cwd(), file) || file, seatHub(lab)?.name, lab.seats.find((s) => s.name === name)?.overlayAddress, ca);
  });

  common(seat.command("show").description("print a seat's config and QR code again").argument("<name>", "seat name")).action(async (name: string, labFile: string, o: CommonOpts) => {
    const out = ctx.output();
    const loaded = loadLab(labFile);
    if (!loaded.lab.seats.some((s) => s.name === name)) {
      throw new UserError(`${loaded.display}: network.seats: there is no seat named ${name}`, loaded.lab.seats.length ? `seats: ${loaded.lab.seats.map((s) => s.name).join(", ")}` : "add one with drover seat add <name>");
    }
    const store = await loadSecrets(loaded.lab, loaded.dir, findLocalKey({ keyFile: o.ageKey }));
    if (store.added.some((a) => a.endsWith(`seat/${name}`) || a.includes(`seat/${name}|`))) {
      throw new UserError(`the secrets store has no key for seat ${name} yet`, "run drover render (or drover seat add) first");
    }
    const crt = store.added.includes("internal CA") ? undefined : store.secrets.internalCa?.crt;
    printSeat(out, name, seatConf(loaded.lab, store.secrets, name), undefined, seatHub(loaded.lab)?.name, undefined, crt ? { pem: crt, file: undefined, domain: loaded.lab.domains.private } : undefined);
  });

  common(seat.command("remove").description("revoke a seat: out of lab.yaml, the secrets store and every node's peers").argument("<name>", "seat name")).action(
    async (name: string, labFile: string, o: CommonOpts) => {
      const out = ctx.output();
      const key = findLocalKey({ keyFile: o.ageKey });
      const removed = await removeSeat(labFile, name, key);
      const r = await render(labFile, o);
      if (out.json) {
        out.out(JSON.stringify({ seat: name, removed: true, lab: removed.display, forgot: removed.forgot, outDir: r.outDir }, null, 2));
        return;
      }
      out.out(
        [
          `${green(out, "✓")} seat ${bold(out, name)} revoked: removed from ${removed.display}${removed.forgot.length ? `; forgot ${removed.forgot.join(" and ")}` : ""}`,
          `  re-rendered ${r.files} files into ${relative(process.cwd(), r.outDir) || "."}; no node config lists ${name} any more`,
          dim(out, "  apply on the hub node: wg syncconf wg0 <(wg-quick strip wg0)  (after copying wireguard/<node>/wg0.conf to /etc/wireguard/)"),
        ].join("\n"),
      );
    },
  );
}
