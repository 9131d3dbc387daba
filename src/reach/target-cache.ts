// What the last successful connection to a hostname found: the pod, its uid, the container, the
// port sshd listens on, its architecture and host key, and the login it served. It lets the next
// connection go straight to that sshd (see known-sshd.ts); nothing in it is trusted without that
// sshd's banner, and ssh still checks the host key pinned for the hostname. The ProxyCommand keeps
// it in one small file per context, namespace and hostname, private to the user.
import { readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { SshpodPaths } from '../ssh/paths.ts';
import { writePrivateFile } from '../local-file.ts';
import { canonicalHost } from '../target/hostname.ts';
import type { TargetRef } from '../target/target-ref.ts';

/** A running sshd sshpod reached: where it is, what it presents, whom it served. */
export interface SshdEndpoint extends TargetRef {
  port: number;
  /** `uname -m` in the container: which bundle, hence which install id, to expect. */
  arch: string;
  hostKey: string;
  login: string;
}

/** Remembered endpoints by hostname; what a hostname means also depends on the namespace it falls back to. */
export interface TargetCache {
  read(namespace: string, host: string): SshdEndpoint | undefined;
  write(namespace: string, host: string, endpoint: SshdEndpoint): void;
  /** After the endpoint turned out not to be what it was: the next connection takes the exec path. */
  forget(namespace: string, host: string): void;
}

function isEndpoint(value: unknown): value is SshdEndpoint {
  const v = value as Partial<SshdEndpoint> | null;
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

export function sameEndpoint(a: SshdEndpoint, b: SshdEndpoint): boolean {
  return (Object.keys(a) as Array<keyof SshdEndpoint>).every((field) => a[field] === b[field]);
}

/** The cache in ~/.cache/sshpod/targets/ for one kubeconfig context. */
export function fileTargetCache(paths: SshpodPaths, context: string): TargetCache {
  const file = (namespace: string, host: string): string => {
    const key = createHash('sha256').update(`${context}\0${namespace}\0${canonicalHost(host)}`).digest('hex').slice(0, 32);
    return join(paths.cacheDir, 'targets', `${key}.json`);
  };
  return {
    read(namespace, host) {
      try {
        const parsed: unknown = JSON.parse(readFileSync(file(namespace, host), 'utf8'));
        return isEndpoint(parsed) ? parsed : undefined;
      } catch {
        return undefined; // absent or damaged: the connection simply takes the exec path
      }
    },
    write(namespace, host, endpoint) {
      writePrivateFile(file(namespace, host), `${JSON.stringify(endpoint)}\n`);
    },
    forget(namespace, host) {
      rmSync(file(namespace, host), { force: true });
    },
  };
}
