// What a live cluster can tell about how long its credentials last (`drover status`): the API
// server's serving certificate (read from the TLS handshake), the kubeconfig's client certificate,
// bootstrap tokens (kube-system Secrets of type bootstrap.kubernetes.io/token and their `expiration`),
// and every kubernetes.io/tls Secret — the internal CA's and every certificate cert-manager issued.
import { connect } from "node:tls";
import { X509Certificate } from "node:crypto";
import type { Client } from "./client.js";
import type { KubeObject } from "./objects.js";
import { certificateEnd, lifetime, type Lifetime } from "../secrets/lifetimes.js";

/** notAfter of the certificate the server at `url` presents (no verification: only its dates are read). */
export function servingCertificateEnd(url: string, servername?: string, timeoutMs = 10_000): Promise<Date | undefined> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const host = u.hostname.replace(/^\[|\]$/g, "");
    const s = connect({ host, port: Number(u.port || 443), rejectUnauthorized: false, ...(servername ?? (/^[\d.:]+$/.test(host) ? undefined : host) ? { servername: servername ?? host } : {}) }, () => {
      const c = s.getPeerCertificate();
      s.end();
      resolve(c?.valid_to ? new Date(c.valid_to) : undefined);
    });
    s.setTimeout(timeoutMs, () => { s.destroy(); resolve(undefined); });
    s.on("error", () => resolve(undefined));
  });
}

/** Where the lab's internal CA lives in the cluster (src/render/platform/cert-manager.ts). */
const INTERNAL_CA = { namespace: "cert-manager", name: "internal-ca" } as const;

type SecretObj = KubeObject & { metadata: { namespace?: string; name?: string }; type?: string; data?: Record<string, string> };

const b64 = (s: string | undefined) => (s === undefined ? undefined : Buffer.from(s, "base64").toString("utf8"));

export async function liveLifetimes(client: Client, now: Date = new Date()): Promise<Lifetime[]> {
  const out: Lifetime[] = [];
  const a = client.access;
  const serving = await servingCertificateEnd(a.server, a.tlsServerName);
  if (serving) out.push(lifetime("Kubernetes API server serving certificate", a.server, serving, now, "Talos and k3s renew it on restart before it ends (the CA: drover keys rotate kubernetes-ca)"));
  if (a.clientCert) {
    try {
      out.push(lifetime("kubeconfig client certificate", a.source, new Date(new X509Certificate(a.clientCert).validTo), now, "get a new kubeconfig (Talos: talosctl kubeconfig; k3s: /etc/rancher/k3s/k3s.yaml)"));
    } catch {
      /* not a certificate we can read: nothing to say */
    }
  }
  const tokens = (await client.list<SecretObj>("v1", "Secret", { namespace: "kube-system", fieldSelector: "type=bootstrap.kubernetes.io/token" })).items;
  for (const t of tokens) {
    const exp = b64(t.data?.expiration);
    const end = exp ? new Date(exp) : undefined;
    out.push(lifetime(`join (bootstrap) token ${b64(t.data?.["token-id"]) ?? t.metadata.name}`, `Secret kube-system/${t.metadata.name}`, end && !Number.isNaN(end.getTime()) ? end : undefined, now, "drover keys rotate join-token (or kubeadm/k3s token create)"));
  }
  const tls = (await client.list<SecretObj>("v1", "Secret", { fieldSelector: "type=kubernetes.io/tls" })).items;
  for (const s of tls) {
    const crt = b64(s.data?.["tls.crt"]);
    const end = crt ? certificateEnd(crt) : undefined;
    if (!end) continue;
    let ca = false;
    try { ca = new X509Certificate(crt!).ca; } catch { /* unreadable: counted as a leaf */ }
    const internal = ca && s.metadata.namespace === INTERNAL_CA.namespace && s.metadata.name === INTERNAL_CA.name;
    out.push(lifetime(ca ? "CA certificate" : "TLS certificate", `Secret ${s.metadata.namespace}/${s.metadata.name}`, end, now, internal ? "the lab's internal CA: drover keys rotate internal-ca, render, let Flux (or drover apply) put it here; devices trust the new CA (drover ca export)" : ca ? "a new CA key pair in this Secret, then re-issue what it signed (cert-manager: delete the Secret of a selfSigned CA Certificate to re-issue it)" : "cert-manager renews it before it ends (check the Certificate's status if it does not)"));
  }
  return out.sort((x, y) => (x.notAfter ?? "~").localeCompare(y.notAfter ?? "~"));
}
