// The Kubernetes CA rotation on k3s (`drover keys rotate kubernetes-ca`), as `k3s certificate rotate-ca`
// takes it: new CA files in a staging folder on one server, checked and written into the datastore by
// that command, then every k3s restarted, servers first. k3s makes its CAs itself on the first server,
// so Drover cannot cross-sign the new ones with the old root (it never had its key): the rotation is
// forced, and kubelets and clients trust the new CAs once restarted or given a new kubeconfig. Drover's
// join token is a short token (no CA hash pinned), so agents rejoin under the new CA.
//   phase 1  new CAs in the store; rendered into k3s/<first server>/rotate-ca/ (secret files)
//   phase 2  they are the CAs in use (the store's k3s.ca); the staging folder is no longer rendered
import { randomBytes } from "node:crypto";
import type { Lab } from "../../lab/types.js";
import type { CertAndKey, K3sCaBundle, LabSecrets } from "../../secrets/types.js";
import { CA_VALIDITY_MS } from "../../secrets/talos.js";
import { generateKey, privateKeyPem, selfSignedCa } from "../../secrets/x509/certificate.js";
import { addFile, type FileTree } from "../tree.js";
import { controlPlanesFirst, type RolloutStep } from "../distribution-contract.js";

/** Where k3s reads the staging folder on the server (any path works; this is the one k3s's docs use). */
export const K3S_ROTATE_CA_DIR = "/var/lib/rancher/k3s/server/rotate-ca";
const K3S_TLS_DIR = "/var/lib/rancher/k3s/server/tls";

/** The staging folder's files, as k3s names them, and what of the bundle each holds. */
export function k3sCaFiles(b: K3sCaBundle): [string, string][] {
  const pair = (name: string, c: CertAndKey): [string, string][] => [[`${name}.crt`, c.crt], [`${name}.key`, c.key]];
  return [
    ...pair("client-ca", b.clientCa),
    ...pair("etcd/peer-ca", b.etcdPeerCa),
    ...pair("etcd/server-ca", b.etcdServerCa),
    ...pair("request-header-ca", b.requestHeaderCa),
    ...pair("server-ca", b.serverCa),
    ["service.key", b.serviceKey],
  ];
}

/** New k3s CAs shaped like k3s's own: ECDSA P-256, self-signed, CN "<name>@<unix seconds>", ten years. */
export function newK3sCaBundle(now: Date): K3sCaBundle {
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const stamp = Math.floor(notBefore.getTime() / 1000);
  const ca = (cn: string): CertAndKey => {
    const serial = randomBytes(16);
    serial[0] = (serial[0]! & 0x7f) || 1;
    return selfSignedCa({ subject: { commonName: `${cn}@${stamp}` }, algorithm: "ecdsa-p256", notBefore, notAfter: new Date(notBefore.getTime() + CA_VALIDITY_MS), serial });
  };
  return {
    serverCa: ca("k3s-server-ca"),
    clientCa: ca("k3s-client-ca"),
    requestHeaderCa: ca("k3s-request-header-ca"),
    etcdPeerCa: ca("etcd-peer-ca"),
    etcdServerCa: ca("etcd-server-ca"),
    serviceKey: privateKeyPem(generateKey("rsa-2048")),
  };
}

/** The staging folder, rendered only while a rotation is in phase 1. */
export function renderRotateCa(t: FileTree, lab: Lab, secrets: LabSecrets): void {
  const b = secrets.k3s.nextCa;
  const first = lab.controlPlanes()[0];
  if (!b || !first) return;
  for (const [f, content] of k3sCaFiles(b)) addFile(t, `${first.name}/rotate-ca/${f}`, content, { secret: true });
}

/** The command the first server runs on the staging folder (forced: the new CAs are not cross-signed by the old root). */
export const k3sRotateCaCommand = (): string[] => ["k3s", "certificate", "rotate-ca", `--path=${K3S_ROTATE_CA_DIR}`, "--force"];

export function rotateK3sKubernetesCa(s: LabSecrets, lab: Lab, now: Date) {
  const first = lab.controlPlanes()[0]!;
  const restart = (): RolloutStep[] =>
    controlPlanesFirst(lab).map((n) => ({ node: n.name, file: `k3s/${n.name}/config.yaml`, action: `systemctl restart ${n.role === "controlplane" ? "k3s" : "k3s-agent"} (wait for the node to be Ready before the next)` }));
  if (!s.k3s.nextCa) {
    const { ca: _ca, ...k3s } = s.k3s;
    const phase = "phase 1 of 2: new Kubernetes CAs (server, client, request-header, etcd peer and server) and service-account key, rendered into the first server's rotate-ca staging folder";
    return {
      secrets: { ...s, k3s: { ...k3s, ...(s.k3s.ca ? { ca: s.k3s.ca } : {}), nextCa: newK3sCaBundle(now) } },
      changed: ["k3s CAs: new CAs staged for k3s certificate rotate-ca"],
      rollout: [
        {
          node: first.name,
          file: `k3s/${first.name}/rotate-ca/`,
          action: [
            `copy the folder to ${K3S_ROTATE_CA_DIR}/ (mode 0700, files 0600)`,
            `keep today's service-account tokens valid: cat ${K3S_TLS_DIR}/service.key >> ${K3S_ROTATE_CA_DIR}/service.key`,
            k3sRotateCaCommand().join(" "),
          ].join(", then: "),
        },
        ...restart(),
      ],
      phase,
      done: false,
      notes: [phase, `when every node is Ready again, run \`drover keys rotate kubernetes-ca\` again: the new CAs become the store's record and the staging folder is no longer rendered (delete ${K3S_ROTATE_CA_DIR} on ${first.name})`],
    };
  }
  const { nextCa, ...k3s } = s.k3s;
  const phase = "phase 2 of 2: the new CAs are the ones k3s runs with; the staging folder is no longer rendered; the rotation is complete";
  return {
    secrets: { ...s, k3s: { ...k3s, ca: nextCa } },
    changed: ["k3s CAs: rotation recorded as complete"],
    rollout: [{ node: first.name, file: `k3s/${first.name}/config.yaml`, action: `rm -rf ${K3S_ROTATE_CA_DIR}` }],
    phase,
    done: true,
    notes: [phase, "copy /etc/rancher/k3s/k3s.yaml from a server again: the old kubeconfig trusts only the old server CA"],
  };
}
