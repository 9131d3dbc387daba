// What this machine can run. Outside CI a missing capability skips a test with the reason;
// in CI nothing is skipped (scripts/install-host-deps.sh provides both), so a broken setup
// fails loudly instead of passing quietly.
import { existsSync } from 'node:fs';
import type { Arch } from './bundle.ts';

export const isRoot = process.getuid?.() === 0;

/** Whether `arch` binaries run on this CPU without emulation. */
export function isNative(arch: Arch): boolean {
  return process.arch === (arch === 'amd64' ? 'x64' : 'arm64');
}

function canRun(arch: Arch): boolean {
  return isNative(arch) || (arch === 'arm64' && existsSync('/proc/sys/fs/binfmt_misc/qemu-aarch64'));
}

/** A node:test `skip` value: false, or why this machine cannot run the test. */
export function skipUnless(arch: Arch, opts: { root: boolean }): string | false {
  if (process.env.CI === 'true') return false;
  if (opts.root && !isRoot) return 'needs root (npm test runs these as root in CI)';
  if (!canRun(arch)) return `cannot run linux/${arch} binaries here (qemu-aarch64 not in binfmt_misc)`;
  return false;
}
