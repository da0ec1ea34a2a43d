// Every piece of secret material Drover generates for a lab. Created once, kept in the
// SOPS-encrypted secrets store, reused on every render (so renders are deterministic).
// PEM strings are plain PEM text (renderers base64-encode where a format wants it).

import type { SshKeyPair } from "./ssh.js";

export interface CertAndKey {
  readonly crt: string; // PEM certificate
  readonly key: string; // PEM private key
}

export interface TalosSecrets {
  readonly clusterId: string; // base64 of 32 random bytes
  readonly clusterSecret: string; // base64 of 32 random bytes
  readonly bootstrapToken: string; // "[a-z0-9]{6}.[a-z0-9]{16}"
  readonly secretboxEncryptionSecret: string; // base64 of 32 random bytes
  readonly trustdToken: string; // "[a-z0-9]{6}.[a-z0-9]{16}"
  readonly certs: {
    readonly etcd: CertAndKey; // ECDSA P-256 CA
    readonly k8s: CertAndKey; // ECDSA P-256 CA
    readonly k8sAggregator: CertAndKey; // ECDSA P-256 CA
    readonly k8sServiceAccount: { readonly key: string }; // ECDSA P-256 key
    readonly os: CertAndKey; // Ed25519 CA
  };
  /** OS CA rotation, phase 1 (`drover keys rotate talos-ca`): the next CA, accepted by every node (machine.acceptedCAs) before it is used */
  readonly nextOsCa?: CertAndKey;
  /** OS CA rotation, phase 2: previous OS CA certificates (PEM) still accepted by the nodes and trusted by the talosconfig */
  readonly acceptedOsCas?: readonly string[];
  /** Kubernetes CA rotation, phase 1 (`drover keys rotate kubernetes-ca`): the next CA, accepted by every node (cluster.acceptedCAs) before it issues */
  readonly nextK8sCa?: CertAndKey;
  /** Kubernetes CA rotation, phase 2: previous Kubernetes CA certificates (PEM) still accepted */
  readonly acceptedK8sCas?: readonly string[];
}

/**
 * k3s's own CAs, as `k3s certificate rotate-ca` takes them from a staging folder (k3s makes its CAs
 * itself on the first server; Drover holds them only from a rotation on).
 */
export interface K3sCaBundle {
  readonly serverCa: CertAndKey;
  readonly clientCa: CertAndKey;
  readonly requestHeaderCa: CertAndKey;
  readonly etcdPeerCa: CertAndKey;
  readonly etcdServerCa: CertAndKey;
  /** the service-account signing key (PKCS#1 RSA PEM, as k3s writes service.key) */
  readonly serviceKey: string;
}

export interface WireguardKeyPair {
  readonly privateKey: string; // base64, 32 bytes
  readonly publicKey: string; // base64, 32 bytes
}

/** first peer → second peer → preshared key (base64), names in order (a < b) */
export type PresharedKeys = Readonly<Record<string, Readonly<Record<string, string>>>>;

export interface LabSecrets {
  readonly version: 1;
  readonly talos: TalosSecrets;
  readonly k3s: {
    readonly token: string;
    /** `drover keys rotate kubernetes-ca` phase 1: the CAs rendered into the first server's rotate-ca staging folder */
    readonly nextCa?: K3sCaBundle;
    /** the CAs k3s runs with since the last completed rotation (absent: the ones k3s made itself) */
    readonly ca?: K3sCaBundle;
  };
  /** peer name ("node/<name>" or "seat/<name>") → key pair */
  readonly wireguard: Readonly<Record<string, WireguardKeyPair>>;
  /** preshared key per peer pair, base64: [a][b] with a < b (see preshared-keys.ts) */
  readonly wireguardPresharedKeys: PresharedKeys;
  /** app instance name → secret name → value (passwords, OIDC client secrets…) */
  readonly apps: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * The lab's identity (a random UUID, made once): `drover apply` records it with the cluster name in
   * the cluster's inventory and refuses a cluster whose inventory names another lab. Absent only in
   * stores written before it existed (the next load adds it) and in hand-made fixtures.
   */
  readonly labUid?: string;
  /**
   * SSH keys (OpenSSH files, see ssh.ts): `admin`, authorized by the k3s seeds for `drover up`; `deploy`,
   * the read-only deploy key Flux pulls the Git repository with. Absent in stores written before them
   * (the next load adds them) and in hand-made fixtures.
   */
  readonly ssh?: { readonly admin: SshKeyPair; readonly deploy: SshKeyPair };
  /**
   * The internal CA (internal-ca.ts): signs the private domain's certificates through cert-manager's
   * `internal-ca` ClusterIssuer; made once so devices trust it once. Absent in stores written before it
   * (the next load adds it) and in hand-made fixtures.
   */
  readonly internalCa?: CertAndKey;
  /** the key SOPS-encrypted rendered manifests use (see src/secrets/manifest.ts); absent in hand-made fixtures */
  readonly manifestKey?: ManifestKey;
}

/**
 * One long-lived SOPS data key for rendered manifests, so that rendering is deterministic: the key is
 * wrapped for the recipients once (re-wrapped only when they change), IVs are derived from it, and
 * `lastmodified` is fixed.
 */
export interface ManifestKey {
  /** base64 of the 32-byte AES-256 data key */
  readonly dataKey: string;
  /** RFC 3339 time written as `lastmodified` (when the key was made) */
  readonly lastModified: string;
  /** the data key as an armored age file per recipient, in recipient order */
  readonly age: readonly { readonly recipient: string; readonly enc: string }[];
}

/** The preshared-key map key for a pair of peers. */
export { pairKey } from "../lab/mesh.js";
