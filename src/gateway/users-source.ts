// Where the users file comes from, and how a change reaches the running gateway without a restart:
// a file (checked every couple of seconds: editors replace files by rename, which watches miss),
// or a ConfigMap or Secret (key `users.yaml`), read with the gateway's own identity at the same
// pace, so that a team manages its users with kubectl. A change that does not parse leaves the
// users as they were and says why (audit event users-reload-failed); the first load must succeed.
import { statSync } from 'node:fs';
import type { KubeApi } from '../kube/api.ts';
import { isSshpodError, SshpodError } from '../errors.ts';
import { readRegularFile } from '../local-file.ts';
import { parseUsers, type UserRegistry } from './users.ts';

/** Far above a team's file, far below trouble. */
const USERS_SIZE_LIMIT = 4 * 1024 * 1024;
export const USERS_KEY = 'users.yaml';

export type UsersLocation = { kind: 'file'; path: string } | { kind: 'configmap' | 'secret'; namespace: string; name: string };

/** `--users` as given: FILE, configmap/NAMESPACE/NAME or secret/NAMESPACE/NAME. */
export function usersLocation(value: string): UsersLocation {
  const match = /^(configmap|secret)\/([a-z0-9-]{1,63})\/([a-z0-9.-]{1,253})$/.exec(value);
  if (match) return { kind: match[1] as 'configmap' | 'secret', namespace: match[2] as string, name: match[3] as string };
  return { kind: 'file', path: value };
}

export function describeLocation(location: UsersLocation): string {
  return location.kind === 'file' ? location.path : `${location.kind} ${location.namespace}/${location.name}`;
}

async function parseYaml(text: string, where: string): Promise<UserRegistry> {
  const { parse } = await import('yaml');
  let document: unknown;
  try {
    document = parse(text, { maxAliasCount: 100 });
  } catch (error) {
    throw new SshpodError('config', `the users file (${where}) is not valid YAML: ${String((error as Error).message).split('\n')[0]}`, { hint: 'check it with a YAML linter' });
  }
  return parseUsers(document);
}

async function readText(location: UsersLocation, api: KubeApi | undefined): Promise<string> {
  if (location.kind === 'file') {
    try {
      return readRegularFile(location.path, USERS_SIZE_LIMIT);
    } catch (error) {
      throw new SshpodError('config', `cannot read the users file ${location.path}: ${(error as Error).message}`, { hint: 'give --users a readable YAML file' });
    }
  }
  if (!api) throw new Error('no API connection for the users');
  const resource = location.kind === 'configmap' ? 'configmaps' : 'secrets';
  let object: { data?: Record<string, string> };
  try {
    object = await api.get<{ data?: Record<string, string> }>(`/api/v1/namespaces/${location.namespace}/${resource}/${location.name}`, {
      verb: 'get',
      resource,
      namespace: location.namespace,
      name: location.name,
    });
  } catch (error) {
    // The connect path's hint (rights on pods) would mislead here: this is the gateway's own read.
    if (isSshpodError(error) && error.kind === 'forbidden') {
      throw new SshpodError('forbidden', error.message, {
        hint: `give the gateway's own identity get on ${resource} "${location.name}" in namespace "${location.namespace}" (as deploy/gateway/users-role.yaml does)`,
        cause: error,
      });
    }
    throw error;
  }
  const value = object.data?.[USERS_KEY];
  if (value === undefined) throw new SshpodError('config', `${describeLocation(location)} has no key ${USERS_KEY}`, { hint: `put the users file under data.${USERS_KEY}` });
  return location.kind === 'secret' ? Buffer.from(value, 'base64').toString('utf8') : value;
}

export class UsersSource {
  private current: UserRegistry = new Map();
  private signature = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly location: UsersLocation,
    private readonly api: KubeApi | undefined,
    private readonly onChange: (change: { users: number } | { error: string }) => void,
  ) {}

  get users(): UserRegistry {
    return this.current;
  }

  /** The first load: a failure here stops the gateway from starting. */
  async load(): Promise<void> {
    await this.reload(true);
  }

  /** Looks again every `intervalMs`. */
  watch(intervalMs: number): void {
    this.timer = setInterval(() => void this.reload(false).catch(() => undefined), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async reload(first: boolean): Promise<void> {
    try {
      if (this.location.kind === 'file') {
        // A cheap look first: the file is read and parsed only when it changed.
        const stat = statSync(this.location.path);
        const signature = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
        if (!first && signature === this.signature) return;
        this.signature = signature;
      }
      const text = await readText(this.location, this.api);
      if (!first && this.location.kind !== 'file' && text === this.signature) return;
      if (this.location.kind !== 'file') this.signature = text;
      this.current = await parseYaml(text, describeLocation(this.location));
      this.onChange({ users: this.current.size });
    } catch (error) {
      if (first) throw error;
      this.onChange({ error: (error as Error).message });
    }
  }
}
