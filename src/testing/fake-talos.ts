// A stand-in Talos bundle for tests that must not depend on the real generator (branch talos).
import { randomBytes } from "node:crypto";
import type { TalosSecrets } from "../secrets/types.js";

export function fakeTalosSecrets(): TalosSecrets {
  const b = () => randomBytes(32).toString("base64");
  const pem = (what: string) => `-----BEGIN ${what}-----\n${randomBytes(48).toString("base64")}\n-----END ${what}-----\n`;
  const ca = () => ({ crt: pem("CERTIFICATE"), key: pem("EC PRIVATE KEY") });
  const tok = () => `${randomBytes(3).toString("hex")}.${randomBytes(8).toString("hex")}`;
  return {
    clusterId: b(), clusterSecret: b(), bootstrapToken: tok(), secretboxEncryptionSecret: b(), trustdToken: tok(),
    certs: { etcd: ca(), k8s: ca(), k8sAggregator: ca(), k8sServiceAccount: { key: pem("EC PRIVATE KEY") }, os: ca() },
  };
}
