// One-replica Deployments of the platform's own small servers (Authelia, oauth2-proxy, restic's REST
// server): replaced, never rolled (they hold a file or a share), and fit for the "restricted" Pod
// Security level: non-root, no privilege escalation, read-only root, every capability dropped.
import { meta, type Obj } from "../flux/layout.js";

const CONTAINER_SECURITY = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } };

/** The pod security context for a uid (fsGroup only where the volumes honour it: not on NFS). */
export const runAs = (uid: number, opts: { fsGroup?: boolean } = {}): Obj => ({
  runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, ...(opts.fsGroup ? { fsGroup: uid } : {}), seccompProfile: { type: "RuntimeDefault" },
});

export function singleDeployment(name: string, namespace: string, labels: Record<string, string>, securityContext: Obj, container: Obj, volumes: Obj[]): Obj {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta(name, namespace, labels),
    spec: {
      replicas: 1,
      strategy: { type: "Recreate" },
      selector: { matchLabels: { "app.kubernetes.io/instance": name } },
      template: { metadata: { labels }, spec: { securityContext, containers: [{ ...container, securityContext: CONTAINER_SECURITY }], volumes } },
    },
  };
}
