// SSO at the ingress. Authelia (identity.provider: authelia): users and groups from the spec, one
// access rule per gated route (its allowed groups, one or two factors), deny by default; passwords are
// generated into the secrets store and only their PBKDF2 hashes are rendered. Keycloak: oauth2-proxy
// in front of the Keycloak app's realm (the gate checks the session; Keycloak holds users and groups).
import { createHmac, pbkdf2Sync } from "node:crypto";
import type { Lab } from "../../lab/types.js";
import { imageRef } from "../../versions/defaults.js";
import { appRoutes } from "../apps/route.js";
import { toYaml } from "../tree.js";
import { meta, secret, type Component, type Obj } from "../flux/layout.js";
import { authHost, CLUSTER_ISSUER, INGRESS_CLASS, NAMESPACES, publicDnsTarget, type Entry } from "./contract.js";
import type { SecretSource } from "./secrets.js";
import { runAs, singleDeployment } from "./deployment.js";

const NS = NAMESPACES.identity;
const PBKDF2_ITERATIONS = 310000;

/** Passlib's adapted base64 (Authelia's crypt format): '.' for '+', no padding. */
const ab64 = (b: Buffer): string => b.toString("base64").replace(/\+/g, ".").replace(/=+$/, "");

/** The salt of a user's hash: derived from the password and user, so re-rendering is byte-identical. */
const autheliaSalt = (user: string, password: string): Buffer => createHmac("sha256", password).update(`drover authelia salt ${user}`).digest().subarray(0, 16);

/** A PBKDF2-SHA512 password hash in Authelia's format (310,000 iterations: about 0.2 s, deliberately). */
export function autheliaPasswordHash(user: string, password: string): string {
  const salt = autheliaSalt(user, password);
  const hash = pbkdf2Sync(password, salt, PBKDF2_ITERATIONS, 64, "sha512");
  return `$pbkdf2-sha512$${PBKDF2_ITERATIONS}$${ab64(salt)}$${ab64(hash)}`;
}

/** A stored hash no longer fits when the password (hence the salt) or the iteration count changed. */
const staleHash = (user: string, password: string) => (have: string): boolean => {
  const [, scheme, iterations, salt] = have.split("$");
  return scheme !== "pbkdf2-sha512" || iterations !== String(PBKDF2_ITERATIONS) || salt !== ab64(autheliaSalt(user, password));
};

export function accessRules(lab: Lab): Obj[] {
  const rules: Obj[] = [{ domain: [...new Set([authHost(lab), authHost(lab, "public")])], policy: "bypass" }];
  for (const r of appRoutes(lab)) {
    if (!r.gated) continue;
    rules.push({
      domain: [r.hostname],
      policy: r.twoFactor ? "two_factor" : "one_factor",
      ...(r.groups.length ? { subject: r.groups.map((g) => [`group:${g}`]) } : {}),
    });
  }
  return rules;
}

export function autheliaConfiguration(lab: Lab): Obj {
  const cookies: Obj[] = [{ domain: lab.domains.private, authelia_url: `https://${authHost(lab)}` }];
  if (lab.domains.public) cookies.push({ domain: lab.domains.public, authelia_url: `https://${authHost(lab, "public")}` });
  return {
    server: { address: "tcp://0.0.0.0:9091/", endpoints: { authz: { "auth-request": { implementation: "AuthRequest" }, "ext-authz": { implementation: "ExtAuthz" } } } },
    log: { level: "info" },
    theme: "auto",
    totp: { issuer: lab.domains.private },
    authentication_backend: {
      password_reset: { disable: true },
      file: { path: "/secrets/users_database.yml", watch: false, password: { algorithm: "pbkdf2", pbkdf2: { variant: "sha512", iterations: PBKDF2_ITERATIONS } } },
    },
    access_control: { default_policy: "deny", rules: accessRules(lab) },
    session: { name: "drover_session", expiration: "12h", inactivity: "2h", remember_me: "30d", cookies },
    regulation: { max_retries: 5, find_time: "5m", ban_time: "30m" },
    storage: { local: { path: "/data/db.sqlite3" } },
    notifier: { disable_startup_check: true, filesystem: { filename: "/data/notifications.txt" } },
  };
}

export function usersDatabase(lab: Lab, s: SecretSource): Obj {
  const users: Obj = {};
  for (const u of [...lab.identity.users].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const password = s.generated(`user-${u.name}-password`);
    // computed once and kept in the store beside the password (remade when the password changes)
    const hash = s.derived(`user-${u.name}-password-pbkdf2`, () => autheliaPasswordHash(u.name, password), staleHash(u.name, password));
    users[u.name] = { disabled: false, displayname: u.displayName ?? u.name, password: hash, email: u.email, groups: [...u.groups] };
  }
  return { users };
}

function portalIngress(lab: Lab, name: string, entry: Entry, host: string, port: string, path = "/"): Obj {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: meta(name, NS, undefined, { "cert-manager.io/cluster-issuer": CLUSTER_ISSUER[entry], ...publicDnsTarget(lab, entry) }),
    spec: {
      ingressClassName: INGRESS_CLASS[entry],
      tls: [{ hosts: [host], secretName: `${name}-tls` }],
      rules: [{ host, http: { paths: [{ path, pathType: "Prefix", backend: { service: { name: port === "authelia" ? "authelia" : "oauth2-proxy", port: { name: "http" } } } }] } }],
    },
  };
}

const deployment = (name: string, labels: Record<string, string>, container: Obj, volumes: Obj[]): Obj =>
  singleDeployment(name, NS, labels, runAs(65532, { fsGroup: true }), container, volumes);

function authelia(lab: Lab, s: SecretSource): { objects: Obj[]; secrets: Obj[] } {
  const labels = { "app.kubernetes.io/name": "authelia", "app.kubernetes.io/instance": "authelia" };
  const env = (v: string, file: string): Obj => ({ name: v, value: `/secrets/${file}` });
  const objects: Obj[] = [
    { apiVersion: "v1", kind: "ConfigMap", metadata: meta("authelia", NS, labels), data: { "configuration.yml": toYaml(autheliaConfiguration(lab)) } },
    {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: meta("authelia-data", NS, labels),
      spec: { accessModes: ["ReadWriteOnce"], ...(lab.defaultStorageClass ? { storageClassName: lab.defaultStorageClass } : {}), resources: { requests: { storage: "1Gi" } } },
    },
    deployment("authelia", labels, {
      name: "authelia",
      image: imageRef(lab.versions.images.authelia),
      args: ["--config", "/config/configuration.yml"],
      env: [
        env("AUTHELIA_IDENTITY_VALIDATION_RESET_PASSWORD_JWT_SECRET_FILE", "jwt-secret"),
        env("AUTHELIA_SESSION_SECRET_FILE", "session-secret"),
        env("AUTHELIA_STORAGE_ENCRYPTION_KEY_FILE", "storage-encryption-key"),
        { name: "X_AUTHELIA_CONFIG_FILTERS", value: "" },
      ],
      ports: [{ name: "http", containerPort: 9091, protocol: "TCP" }],
      readinessProbe: { httpGet: { path: "/api/health", port: "http" } },
      livenessProbe: { httpGet: { path: "/api/health", port: "http" }, periodSeconds: 30 },
      resources: { requests: { cpu: "25m", memory: "64Mi" }, limits: { memory: "256Mi" } },
      volumeMounts: [{ name: "config", mountPath: "/config", readOnly: true }, { name: "secrets", mountPath: "/secrets", readOnly: true }, { name: "data", mountPath: "/data" }],
    }, [
      { name: "config", configMap: { name: "authelia" } },
      { name: "secrets", secret: { secretName: "authelia" } },
      { name: "data", persistentVolumeClaim: { claimName: "authelia-data" } },
    ]),
    { apiVersion: "v1", kind: "Service", metadata: meta("authelia", NS, labels), spec: { selector: { "app.kubernetes.io/instance": "authelia" }, ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }] } },
    portalIngress(lab, "authelia", "private", authHost(lab), "authelia"),
  ];
  if (lab.domains.public) objects.push(portalIngress(lab, "authelia-public", "public", authHost(lab, "public"), "authelia"));
  const secrets = [secret("authelia", NS, {
    "jwt-secret": s.generated("authelia-jwt-secret", "hex"),
    "session-secret": s.generated("authelia-session-secret", "hex"),
    "storage-encryption-key": s.generated("authelia-storage-encryption-key", "hex"),
    "users_database.yml": toYaml(usersDatabase(lab, s)),
  }, labels)];
  return { objects, secrets };
}

function oauth2Proxy(lab: Lab, s: SecretSource): { objects: Obj[]; secrets: Obj[] } {
  const labels = { "app.kubernetes.io/name": "oauth2-proxy", "app.kubernetes.io/instance": "oauth2-proxy" };
  const kc = lab.apps.find((a) => a.catalog.name === "keycloak");
  const issuer = kc?.exposure.url ? `${kc.exposure.url}/realms/${lab.name}` : `https://keycloak.${lab.domains.private}/realms/${lab.name}`;
  const domains = [lab.domains.private, ...(lab.domains.public ? [lab.domains.public] : [])];
  const objects: Obj[] = [
    deployment("oauth2-proxy", labels, {
      name: "oauth2-proxy",
      image: imageRef(lab.versions.images["oauth2-proxy"]),
      args: [
        "--provider=keycloak-oidc",
        `--oidc-issuer-url=${issuer}`,
        "--client-id=drover-gate",
        "--email-domain=*",
        "--reverse-proxy=true",
        "--set-xauthrequest=true",
        "--upstream=static://202",
        "--http-address=0.0.0.0:4180",
        "--skip-provider-button=true",
        ...domains.map((d) => `--cookie-domain=.${d}`),
        ...domains.map((d) => `--whitelist-domain=.${d}`),
      ],
      env: [
        { name: "OAUTH2_PROXY_CLIENT_SECRET", valueFrom: { secretKeyRef: { name: "oauth2-proxy", key: "client-secret" } } },
        { name: "OAUTH2_PROXY_COOKIE_SECRET", valueFrom: { secretKeyRef: { name: "oauth2-proxy", key: "cookie-secret" } } },
      ],
      ports: [{ name: "http", containerPort: 4180, protocol: "TCP" }],
      readinessProbe: { httpGet: { path: "/ready", port: "http" } },
      resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
    }, []),
    { apiVersion: "v1", kind: "Service", metadata: meta("oauth2-proxy", NS, labels), spec: { selector: { "app.kubernetes.io/instance": "oauth2-proxy" }, ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }] } },
    portalIngress(lab, "oauth2-proxy", "private", authHost(lab), "oauth2-proxy", "/oauth2"),
  ];
  // cookie secret: 32 bytes, base64 (oauth2-proxy wants 16, 24 or 32 bytes)
  const secrets = [secret("oauth2-proxy", NS, { "client-secret": s.generated("keycloak-gate-client-secret"), "cookie-secret": s.generated("oauth2-proxy-cookie-secret", "password") }, labels)];
  return { objects, secrets };
}

export function identity(lab: Lab, s: SecretSource, deps: readonly string[]): Component | undefined {
  if (lab.identity.provider === "none") return undefined;
  const r = lab.identity.provider === "authelia" ? authelia(lab, s) : oauth2Proxy(lab, s);
  const gated = [...new Set(appRoutes(lab).filter((x) => x.gated).map((x) => x.namespace))].sort();
  // Gateway API: the apps' SecurityPolicies (contract.gatewayForwardAuth) reach the gate across namespaces
  const config: Obj[] = lab.ingress.controller === "gateway-api" && gated.length
    ? [{
        apiVersion: "gateway.networking.k8s.io/v1beta1",
        kind: "ReferenceGrant",
        metadata: meta("sso-gate", NS),
        spec: {
          from: gated.map((ns) => ({ group: "gateway.envoyproxy.io", kind: "SecurityPolicy", namespace: ns })),
          to: [{ group: "", kind: "Service", name: lab.identity.provider === "authelia" ? "authelia" : "oauth2-proxy" }],
        },
      }]
    : [];
  return { name: "identity", namespace: NS, podSecurity: "restricted", dependsOn: deps, objects: r.objects, secrets: r.secrets, config, charts: [] };
}
