// The talosconfig: how talosctl reaches the cluster as os:admin. Its client certificate is issued by
// the lab's OS CA (Ed25519, as Talos does) with a key derived from the CA key, and valid as long as the
// CA — so the same secrets always give the same file: no clock, no randomness.
import { createHash, hkdfSync, X509Certificate } from "node:crypto";
import type { Lab } from "../../lab/types.js";
import type { TalosSecrets } from "../../secrets/types.js";
import { buildCertificate, ed25519FromSeed, pem, privateKeyPem, readPrivateKey } from "../../secrets/x509/certificate.js";
import { toYaml } from "../tree.js";

export interface AdminCredentials {
  readonly crt: string;
  readonly key: string;
}

export function adminCredentials(t: TalosSecrets): AdminCredentials {
  let caKey;
  try {
    caKey = readPrivateKey(t.certs.os.key);
    new X509Certificate(t.certs.os.crt);
  } catch (e) {
    throw new Error(`the Talos OS CA in the secrets store is not a readable certificate and key (${(e as Error).message}); a test stand-in bundle? use generateTalosSecrets`);
  }
  const caDer = caKey.export({ format: "der", type: "pkcs8" });
  const seed = Buffer.from(hkdfSync("sha256", caDer, Buffer.alloc(0), "drover talosconfig os:admin key", 32));
  const key = ed25519FromSeed(seed);
  const ca = new X509Certificate(t.certs.os.crt);
  const serial = createHash("sha256").update(seed).update("serial").digest().subarray(0, 16);
  serial[0] = (serial[0]! & 0x7f) || 1;
  const der = buildCertificate(
    {
      subject: { organization: ["os:admin"] },
      serial,
      notBefore: new Date(ca.validFrom),
      notAfter: new Date(ca.validTo),
      ca: false,
      keyUsage: ["digitalSignature"],
      extKeyUsage: ["clientAuth"],
    },
    key,
    { name: { organization: ["talos"] }, key: caKey },
  );
  return { crt: pem("CERTIFICATE", der), key: privateKeyPem(key) };
}

/** The talosconfig text: one context named after the lab, endpoints the control planes, nodes all nodes. */
export function talosconfig(lab: Lab, t: TalosSecrets): string {
  const admin = adminCredentials(t);
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  return toYaml({
    context: lab.name,
    contexts: {
      [lab.name]: {
        endpoints: lab.controlPlanes().map((n) => n.address),
        nodes: lab.nodes.map((n) => n.address),
        // during an OS CA rotation nodes may still present certificates of the previous CA
        ca: b64([t.certs.os.crt, ...(t.acceptedOsCas ?? [])].map((c) => c.trimEnd() + "\n").join("")),
        crt: b64(admin.crt),
        key: b64(admin.key),
      },
    },
  });
}
