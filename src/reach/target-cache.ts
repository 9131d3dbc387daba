// What the last successful connection to a hostname found: the pod, its uid, the container, the
// port sshd listens on, its architecture and host key, and the login it served. It lets the next
// connection go straight to that sshd (see known-sshd.ts); nothing in it is trusted without that
// sshd's banner, and ssh still checks the host key pinned for the hostname. The ProxyCommand keeps
// it in one small file per context, namespace and hostname, private to the user; each file also
// says which context, namespace and hostname it is for, so that `sshpod ls` and `sshpod cleanup`
// can list what this machine installed where (listRemembered).
import { readdirSync, readFileSync, rmSync } from 'node:fs';
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
  /** The install directory sshd runs from: where the exec transport starts `sshd -i`. */
  dir?: string;
  /** When sshd runs in sshpod's ephemeral container (`container`) for a container without a shell:
   *  that container, whose view the sessions get (src/ephemeral). */
  viewOf?: string;
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
    typeof v.login === 'string' &&
    (v.dir === undefined || typeof v.dir === 'string') &&
    (v.viewOf === undefined || typeof v.viewOf === 'string')
  );
}

/** What a cache file is for, written beside the endpoint. */
export interface RememberedKey {
  context: string;
  namespace: string;
  host: string;
}

/** The endpoint fields of a parsed file, without the key (sameEndpoint compares every field). */
function endpointOf(parsed: SshdEndpoint & { remembered?: unknown }): SshdEndpoint {
  const { remembered: _, ...endpoint } = parsed;
  return endpoint;
}

export function sameEndpoint(a: SshdEndpoint, b: SshdEndpoint): boolean {
  const fields = new Set([...Object.keys(a), ...Object.keys(b)] as Array<keyof SshdEndpoint>);
  return [...fields].every((field) => a[field] === b[field]);
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
        return isEndpoint(parsed) ? endpointOf(parsed) : undefined;
      } catch {
        return undefined; // absent or damaged: the connection simply takes the exec path
      }
    },
    write(namespace, host, endpoint) {
      const remembered: RememberedKey = { context, namespace, host: canonicalHost(host) };
      writePrivateFile(file(namespace, host), `${JSON.stringify({ ...endpoint, remembered })}\n`);
    },
    forget(namespace, host) {
      rmSync(file(namespace, host), { force: true });
    },
  };
}

export interface RememberedTarget {
  /** The cache file: removing it forgets the endpoint. */
  file: string;
  /** Undefined for a file an older sshpod wrote, or a damaged one. */
  key?: RememberedKey;
  endpoint?: SshdEndpoint;
}

function isKey(value: unknown): value is RememberedKey {
  const v = value as Partial<RememberedKey> | null;
  return typeof v === 'object' && v !== null && typeof v.context === 'string' && typeof v.namespace === 'string' && typeof v.host === 'string';
}

/** Every endpoint remembered in ~/.cache/sshpod/targets, whatever its context. */
export function listRemembered(paths: SshpodPaths): RememberedTarget[] {
  const dir = join(paths.cacheDir, 'targets');
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => /^[0-9a-f]{32}\.json$/.test(name));
  } catch {
    return [];
  }
  return names.map((name) => {
    const entry: RememberedTarget = { file: join(dir, name) };
    try {
      const parsed: unknown = JSON.parse(readFileSync(entry.file, 'utf8'));
      if (isEndpoint(parsed)) entry.endpoint = endpointOf(parsed);
      const remembered = (parsed as { remembered?: unknown } | null)?.remembered;
      if (isKey(remembered)) entry.key = remembered;
    } catch {
      // removed meanwhile, or damaged: listed as leading nowhere
    }
    return entry;
  });
}
