// The committed bundles as the tests see them: where they are, what the manifest says, and
// how to get a runnable sshd out of one. SSHPOD_BUNDLES_DIR points the whole suite at another
// build (e.g. the output of `bundles/build.sh /tmp/out`) without touching the committed files.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { BundleManifest, BundleTarget } from '../../src/remote/bundles.ts';

export const arches = ['amd64', 'arm64'] as const;
export type Arch = (typeof arches)[number];

export type ManifestTarget = BundleTarget;

/** The manifest as sshpod reads it, plus what the build records for people and these tests. */
export interface Manifest extends BundleManifest {
  configure: string[];
  toolchain: { musl: string; gcc: string; 'aarch64-gcc': string };
}

export const committedBundlesDir = new URL('../../bundles/', import.meta.url).pathname;

export function bundlesDir(): string {
  return process.env.SSHPOD_BUNDLES_DIR || committedBundlesDir;
}

export function readManifest(dir = bundlesDir()): Manifest {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
}

export function target(manifest: Manifest, arch: Arch): ManifestTarget {
  const t = manifest.targets[`linux/${arch}`];
  if (!t) throw new Error(`manifest.json has no target linux/${arch}`);
  return t;
}

export function readRawSshd(arch: Arch, dir = bundlesDir()): Buffer {
  return gunzipSync(readFileSync(join(dir, target(readManifest(dir), arch).file)));
}

/** Writes the decompressed sshd for `arch` to `path`, executable. */
export function unpackSshd(arch: Arch, path: string): string {
  writeFileSync(path, readRawSshd(arch));
  chmodSync(path, 0o755);
  return path;
}
