// Security contexts: non-root where the image allows it, no privilege escalation, every capability
// dropped and only the catalog's declared ones added back, the runtime's seccomp profile; a privileged
// container only for a declared device (a serial port needs the device cgroup rule that only
// privileged grants without a device plugin).

export interface SecurityInput {
  readonly runAsUser?: number;
  readonly fsGroup?: number;
  readonly capabilities?: readonly string[];
  /** a declared host device is mounted */
  readonly device?: boolean;
}

export function podSecurityContext(s: SecurityInput): Record<string, unknown> {
  if (s.runAsUser !== undefined) {
    return { runAsNonRoot: true, runAsUser: s.runAsUser, runAsGroup: s.runAsUser, fsGroup: s.fsGroup ?? s.runAsUser, fsGroupChangePolicy: "OnRootMismatch", seccompProfile: { type: "RuntimeDefault" } };
  }
  return { seccompProfile: { type: "RuntimeDefault" } };
}

export function containerSecurityContext(s: SecurityInput): Record<string, unknown> {
  if (s.device) return { privileged: true };
  const caps = [...(s.capabilities ?? [])].sort();
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"], ...(caps.length ? { add: caps } : {}) },
    ...(s.runAsUser !== undefined ? { runAsNonRoot: true } : {}),
  };
}
