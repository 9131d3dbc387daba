// The committed bundles as the tests see them: where they are, what the manifest says, and
// how to get a runnable sshd out of one. SSHPOD_BUNDLES_DIR points the whole suite at another
// build (e.g. the output of `bundles/build.sh /tmp/out`) without touching the committed files.
import { chmodSync, writeFileSync } from 'node:fs';
import { bundleDirectory, loadManifest, readBundle, type BundleManifest, type BundleTarget } from '../../src/remote/bundles.ts';

export const arches = ['amd64', 'arm64'] as const;
export type Arch = (typeof arches)[number];

/** The manifest as sshpod reads it, plus what the build records for people and these tests. */
export interface Manifest extends BundleManifest {
  configure: string[];
  toolchain: { musl: string; gcc: string; 'aarch64-gcc': string };
}

export const committedBundlesDir = new URL('../../bundles/', import.meta.url).pathname;

/** sshpod's own answer: SSHPOD_BUNDLES_DIR, else the committed bundles. */
export const bundlesDir = bundleDirectory;

export function readManifest(dir = bundlesDir()): Manifest {
  return loadManifest(dir) as Manifest;
}

export function target(manifest: Manifest, arch: Arch): BundleTarget {
  const t = manifest.targets[`linux/${arch}`];
  if (!t) throw new Error(`manifest.json has no target linux/${arch}`);
  return t;
}

export function readRawSshd(arch: Arch, dir = bundlesDir()): Buffer {
  return readBundle(target(readManifest(dir), arch), false, dir).bytes;
}

/** Writes the decompressed sshd for `arch` to `path`, executable. */
export function unpackSshd(arch: Arch, path: string): string {
  writeFileSync(path, readRawSshd(arch));
  chmodSync(path, 0o755);
  return path;
}
