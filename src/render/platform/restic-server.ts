// Backups to a NAS share. VolSync's restic mover reaches a repository only by URL (S3, REST, …), never by
// mounting a share, so each NFS backup target (the NAS most home labs have) is served to it by restic's
// own REST server: one Deployment per target in the backup namespace with the share mounted through a
// static NFS PersistentVolume, behind HTTP basic auth (one htpasswd entry; the password is generated into
// the secrets store and given to each app's restic Secret as RESTIC_REST_USERNAME / RESTIC_REST_PASSWORD).
// Repositories live on the share as <namespace>/<claim> (rest-server serves at most two folders deep).
import { createHash } from "node:crypto";
import type { Lab } from "../../lab/types.js";
import { imageRef, type Versions } from "../../versions/defaults.js";
import { meta, secret, type Obj } from "../flux/layout.js";
import { NAMESPACES } from "./contract.js";
import type { SecretSource } from "./secrets.js";
import { runAs, singleDeployment } from "./deployment.js";

type NfsTarget = Extract<Lab["backups"]["targets"][number], { type: "nfs" }>;

const NAME = "restic-server";
const NS = NAMESPACES.backup;
export const RESTIC_SERVER_USER = "volsync";
/** the uid the server writes the share as: the NAS export must let it write (map all users to it, or chown) */
export const RESTIC_SERVER_UID = 1000;
const PORT = 8000;

/** The server (Deployment, Service, volume) of an NFS target. */
export const resticServerName = (target: string): string => `${NAME}-${target}`;

/** The REST URL of a repository on a target's restic server. */
export const resticServerUrl = (target: string, path: string): string => `rest:http://${resticServerName(target)}.${NS}.svc.cluster.local:${PORT}/${path}`;

/** The htpasswd Secret every server mounts. */
export function resticServerAuth(s: SecretSource): Obj {
  return secret(`${NAME}-htpasswd`, NS, { ".htpasswd": htpasswdLine(RESTIC_SERVER_USER, resticServerPassword(s)) }, { "app.kubernetes.io/name": NAME });
}

/** The server's password (generated once, kept in the store). */
export const resticServerPassword = (s: SecretSource): string => s.generated("restic-server-password");

/** An htpasswd line in the {SHA} scheme rest-server reads (what `htpasswd -s` writes). */
export function htpasswdLine(user: string, password: string): string {
  return `${user}:{SHA}${createHash("sha1").update(password, "utf8").digest("base64")}\n`;
}

/** The objects serving an NFS target to VolSync's restic movers (the htpasswd Secret is resticServerAuth's). */
export function resticServer(target: NfsTarget, versions: Versions): Obj[] {
  const name = resticServerName(target.name);
  const labels = { "app.kubernetes.io/name": NAME, "app.kubernetes.io/instance": name };
  return [
    {
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: meta(name, undefined, labels),
      spec: {
        capacity: { storage: "1Ti" },
        accessModes: ["ReadWriteMany"],
        persistentVolumeReclaimPolicy: "Retain",
        storageClassName: "",
        claimRef: { namespace: NS, name },
        nfs: { server: target.server, path: target.path },
      },
    },
    {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: meta(name, NS, labels),
      spec: { accessModes: ["ReadWriteMany"], storageClassName: "", volumeName: name, resources: { requests: { storage: "1Ti" } } },
    },
    // one writer on the share at a time (Recreate); no fsGroup: NFS ignores it
    singleDeployment(name, NS, labels, runAs(RESTIC_SERVER_UID), {
      name: "rest-server",
      image: imageRef(versions.images["restic-rest-server"]),
      command: ["/usr/bin/rest-server"],
      args: ["--path", "/data", "--htpasswd-file", "/auth/.htpasswd", "--listen", `:${PORT}`, "--prometheus", "--prometheus-no-auth"],
      ports: [{ name: "http", containerPort: PORT, protocol: "TCP" }],
      readinessProbe: { tcpSocket: { port: "http" } },
      resources: { requests: { cpu: "25m", memory: "64Mi" }, limits: { memory: "512Mi" } },
      volumeMounts: [{ name: "data", mountPath: "/data" }, { name: "auth", mountPath: "/auth", readOnly: true }],
    }, [{ name: "data", persistentVolumeClaim: { claimName: name } }, { name: "auth", secret: { secretName: `${NAME}-htpasswd` } }]),
    { apiVersion: "v1", kind: "Service", metadata: meta(name, NS, labels), spec: { selector: { "app.kubernetes.io/instance": name }, ports: [{ name: "http", port: PORT, targetPort: "http", protocol: "TCP" }] } },
  ];
}
