// A lab written from seed 004 (the caeman.dev write-up): old desktops and laptops at home behind the
// router's NAT, a public domain with a blog, file sharing (0x0), Etherpad and Soft Serve's SSH on port
// 22, private services at <app>.k8s over WireGuard, Cloudflare for public DNS, Pi-hole for private.
// `variant` replaces the home site's public-address and TLS lines.
export function seed004Lab(opts: { publicAddress?: string; portForwarding?: boolean; challenge?: "http01" | "dns01"; dnsPublic?: "cloudflare" | "none"; gitUrl?: string; recipient?: string } = {}): string {
  const site = [
    "name: home", "lan: 192.168.1.0/24", "gateway: 192.168.1.1", "dns: [192.168.1.1]", "nat: true",
    ...(opts.publicAddress ? [`publicAddress: ${opts.publicAddress}`] : []),
    ...(opts.portForwarding === false ? ["portForwarding: false"] : []),
  ].join(", ");
  return `apiVersion: drover.dev/v1alpha1
kind: Lab
cluster:
  name: caeman
  distribution: talos
  endpoint: { address: 192.168.1.9 }
  domains: { public: caeman.dev, private: k8s }
sites:
  - { ${site} }
hosts:
  - { name: old-desktop, site: home, arch: amd64, cpu: 8, memory: 32Gi, disks: [{ device: /dev/sda, size: 512Gi, use: system }, { device: /dev/sdb, size: 4Ti, type: hdd, use: data }] }
  - { name: nuc, site: home, arch: amd64, cpu: 4, memory: 16Gi, disks: [{ device: /dev/sda, size: 256Gi, use: system }] }
  - { name: old-laptop, site: home, arch: amd64, cpu: 4, memory: 16Gi, power: volatile, disks: [{ device: /dev/sda, size: 256Gi, use: system }] }
nodes:
  - { name: cp1, host: nuc, role: controlplane, address: 192.168.1.10 }
  - { name: w1, host: old-desktop, address: 192.168.1.11 }
  - { name: w2, host: old-laptop, address: 192.168.1.12 }
${opts.recipient ? `secrets:\n  recipients: [${opts.recipient}]\n` : ""}${opts.gitUrl ? `gitops: { url: "${opts.gitUrl}" }\n` : ""}network:
  loadBalancer: { pool: 192.168.1.200-192.168.1.220 }
  tls: { email: admin@caeman.dev, challenge: ${opts.challenge ?? "http01"} }
  dns: { public: ${opts.dnsPublic ?? "cloudflare"}, private: pihole }
storage:
  classes:
    - { name: local, type: local, default: true }
apps:
  - { name: "0x0", exposure: public, hostname: 0x0.caeman.dev }
  - { name: etherpad, exposure: public, hostname: pad.caeman.dev, backup: true }
  - { name: soft-serve, exposure: public, hostname: git.caeman.dev }
  - { name: grafana }
  - { name: apprise }
  - { name: pihole, placement: { hosts: [old-desktop] } }
backups:
  targets:
    - { name: b2, type: s3, endpoint: "https://s3.eu-central-003.backblazeb2.com", bucket: caeman-backups, offsite: true }
`;
}
