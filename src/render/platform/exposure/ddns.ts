// The DDNS updater of a site whose public IPv4 changes (sites[].dynamicAddress): a CronJob in the
// external-dns namespace that every 5 minutes asks Cloudflare which address the site connects from
// (https://cloudflare.com/cdn-cgi/trace, the provider's own echo) and, when it changed, sets the A
// record of ddns-<site>.<public domain> through Cloudflare's API with the token external-dns already
// uses. The public records external-dns writes are CNAMEs to that name (src/exposure/ddns.ts), so one
// record moves and every public service follows. The script is fixed text; every lab value reaches it
// as an environment variable, and it refuses an answer that is not a public IPv4 address.
import type { Lab, Site } from "../../../lab/types.js";
import type { Obj } from "../../flux/layout.js";
import { meta } from "../../flux/layout.js";
import { imageRef } from "../../../versions/defaults.js";
import { NAMESPACES } from "../contract.js";
import type { ExposureRenderer } from "./contract.js";

const NS = NAMESPACES.externalDns;
const NOBODY = 65534;
export const DDNS_SCRIPT_CONFIGMAP = "ddns-updater";
/** how often the address is checked; the record's TTL matches */
export const DDNS_SCHEDULE = "*/5 * * * *";
export const DDNS_TTL = 300;
export const DDNS_IP_URL = "https://cloudflare.com/cdn-cgi/trace";

export const DDNS_SCRIPT = `# Drover DDNS updater: keeps one A record at this site's public IPv4 (Cloudflare).
import ipaddress, json, os, sys, urllib.parse, urllib.request

NAME, ZONE, TOKEN = os.environ["DDNS_NAME"], os.environ["DDNS_ZONE"], os.environ["CF_API_TOKEN"]
API = os.environ.get("CF_API", "https://api.cloudflare.com/client/v4")
TTL = int(os.environ.get("DDNS_TTL", "300"))


def public_ipv4():
    with urllib.request.urlopen(os.environ["DDNS_IP_URL"], timeout=20) as r:
        lines = r.read(65536).decode("ascii", "replace").splitlines()
    found = [l[3:].strip() for l in lines if l.startswith("ip=")]
    if len(found) != 1:
        sys.exit("the address echo gave no single ip= line")
    ip = ipaddress.ip_address(found[0])
    if ip.version != 4 or not ip.is_global:
        sys.exit(f"{ip} is not a public IPv4 address (behind CGNAT? use a Cloudflare Tunnel instead)")
    return str(ip)


def call(method, path, body=None):
    req = urllib.request.Request(API + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=20) as r:
        answer = json.load(r)
    if not answer.get("success"):
        sys.exit(f"Cloudflare refused {method} {path.split('?')[0]}: {answer.get('errors')}")
    return answer["result"]


def main():
    ip = public_ipv4()
    zones = call("GET", "/zones?" + urllib.parse.urlencode({"name": ZONE}))
    if len(zones) != 1:
        sys.exit(f"the token sees no zone {ZONE}")
    zone = zones[0]["id"]
    records = call("GET", f"/zones/{zone}/dns_records?" + urllib.parse.urlencode({"type": "A", "name": NAME}))
    record = {"type": "A", "name": NAME, "content": ip, "ttl": TTL, "proxied": False, "comment": "drover ddns"}
    if records and records[0]["content"] == ip:
        print(f"{NAME} is {ip}: unchanged")
    elif records:
        call("PUT", f"/zones/{zone}/dns_records/{records[0]['id']}", record)
        print(f"{NAME}: {records[0]['content']} -> {ip}")
    else:
        call("POST", f"/zones/{zone}/dns_records", record)
        print(f"{NAME}: created at {ip}")


main()
`;

/** The sites whose DDNS name the updater keeps current. */
export const ddnsSites = (lab: Lab): Site[] => lab.sites.filter((s) => s.ddnsName !== undefined);

/** The updater's objects: the script's ConfigMap and one CronJob per dynamic site (token: the public external-dns Secret). */
export function ddnsObjects(lab: Lab, tokenSecret: string): Obj[] {
  const sites = ddnsSites(lab);
  if (!sites.length || !lab.domains.public) return [];
  const labels = (site?: string) => ({ "app.kubernetes.io/name": "ddns-updater", ...(site ? { "app.kubernetes.io/instance": `ddns-${site}` } : {}), "app.kubernetes.io/managed-by": "drover" });
  const out: Obj[] = [{ apiVersion: "v1", kind: "ConfigMap", metadata: meta(DDNS_SCRIPT_CONFIGMAP, NS, labels()), data: { "ddns.py": DDNS_SCRIPT } }];
  for (const s of sites) {
    out.push({
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: meta(`ddns-${s.name}`, NS, labels(s.name)),
      spec: {
        schedule: DDNS_SCHEDULE,
        timeZone: "Etc/UTC",
        concurrencyPolicy: "Forbid",
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          spec: {
            backoffLimit: 1,
            activeDeadlineSeconds: 120,
            template: {
              metadata: { labels: labels(s.name) },
              spec: {
                restartPolicy: "Never",
                // the job must run at the site whose address it reports
                nodeSelector: { "topology.kubernetes.io/region": s.name },
                securityContext: { runAsNonRoot: true, runAsUser: NOBODY, runAsGroup: NOBODY, seccompProfile: { type: "RuntimeDefault" } },
                containers: [{
                  name: "ddns",
                  image: imageRef(lab.versions.images["ddns-updater"]),
                  imagePullPolicy: "IfNotPresent",
                  command: ["python3", "/ddns/ddns.py"],
                  env: [
                    { name: "DDNS_NAME", value: s.ddnsName! },
                    { name: "DDNS_ZONE", value: lab.domains.public },
                    { name: "DDNS_IP_URL", value: DDNS_IP_URL },
                    { name: "DDNS_TTL", value: String(DDNS_TTL) },
                    { name: "CF_API_TOKEN", valueFrom: { secretKeyRef: { name: tokenSecret, key: "api-token" } } },
                  ],
                  resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } },
                  securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                  volumeMounts: [{ name: "script", mountPath: "/ddns", readOnly: true }],
                }],
                volumes: [{ name: "script", configMap: { name: DDNS_SCRIPT_CONFIGMAP } }],
              },
            },
          },
        },
      },
    });
  }
  return out;
}

export const ddnsExposure: ExposureRenderer = { name: "ddns", externalDns: ddnsObjects };
