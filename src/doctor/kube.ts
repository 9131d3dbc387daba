// Doctor: the kubeconfig (found, readable, a current context) and, for each context, whether its
// API server answers and accepts the credentials (GET /version, then the authenticated GET /api),
// each within a bound and all at once, so that a cluster behind a VPN that is down costs seconds.
import { loadKubeConfig, selectContext } from '../kube/kubeconfig.ts';
import { ApiConnection } from '../kube/connection.ts';
import type { SshpodPaths } from '../ssh/paths.ts';
import { failed, passed, type Check, type Item } from './checklist.ts';
import { bounded, inParallel } from './bounded.ts';
import { whatWentWrong } from './what-went-wrong.ts';

const PARALLEL_CONTEXTS = 8;

async function probeContext(name: string, current: boolean, paths: SshpodPaths, timeoutMs: number): Promise<Check> {
  const label = `context "${name}"${current ? ' (current)' : ''}`;
  let connection: ApiConnection | undefined;
  let closed = false;
  const close = (): void => {
    closed = true;
    connection?.close();
  };
  try {
    // A kubeconfig of its own: selectContext switches the current context of the one it is given.
    const selected = selectContext(loadKubeConfig(), name);
    const work = (async () => {
      connection = await ApiConnection.open(selected, { cacheDir: paths.cacheDir });
      if (closed) connection.close();
      const version = await connection.get<{ gitVersion?: string }>('/version', { verb: 'get', resource: 'version', namespace: '' });
      await connection.get('/api', { verb: 'get', resource: 'api', namespace: '' });
      return version.gitVersion;
    })();
    const gitVersion = await bounded(work, timeoutMs, close);
    return passed(`${label}: ${selected.server} answers${gitVersion ? ` (Kubernetes ${gitVersion})` : ''} and accepts your credentials`);
  } catch (error) {
    const { message, hint } = whatWentWrong(error);
    return failed(`${label}: ${message}`, hint);
  } finally {
    close();
  }
}

export async function checkKube(paths: SshpodPaths, timeoutMs: number): Promise<Item[]> {
  let names: string[];
  let current: string;
  try {
    const kubeConfig = loadKubeConfig();
    names = kubeConfig.getContexts().map((context) => context.name);
    current = kubeConfig.getCurrentContext();
  } catch (error) {
    const { message, hint } = whatWentWrong(error);
    return [failed(`the kubeconfig: ${message}`, hint)];
  }
  const files = process.env['KUBECONFIG'] || '~/.kube/config';
  if (names.length === 0) return [failed(`the kubeconfig (${files}) has contexts`, 'add one, e.g. with your cloud CLI (aws eks update-kubeconfig, gcloud container clusters get-credentials, …)')];
  const items: Item[] = [
    names.includes(current)
      ? passed(`the kubeconfig (${files}): ${names.length} context${names.length === 1 ? '' : 's'}, current "${current}"`)
      : failed(`the kubeconfig (${files}) has a current context`, `hostnames without context--NAME use it: kubectl config use-context NAME (one of: ${names.join(', ')})`),
  ];
  items.push(...(await inParallel(names, PARALLEL_CONTEXTS, (name) => probeContext(name, name === current, paths, timeoutMs))));
  return items;
}
