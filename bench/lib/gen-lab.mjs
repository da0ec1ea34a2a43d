// A large, valid, deterministic lab for benchmarks: sites × hosts × VM nodes and many app instances.
// genLabYaml({ hosts: 500, nodesPerHost: 2, apps: 5000, replicas: 2 })
const CATALOG = ["grafana", "vaultwarden", "etherpad", "freshrss", "wallabag", "atuin", "uptime-kuma", "homepage", "n8n", "syncthing", "paperless-ngx", "influxdb", "apprise"];
const SCALABLE = new Set(["homepage"]);

export function genLabYaml({ hosts = 500, nodesPerHost = 2, apps = 5000, replicas = 2, sites = 5 } = {}) {
  const out = [];
  out.push("apiVersion: drover.dev/v1alpha1", "kind: Lab");
  out.push("cluster: { name: big, endpoint: { address: 172.16.0.5 }, domains: { public: big.example.net, private: big.internal } }");
  out.push("identity: { provider: authelia, groups: [{ name: admins }], users: [{ name: ops, email: ops@big.example.net, groups: [admins] }] }");
  out.push("network: { overlay: { subnet: 10.200.0.0/20, topology: site-leaders }, loadBalancer: { pool: 172.16.255.0-172.16.255.200 } }");
  out.push("storage: { classes: [{ name: nas, type: nfs, server: 172.16.0.2, path: /tank, default: true }] }");
  out.push("sites:");
  for (let s = 0; s < sites; s++) out.push(`  - { name: site${s}, lan: 172.${16 + s}.0.0/16, gateway: 172.${16 + s}.0.1${s ? `, endpoint: site${s}.big.example.net:51820` : ""} }`);
  out.push("hosts:");
  for (let h = 0; h < hosts; h++) {
    const arch = h % 5 === 4 ? "arm64" : "amd64";
    const power = h % 7 === 6 ? "volatile" : "always-on";
    out.push(`  - { name: host${h}, site: site${h % sites}, arch: ${arch}, cpu: 16, memory: 64Gi, hypervisor: proxmox, power: ${power}${h % 50 === 0 ? ", gpus: [{ vendor: nvidia }]" : ""} }`);
  }
  out.push("nodes:");
  let n = 0;
  for (let h = 0; h < hosts; h++) {
    for (let k = 0; k < nodesPerHost; k++, n++) {
      const s = h % sites;
      const idx = Math.floor(h / sites) * nodesPerHost + k + 10;
      const role = n < 3 ? "controlplane" : "worker";
      out.push(`  - { name: node${n}, host: host${h}, kind: vm, role: ${role}, cpu: 8, memory: 30Gi, address: 172.${16 + s}.${Math.floor(idx / 250)}.${(idx % 250) + 2} }`);
    }
  }
  out.push("apps:");
  for (let a = 0; a < apps; a++) {
    const app = CATALOG[a % CATALOG.length];
    const r = SCALABLE.has(app) ? replicas : 1;
    out.push(`  - { name: ${app}-${String(a).padStart(5, "0")}, app: ${app}, exposure: private${r > 1 ? `, replicas: ${r}` : ""} }`);
  }
  return out.join("\n") + "\n";
}
