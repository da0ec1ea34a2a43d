// Labs for the platform renderer's tests: the bundled example, the every-app lab, and generated
// variants that between them take every branch of the platform: k3s with flannel and MetalLB, the
// Gateway API, each storage type, Velero, Keycloak, an in-lab forge, a registry mirror, no SSO.
import type { Lab } from "../lab/types.js";
import { appsLab, exampleLab, loadTestLab } from "./apps-lab.js";
import { host, labYaml, node } from "./lab-builder.js";

const HEAD = (name: string, extra = ""): string => labYaml({
  name,
  cluster: ["endpoint: { address: 10.20.0.5 }", `domains: { public: ${name}.example.net, private: ${name}.internal }`, ...extra.split("\n").map((l) => l.replace(/^ {2}/, ""))],
  sites: ["{ name: home, lan: 10.20.0.0/16, gateway: 10.20.0.1 }"],
  hosts: [
    host({ name: "a1", site: "home", cpu: 8, memory: "32Gi", disk: "/dev/nvme0n1", size: "512Gi" }),
    host({ name: "a2", site: "home", cpu: 8, memory: "32Gi", disk: "/dev/nvme0n1", size: "512Gi" }),
    host({ name: "p1", site: "home", arch: "arm64", cpu: 4, memory: "8Gi", disk: "/dev/mmcblk0", size: "64Gi" }),
  ],
  nodes: [
    node({ name: "cp1", host: "a1", role: "controlplane", address: "10.20.0.11" }),
    node({ name: "w1", host: "a2", address: "10.20.0.12" }),
    node({ name: "w2", host: "p1", address: "10.20.0.13" }),
  ],
});

/** k3s (flannel) with MetalLB, NFS and node-local storage, Pi-hole + RFC 2136 DNS with DNS-01, Keycloak SSO, Velero, an in-lab Forgejo, a registry mirror. */
export const K3S_METALLB = HEAD("kay", "  distribution: k3s\n  k3sVersion: v1.35.4+k3s1") + `gitops: { forge: forgejo }
network:
  loadBalancer: { pool: 10.20.200.1-10.20.200.40 }
  tls: { email: ops@kay.example.net, challenge: dns01 }
  dns: { public: rfc2136, private: pihole, rfc2136: { server: "10.20.0.2:53", zone: kay.example.net, keyName: drover } }
  registryMirror: true
storage:
  classes:
    - { name: nas, type: nfs, server: 10.20.0.2, path: /tank/k8s, default: true }
    - { name: local, type: local }
identity:
  provider: keycloak
  groups: [{ name: admins }]
  users: [{ name: ops, email: ops@kay.example.net, groups: [admins] }]
apps:
  - { name: forgejo, exposure: private }
  - { name: keycloak, exposure: private }
  - { name: pihole, exposure: private }
  - { name: vaultwarden, exposure: public, backup: true, groups: [admins] }
backups:
  engine: velero
  targets: [{ name: b2, type: s3, endpoint: "https://s3.us-west-000.backblazeb2.com", bucket: kay-backups, region: us-west-000 }]
monitoring:
  alerts: ["ntfys://ntfy.sh/kay-\${secret:ntfy-topic}", "mailtos://alerts:\${secret:smtp-password}@mail.kay.example.net"]
`;

/** Talos + Cilium with the Gateway API (Envoy Gateway), Longhorn and TrueNAS iSCSI, an in-lab S3 store, Cloudflare DNS-01, an external SSH Git host. */
export const GATEWAY_API = HEAD("gee") + `gitops: { url: "ssh://git@github.com/gee/lab.git", branch: main }
network:
  loadBalancer: { pool: 10.20.200.1-10.20.200.40 }
  ingress: { controller: gateway-api }
  tls: { email: ops@gee.example.net, challenge: dns01, staging: true }
  dns: { public: cloudflare, private: none }
storage:
  classes:
    - { name: longhorn, type: longhorn, default: true, replicas: 2 }
    - { name: truenas-iscsi, type: iscsi, portal: "10.20.0.3:3260", apiUrl: "https://10.20.0.3" }
  objectStore: { storageClass: longhorn, size: 50Gi, buckets: [backups, loki] }
identity:
  provider: authelia
  groups: [{ name: admins }, { name: family }]
  users: [{ name: gee, email: gee@gee.example.net, groups: [admins] }]
  defaultPolicy: { groups: [admins], twoFactor: true }
apps:
  - { name: homepage, exposure: private, groups: [family] }
  - { name: immich, exposure: public, backup: true, groups: [family] }
  - { name: uptime-kuma, exposure: private }
backups:
  targets: [{ name: local-s3, type: s3, endpoint: "http://seaweedfs-s3.object-store.svc.cluster.local:8333", bucket: backups }]
monitoring:
  alerts: ["discord://\${secret:discord-webhook}"]
  logs: false
`;

/** Every storage type at once (NFS, iSCSI, Ceph RBD, CephFS, Longhorn, local), no SSO, no monitoring, no apps. */
export const EVERY_STORAGE = HEAD("esse") + `network:
  loadBalancer: { implementation: metallb, pool: 10.20.200.0/27 }
  dns: { public: none, private: rfc2136, rfc2136: { server: 10.20.0.2, zone: esse.internal, keyName: k8s } }
storage:
  classes:
    - { name: nfs, type: nfs, server: 10.20.0.2, path: /export/k8s, default: true }
    - { name: iscsi, type: iscsi, portal: 10.20.0.3 }
    - { name: rbd, type: ceph-rbd, clusterID: c1, monitors: ["10.20.0.4:6789"], pool: k8s }
    - { name: fs, type: cephfs, clusterID: c1, monitors: ["10.20.0.4:6789", "10.20.0.5:6789"], fsName: cephfs }
    - { name: lh, type: longhorn }
    - { name: local, type: local, path: /var/mnt/fast }
identity: { provider: none }
monitoring: { enabled: false }
`;

/** k3s with Cilium instead of flannel (kube-proxy replacement against the cluster endpoint), Soft Serve as the Git source. */
export const K3S_CILIUM = HEAD("kc", "  distribution: k3s\n  k3sVersion: v1.35.4+k3s1\n  cni: cilium") + `gitops: { forge: soft-serve, path: clusters/kc }
network:
  loadBalancer: { pool: 10.20.200.1-10.20.200.40 }
storage:
  classes: [{ name: local, type: local, default: true }]
apps:
  - { name: soft-serve, exposure: private }
  - { name: atuin, exposure: private }
`;

export const PLATFORM_LABS: readonly [string, () => Lab][] = [
  ["examples/talos-mixed", () => exampleLab()],
  ["every catalog app", () => appsLab()],
  ["k3s + MetalLB + Keycloak + Velero", () => loadTestLab(K3S_METALLB)],
  ["Gateway API + Longhorn + iSCSI + S3", () => loadTestLab(GATEWAY_API)],
  ["every storage type", () => loadTestLab(EVERY_STORAGE)],
  ["k3s + Cilium + Soft Serve", () => loadTestLab(K3S_CILIUM)],
  // (appended: tests pick the labs above by index)
  ["examples/proxmox-k3s (backups to an NFS share)", () => exampleLab("proxmox-k3s")],
];
