// What the last successful connection to a hostname found: the pod, its uid, the container and
// the port sshd listens on. It lets the next connection start the exec and the port-forward at
// the same time as its API lookups instead of after them; nothing is trusted before those lookups
// confirm it (see speculate.ts). One small file per context and hostname, private to the user.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { SshpodPaths } from '../ssh/paths.ts';

export interface CachedTarget {
  namespace: string;
  pod: string;
  podUid: string;
  container: string;
  port: number;
}

/** What a hostname means depends on the context and on the namespace it falls back to. */
export interface CacheKey {
  context: string;
  namespace: string;
  host: string;
}

function cacheFile(paths: SshpodPaths, { context, namespace, host }: CacheKey): string {
  const key = createHash('sha256')
    .update(`${context}\0${namespace}\0${host.toLowerCase().replace(/\.$/, '')}`)
    .digest('hex')
    .slice(0, 32);
  return join(paths.cacheDir, 'targets', `${key}.json`);
}

function isCachedTarget(value: unknown): value is CachedTarget {
  const v = value as Partial<CachedTarget> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.namespace === 'string' &&
    typeof v.pod === 'string' &&
    typeof v.podUid === 'string' &&
    typeof v.container === 'string' &&
    Number.isInteger(v.port)
  );
}

export function readCachedTarget(paths: SshpodPaths, key: CacheKey): CachedTarget | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(cacheFile(paths, key), 'utf8'));
    return isCachedTarget(parsed) ? parsed : undefined;
  } catch {
    return undefined; // absent or damaged: the connection simply takes the sequential path
  }
}

export function sameTarget(a: CachedTarget, b: CachedTarget): boolean {
  return a.namespace === b.namespace && a.pod === b.pod && a.podUid === b.podUid && a.container === b.container && a.port === b.port;
}

export function writeCachedTarget(paths: SshpodPaths, key: CacheKey, target: CachedTarget): void {
  const file = cacheFile(paths, key);
  mkdirSync(join(paths.cacheDir, 'targets'), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(target)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
}
