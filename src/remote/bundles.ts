// The static sshd builds shipped in bundles/ (see bundles/README.md) and the manifest that names
// them. A bundle's version joins the Debian package version, the binary's checksum and the
// revision of the files sshpod lays out beside it, so a rebuilt bundle or a new layout replaces
// an older install in running pods.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { SshpodError } from '../errors.ts';

/** Bump when sshd_config or the remote layout changes in a way running installs must pick up. */
export const LAYOUT_REVISION = 3;

export interface BundleTarget {
  unameMachines: string[];
  file: string;
  sha256: string;
  size: number;
  rawSha256: string;
  rawSize: number;
}

export interface BundleManifest {
  schema: number;
  openssh: { upstream: string; debian: string };
  targets: Record<string, BundleTarget>;
}

export function bundleDirectory(): string {
  const override = process.env['SSHPOD_BUNDLES_DIR'];
  if (override) return override;
  // dist/sshpod.cjs and src/remote/bundles.ts both sit below the package root.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, 'bundles');
    if (existsSync(join(candidate, 'manifest.json'))) return candidate;
    dir = dirname(dir);
  }
  throw new SshpodError('local', 'the sshd bundles are missing from this sshpod installation', {
    hint: 'reinstall sshpod (the package must contain bundles/manifest.json)',
  });
}

export function loadManifest(dir = bundleDirectory()): BundleManifest {
  try {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as BundleManifest;
    if (manifest.schema !== 1 || typeof manifest.targets !== 'object') throw new Error(`unknown manifest schema ${manifest.schema}`);
    return manifest;
  } catch (error) {
    throw new SshpodError('local', `cannot read the sshd bundle manifest in ${dir}: ${(error as Error).message}`, {
      hint: 'reinstall sshpod',
      cause: error,
    });
  }
}

export function bundleVersion(manifest: BundleManifest, target: BundleTarget): string {
  return `${manifest.openssh.debian}-${target.rawSha256.slice(0, 12)}-l${LAYOUT_REVISION}`;
}

/** `uname -m` value → version of the bundle that serves it. */
export function versionsByMachine(manifest: BundleManifest): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const target of Object.values(manifest.targets)) {
    for (const machine of target.unameMachines) versions[machine] = bundleVersion(manifest, target);
  }
  return versions;
}

export function targetForMachine(manifest: BundleManifest, machine: string): BundleTarget {
  const target = Object.values(manifest.targets).find((t) => t.unameMachines.includes(machine));
  if (!target) {
    const supported = Object.values(manifest.targets).flatMap((t) => t.unameMachines);
    throw new SshpodError('container', `this container's architecture (${machine}) has no sshd bundle`, {
      hint: `sshpod supports ${supported.join(', ')}`,
    });
  }
  return target;
}

export interface BundlePayload {
  bytes: Buffer;
  rawBytes: number;
  /** Of the unpacked sshd: the container checks it before putting sshd in place. */
  rawSha256: string;
  format: 'gzip' | 'raw';
}

/** The bytes to send: the gzip file as shipped, or unpacked here for containers without gzip. */
export function readBundle(target: BundleTarget, containerHasGzip: boolean, dir = bundleDirectory()): BundlePayload {
  const compressed = readFileSync(join(dir, target.file));
  if (containerHasGzip) return { bytes: compressed, rawBytes: target.rawSize, rawSha256: target.rawSha256, format: 'gzip' };
  const raw = gunzipSync(compressed);
  return { bytes: raw, rawBytes: raw.length, rawSha256: target.rawSha256, format: 'raw' };
}
