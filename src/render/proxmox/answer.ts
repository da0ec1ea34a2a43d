// The Proxmox VE automated-installation answer file of a host (answer.toml, read by
// proxmox-auto-installer): FQDN, root password (SHA-512-crypt hash of a generated password kept in
// the secrets store), static network on the host's NIC (by MAC when known), and the system disk.
// Keys are written in the snake_case spelling every installer release accepts (newer ones also
// take kebab-case).
import type { Host, Lab } from "../../lab/types.js";
import type { LabSecrets } from "../../secrets/types.js";
import { appSecret, derivedSecret } from "../../secrets/generate.js";
import { cryptSalt, sha512Crypt } from "../../secrets/sha512-crypt.js";

/** Where the host's root password lives in the secrets store: apps.proxmox["<host>-root-password"] (its hash beside it, "-sha512-crypt"). */
export const rootPasswordKey = (host: string): [string, string] => ["proxmox", `${host}-root-password`];

// a TOML basic string: JSON's escapes are TOML escapes, and TOML also refuses a raw DEL
const q = (s: string): string => JSON.stringify(s).replace(/\x7f/g, "\\u007F");

export function answerToml(lab: Lab, secrets: LabSecrets, host: Host): string {
  const site = lab.site(host.site);
  const [app, name] = rootPasswordKey(host.name);
  const password = appSecret(secrets, app, name, "password");
  // 5,000 SHA-512 rounds per host: computed once and kept in the store next to the password; the salt
  // is derived from the password, so a changed password makes the stored hash stale
  const salt = cryptSalt(`${lab.name}/${host.name}/${password}`);
  const hash = derivedSecret(secrets, app, `${name}-sha512-crypt`, () => sha512Crypt(password, salt), (have) => have.split("$")[2] !== salt);
  const domain = lab.domains.private;
  const mailto = lab.network.tls.email ?? `root@${domain}`;
  const prefix = site.lan.split("/")[1];
  const system = host.disks.find((d) => d.use === "system") ?? host.disks[0];
  const lines = [
    "# Proxmox VE automated installation: prepare the ISO with",
    "#   proxmox-auto-install-assistant prepare-iso proxmox-ve.iso --fetch-from iso --answer-file answer.toml",
    "# The root password is in the secrets store (apps.proxmox." + name + ").",
    "[global]",
    `keyboard = "en-us"`,
    `country = "us"`,
    `fqdn = ${q(`${host.name}.${domain}`)}`,
    `mailto = ${q(mailto)}`,
    `timezone = "UTC"`,
    `root_password_hashed = ${q(hash)}`,
    "",
    "[network]",
  ];
  if (host.address && site.gateway) {
    lines.push(`source = "from-answer"`, `cidr = ${q(`${host.address}/${prefix}`)}`, `dns = ${q(site.dns[0] ?? site.gateway)}`, `gateway = ${q(site.gateway)}`);
    lines.push(host.mac ? `filter.ID_NET_NAME_MAC = ${q(`*${host.mac.replace(/:/g, "")}`)}` : `filter.ID_NET_NAME = "e*"`);
  } else lines.push(`source = "from-dhcp"`);
  lines.push("", "[disk-setup]", `filesystem = "ext4"`);
  // no disk in the spec: the first SATA/SCSI disk (add the host's disks to lab.yaml to choose)
  lines.push(`disk_list = [${q((system?.device ?? "/dev/sda").replace(/^\/dev\//, ""))}]`);
  return lines.join("\n") + "\n";
}
