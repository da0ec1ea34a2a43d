// Container images for the kubelets tests without any outside registry: a one-layer OCI image holding
// one static program (the Kubernetes sources' pause, or the app stand-in), assembled here, and pushed
// over the OCI distribution API to a local registry (Debian's docker-registry on loopback) under the
// path the lab's mirror serves it at (<upstream registry>/<repository>, see kubelets.ts hostsToml).
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { copyFileSync, chmodSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface ImageSpec {
  /** the program, copied to /<name of entrypoint> in the image */
  readonly binary: string;
  readonly entrypoint: string;
  readonly env?: readonly string[];
  /** more names for the same program in the image (hard links), e.g. pg_isready for a rendered exec probe */
  readonly aliases?: readonly string[];
}

const sha = (b: Buffer | string) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** The image's layer (an uncompressed tar, reproducible: fixed owner and time), config and manifest. */
export function buildImage(spec: ImageSpec): { layer: Buffer; config: Buffer; manifest: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), "drover-image-"));
  try {
    mkdirSync(join(dir, "root"));
    const name = spec.entrypoint.replace(/^\//, "");
    copyFileSync(spec.binary, join(dir, "root", name));
    chmodSync(join(dir, "root", name), 0o755);
    for (const a of spec.aliases ?? []) linkSync(join(dir, "root", name), join(dir, "root", a));
    execFileSync("tar", ["--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0", "-C", join(dir, "root"), "-cf", join(dir, "layer.tar"), name, ...(spec.aliases ?? [])]);
    const layer = readFileSync(join(dir, "layer.tar"));
    const config = Buffer.from(JSON.stringify({
      architecture: "amd64", os: "linux",
      config: { Entrypoint: [spec.entrypoint], Env: ["PATH=/", ...(spec.env ?? [])] },
      rootfs: { type: "layers", diff_ids: [sha(layer)] },
    }));
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: sha(config), size: config.length },
      layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: sha(layer), size: layer.length }],
    }));
    return { layer, config, manifest };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Pushes an image to `registry` (http://host:port) as repository:tag. */
export async function pushImage(registry: string, repository: string, tag: string, image: { layer: Buffer; config: Buffer; manifest: Buffer }): Promise<void> {
  for (const blob of [image.layer, image.config]) {
    const digest = sha(blob);
    if ((await fetch(`${registry}/v2/${repository}/blobs/${digest}`, { method: "HEAD" })).status === 200) continue;
    const start = await fetch(`${registry}/v2/${repository}/blobs/uploads/`, { method: "POST" });
    if (start.status !== 202) throw new Error(`registry: starting an upload to ${repository}: ${start.status} ${await start.text()}`);
    const loc = new URL(start.headers.get("location")!, registry);
    loc.searchParams.set("digest", digest);
    const put = await fetch(loc, { method: "PUT", body: new Uint8Array(blob), headers: { "content-type": "application/octet-stream" } });
    if (put.status !== 201) throw new Error(`registry: uploading ${digest} to ${repository}: ${put.status} ${await put.text()}`);
  }
  const m = await fetch(`${registry}/v2/${repository}/manifests/${tag}`, { method: "PUT", body: new Uint8Array(image.manifest), headers: { "content-type": "application/vnd.oci.image.manifest.v1+json" } });
  if (m.status !== 201) throw new Error(`registry: pushing ${repository}:${tag}: ${m.status} ${await m.text()}`);
}

/**
 * A rendered image reference split as containerd resolves it: registry host (docker.io when the first
 * component is no host), repository (library/ added for Docker Hub's official images) and tag.
 */
export function parseImageRef(ref: string): { host: string; repository: string; tag: string } {
  const at = ref.indexOf("@");
  if (at >= 0) throw new Error(`image ${ref}: digests are not supported by the stand-in images`);
  const slash = ref.indexOf("/");
  const first = slash < 0 ? "" : ref.slice(0, slash);
  const hasHost = first.includes(".") || first.includes(":") || first === "localhost";
  const host = hasHost ? first : "docker.io";
  let rest = hasHost ? ref.slice(slash + 1) : ref;
  const colon = rest.lastIndexOf(":");
  const tag = colon > rest.lastIndexOf("/") ? rest.slice(colon + 1) : "latest";
  if (colon > rest.lastIndexOf("/")) rest = rest.slice(0, colon);
  const repository = host === "docker.io" && !rest.includes("/") ? `library/${rest}` : rest;
  return { host, repository, tag };
}
