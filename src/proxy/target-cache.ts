// What the last successful connection to a hostname found: the pod, its uid, the container, the
// port sshd listens on, its architecture and host key, and the login it served. It lets the next
// connection go straight to that sshd (see known-sshd.ts) and nothing in it is trusted without
// that sshd's confirmation. One small file per context, namespace and hostname, private to the user.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { SshpodPaths } from '../ssh/paths.ts';
import { writePrivateFile } from '../local-file.ts';

export interface CachedTarget {
  namespace: string;
  pod: string;
  podUid: string;
  container: string;
  port: number;
  /** `uname -m` in the container: which bundle, hence which install id, to expect. */
  arch: string;
  hostKey: string;
  login: string;
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
    Number.isInteger(v.port) &&
    typeof v.arch === 'string' &&
    typeof v.hostKey === 'string' &&
    typeof v.login === 'string'
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
  return (Object.keys(a) as Array<keyof CachedTarget>).every((field) => a[field] === b[field]);
}

export function writeCachedTarget(paths: SshpodPaths, key: CacheKey, target: CachedTarget): void {
  writePrivateFile(cacheFile(paths, key), `${JSON.stringify(target)}\n`);
}
