// The lab's S3 store: SeaweedFS. MinIO's community images are frozen, so a maintained server is needed;
// SeaweedFS is Apache-2.0, actively released, runs on amd64 and arm64 in a few hundred MB, and speaks
// S3 with per-identity keys and bucket creation from its chart. Only rendered when the spec asks for an
// in-lab store (storage.objectStore without an external endpoint).
import type { Lab } from "../../lab/types.js";
import { helmRelease, secret, type Component, type Obj } from "../flux/layout.js";
import { NAMESPACES } from "./contract.js";
import type { SecretSource } from "./secrets.js";

const NS = NAMESPACES.objectStore;
export const S3_CONFIG_SECRET = "seaweedfs-s3-config";

export function objectStoreEndpoint(lab: Lab): string | undefined {
  const o = lab.storage.objectStore;
  if (!o) return undefined;
  return o.endpoint ?? `http://seaweedfs-s3.${NS}.svc.cluster.local:8333`;
}

export function seaweedfsValues(lab: Lab): Obj {
  const o = lab.storage.objectStore!;
  const sc = o.storageClass ?? lab.defaultStorageClass ?? "";
  const pvc = (size: string): Obj => ({ type: "persistentVolumeClaim", size, storageClass: sc });
  return {
    master: { replicas: 1, data: pvc("1Gi"), logs: { type: "emptyDir" } },
    volume: { replicas: 1, dataDirs: [{ name: "data", ...pvc(o.size), maxVolumes: 0 }] },
    filer: {
      replicas: 1,
      data: pvc("5Gi"),
      logs: { type: "emptyDir" },
      s3: { enabled: true, enableAuth: true, existingConfigSecret: S3_CONFIG_SECRET, createBuckets: o.buckets.map((b) => ({ name: b, anonymousRead: false })) },
    },
  };
}

/** The in-lab store's admin keys (generated once, kept in the secrets store). */
export function s3AdminKeys(s: SecretSource): { accessKey: string; secretKey: string } {
  return { accessKey: s.generated("s3-admin-access-key", "hex").slice(0, 20), secretKey: s.generated("s3-admin-secret-key", "hex") };
}

export function objectStore(lab: Lab, s: SecretSource, deps: readonly string[]): Component | undefined {
  const o = lab.storage.objectStore;
  if (!o || o.endpoint) return undefined;
  const config = {
    identities: [{
      name: "admin",
      credentials: [s3AdminKeys(s)],
      actions: ["Admin", "Read", "List", "Tagging", "Write"],
    }],
  };
  return {
    name: "object-store",
    namespace: NS,
    podSecurity: "baseline",
    dependsOn: deps,
    objects: [helmRelease("seaweedfs", NS, lab.versions.charts["seaweedfs"], seaweedfsValues(lab))],
    secrets: [secret(S3_CONFIG_SECRET, NS, { seaweedfs_s3_config: JSON.stringify(config) })],
    charts: ["seaweedfs"],
  };
}
