// Alerts to the lab's Apprise URLs: Alertmanager posts to a small relay (a Python script run by the
// Apprise image, which ships the apprise library) that turns each webhook into one Apprise notification
// per group. The URLs (secret parts resolved from the store) are a SOPS-encrypted Secret.
import type { Lab } from "../../lab/types.js";
import { imageRef } from "../../versions/defaults.js";
import { meta, secret, type Obj } from "../flux/layout.js";
import { NAMESPACES } from "./contract.js";
import { substituteSecrets, type SecretSource } from "./secrets.js";

const NS = NAMESPACES.monitoring;
export const RELAY = "apprise-relay";
export const RELAY_URL = `http://${RELAY}.${NS}.svc.cluster.local:8000/alertmanager`;

export const RELAY_SCRIPT = `# Alertmanager webhook -> Apprise. Reads APPRISE_URLS (one per line), listens on :8000.
import json, os, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import apprise

URLS = [u.strip() for u in os.environ.get("APPRISE_URLS", "").splitlines() if u.strip()]

def message(payload):
    alerts = payload.get("alerts", [])
    status = payload.get("status", "firing").upper()
    labels = payload.get("commonLabels", {})
    title = "[%s:%d] %s" % (status, len(alerts), labels.get("alertname", "alerts"))
    lines = []
    for a in alerts:
        ann = a.get("annotations", {})
        text = ann.get("summary") or ann.get("description") or ann.get("message") or a.get("labels", {}).get("alertname", "")
        where = a.get("labels", {}).get("namespace") or a.get("labels", {}).get("instance") or ""
        lines.append("- %s%s" % (text, " (%s)" % where if where else ""))
    return title, "\\n".join(lines) or title

class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/healthz" else 404)
        self.end_headers()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
        try:
            title, text = message(json.loads(body or b"{}"))
        except ValueError:
            self.send_response(400)
            self.end_headers()
            return
        ap = apprise.Apprise()
        for u in URLS:
            ap.add(u)
        ok = ap.notify(title=title, body=text) if URLS else True
        self.send_response(200 if ok else 502)
        self.end_headers()

    def log_message(self, fmt, *args):
        sys.stderr.write("%s\\n" % (fmt % args))

ThreadingHTTPServer(("0.0.0.0", 8000), Handler).serve_forever()
`;

/** The Alertmanager configuration (checked with amtool check-config in the tests). */
export function alertmanagerConfig(lab: Lab): Obj {
  const notify = lab.monitoring.alerts.length > 0;
  return {
    global: { resolve_timeout: "5m" },
    route: {
      receiver: notify ? "apprise" : "null",
      group_by: ["alertname", "namespace"],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "12h",
      routes: [
        { receiver: "null", matchers: ['alertname = "Watchdog"'] },
        { receiver: "null", matchers: ['alertname = "InfoInhibitor"'] },
      ],
    },
    inhibit_rules: [
      { source_matchers: ['severity = "critical"'], target_matchers: ['severity =~ "warning|info"'], equal: ["namespace", "alertname"] },
      { source_matchers: ['severity = "warning"'], target_matchers: ['severity = "info"'], equal: ["namespace", "alertname"] },
    ],
    receivers: [{ name: "null" }, ...(notify ? [{ name: "apprise", webhook_configs: [{ url: RELAY_URL, send_resolved: true, max_alerts: 50 }] }] : [])],
  };
}

export function appriseRelay(lab: Lab, s: SecretSource): { objects: Obj[]; secrets: Obj[] } {
  if (!lab.monitoring.alerts.length) return { objects: [], secrets: [] };
  const image = lab.versions.images.apprise;
  const labels = { "app.kubernetes.io/name": RELAY, "app.kubernetes.io/instance": RELAY };
  const urls = lab.monitoring.alerts.map((u) => substituteSecrets(u, s, "a secret part of monitoring.alerts"));
  return {
    secrets: [secret(`${RELAY}-urls`, NS, { APPRISE_URLS: urls.join("\n") + "\n" }, labels)],
    objects: [
      { apiVersion: "v1", kind: "ConfigMap", metadata: meta(RELAY, NS, labels), data: { "relay.py": RELAY_SCRIPT } },
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: meta(RELAY, NS, labels),
        spec: {
          replicas: 1,
          selector: { matchLabels: { "app.kubernetes.io/instance": RELAY } },
          template: {
            metadata: { labels },
            spec: {
              securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } },
              containers: [{
                name: "relay",
                image: imageRef(image),
                command: ["python3", "/relay/relay.py"],
                envFrom: [{ secretRef: { name: `${RELAY}-urls` } }],
                ports: [{ name: "http", containerPort: 8000, protocol: "TCP" }],
                readinessProbe: { httpGet: { path: "/healthz", port: "http" } },
                resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "256Mi" } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                volumeMounts: [{ name: "relay", mountPath: "/relay", readOnly: true }, { name: "tmp", mountPath: "/tmp" }],
              }],
              volumes: [{ name: "relay", configMap: { name: RELAY } }, { name: "tmp", emptyDir: {} }],
            },
          },
        },
      },
      { apiVersion: "v1", kind: "Service", metadata: meta(RELAY, NS, labels), spec: { selector: { "app.kubernetes.io/instance": RELAY }, ports: [{ name: "http", port: 8000, targetPort: "http", protocol: "TCP" }] } },
    ],
  };
}
