// How long each credential Drover keeps stays valid, from the secrets store alone (`drover check`):
// the Talos CAs (etcd, Kubernetes, front-proxy aggregator, OS — and the OS CA being rolled in or out
// by `keys rotate talos-ca`) and the talosconfig's os:admin certificate, which Drover issues with the
// OS CA's validity; the lab's internal CA (the private domain's certificates). The Talos bootstrap and trustd tokens and the k3s token carry no expiry. The live
// ones (the API server's serving certificate, bootstrap-token Secrets, TLS Secrets such as the
// internal CA's) are read by cluster/lifetimes.ts. A credential warns within WARN_DAYS of its end.
import { X509Certificate } from "node:crypto";
import type { Lab } from "../lab/types.js";
import type { DistributionName } from "../distributions/index.js";
import type { LabSecrets } from "./types.js";

export const WARN_DAYS = 30;
const DAY = 86_400_000;

export interface Lifetime {
  /** what it is, in words: "Talos Kubernetes CA" */
  readonly what: string;
  /** where it is: "secrets store talos.certs.k8s", "Secret kube-system/bootstrap-token-abcdef" */
  readonly where: string;
  /** RFC 3339, UTC; undefined: does not expire */
  readonly notAfter: string | undefined;
  /** whole days left (negative: expired that many days ago) */
  readonly daysLeft: number | undefined;
  readonly state: "ok" | "expiring" | "expired" | "no-expiry";
  /** what to do about it */
  readonly renew: string;
}

export function lifetime(what: string, where: string, notAfter: Date | undefined, now: Date, renew: string): Lifetime {
  if (!notAfter) return { what, where, notAfter: undefined, daysLeft: undefined, state: "no-expiry", renew };
  const left = notAfter.getTime() - now.getTime();
  const daysLeft = Math.floor(left / DAY);
  const state = left <= 0 ? "expired" : left <= WARN_DAYS * DAY ? "expiring" : "ok";
  return { what, where, notAfter: notAfter.toISOString().replace(/\.000Z$/, "Z"), daysLeft, state, renew };
}

/** notAfter of the first certificate of a PEM text, or undefined when it is not one. */
export function certificateEnd(pemText: string): Date | undefined {
  try {
    return new Date(new X509Certificate(pemText).validTo);
  } catch {
    return undefined;
  }
}

type Add = (what: string, where: string, pem: string | undefined, renew: string) => void;

/**
 * What each distribution keeps in the secrets store, found by name: Talos's CAs are made by Drover and
 * live in the store; k3s makes its own, known to the store only from a rotation on.
 */
const DISTRIBUTION_LIFETIMES: Readonly<Record<DistributionName, (secrets: LabSecrets, add: Add) => void>> = {
  talos: (secrets, add) => {
    const t = secrets.talos;
    const ca = (what: string, key: string, pem: string, renew: string) => add(what, `secrets store talos.${key}`, pem, renew);
    ca("Talos OS CA (the Talos API)", "certs.os", t.certs.os.crt, "drover keys rotate talos-ca (three runs, each followed by the printed talosctl apply-config)");
    ca("talosconfig os:admin client certificate", "certs.os (issued by drover render)", t.certs.os.crt, "renewed with the OS CA: drover keys rotate talos-ca");
    ca("Kubernetes CA", "certs.k8s", t.certs.k8s.crt, "drover keys rotate kubernetes-ca (three runs, each followed by the printed talosctl steps)");
    ca("Kubernetes front-proxy (aggregator) CA", "certs.k8sAggregator", t.certs.k8sAggregator.crt, "no rotate-ca covers it (talosctl rotates only the API server's issuing CA): a new cluster.aggregatorCA applied to the control planes");
    ca("etcd CA", "certs.etcd", t.certs.etcd.crt, "Talos has no online etcd CA rotation: plan a rebuild before it ends");
    if (t.nextOsCa) ca("Talos OS CA being rolled in", "nextOsCa", t.nextOsCa.crt, "finish drover keys rotate talos-ca");
    (t.acceptedOsCas ?? []).forEach((p, i) => ca("previous Talos OS CA, still accepted", `acceptedOsCas[${i}]`, p, "finish drover keys rotate talos-ca"));
    if (t.nextK8sCa) ca("Kubernetes CA being rolled in", "nextK8sCa", t.nextK8sCa.crt, "finish drover keys rotate kubernetes-ca");
    (t.acceptedK8sCas ?? []).forEach((p, i) => ca("previous Kubernetes CA, still accepted", `acceptedK8sCas[${i}]`, p, "finish drover keys rotate kubernetes-ca"));
    add("Talos bootstrap and trustd tokens", "secrets store talos.bootstrapToken, talos.trustdToken", undefined, "drover keys rotate join-token");
  },
  k3s: (secrets, add) => {
    add("k3s token", "secrets store k3s.token", undefined, "drover keys rotate join-token");
    // k3s's CAs are known to the store only from a rotation on (k3s makes the first ones itself)
    if (secrets.k3s.ca) add("k3s server CA", "secrets store k3s.ca.serverCa", secrets.k3s.ca.serverCa.crt, "drover keys rotate kubernetes-ca");
    if (secrets.k3s.nextCa) add("k3s server CA being rolled in", "secrets store k3s.nextCa.serverCa", secrets.k3s.nextCa.serverCa.crt, "finish drover keys rotate kubernetes-ca");
  },
};

/** The lifetimes the secrets store can tell, soonest end first. */
export function storeLifetimes(lab: Lab, secrets: LabSecrets, now: Date = new Date()): Lifetime[] {
  const out: Lifetime[] = [];
  DISTRIBUTION_LIFETIMES[lab.distribution](secrets, (what, where, pem, renew) => out.push(lifetime(what, where, pem === undefined ? undefined : certificateEnd(pem), now, renew)));
  if (secrets.internalCa) {
    out.push(lifetime("internal CA (the private domain's certificates, trusted by devices)", "secrets store internalCa", certificateEnd(secrets.internalCa.crt), now, "drover keys rotate internal-ca, then every device trusts the new CA (drover ca export)"));
  }
  return out.sort((a, b) => (a.notAfter ?? "~").localeCompare(b.notAfter ?? "~"));
}

/** One line per credential that needs attention (expiring or expired), with the exact date. */
export function lifetimeWarnings(ls: readonly Lifetime[]): string[] {
  return ls
    .filter((l) => l.state === "expiring" || l.state === "expired")
    .map((l) => `${l.what} (${l.where}) ${l.state === "expired" ? `expired on ${l.notAfter} (${-l.daysLeft!} days ago)` : `expires on ${l.notAfter} (in ${l.daysLeft} days)`}: ${l.renew}`);
}
