// What sshpod left in a cluster, as `sshpod ls` shows it and `sshpod cleanup` works through it:
//  - the pods it made on demand: one LIST with the managed-by label selector (across all namespaces
//    with -A; without permission for that, the context's namespace, and a note saying so);
//  - the sshds it installed in existing pods, as far as this machine knows: what the ProxyCommand
//    remembers (~/.cache/sshpod/targets, by context, namespace and hostname), each checked with one
//    GET of its pod (still there? the same incarnation? the container running?). No exec: what
//    runs inside the container only `ls --check` (one exec per pod) looks at.
import type { Pod } from '../kube/types.ts';
import { podPath } from '../kube/paths.ts';
import { isSshpodError } from '../errors.ts';
import { listManagedPods } from '../ondemand/sweep.ts';
import { listRemembered, type RememberedKey, type RememberedTarget, type SshdEndpoint } from '../reach/target-cache.ts';
import type { SshpodPaths } from '../ssh/paths.ts';
import type { Cluster } from './clusters.ts';
import { saidOf } from './said.ts';

export interface Scope {
  /** A namespace, or undefined for every namespace (-A). */
  namespace: string | undefined;
}

export type KnownTarget = RememberedTarget & { key: RememberedKey; endpoint: SshdEndpoint };

/** `present`: the pod and container are there as remembered; otherwise what became of them. */
export type Presence = { state: 'present' } | { state: 'gone' | 'replaced' | 'stopped' } | { state: 'unknown'; why: string };

export function isKnown(target: RememberedTarget): target is KnownTarget {
  return target.key !== undefined && target.endpoint !== undefined;
}

/** The sshpod-made pods in scope, and a note when the scope had to shrink. */
export async function onDemandPods(cluster: Extract<Cluster, { api: unknown }>, scope: Scope): Promise<{ pods: Pod[]; note?: string }> {
  try {
    return { pods: await listManagedPods(cluster.api, scope.namespace) };
  } catch (error) {
    if (scope.namespace === undefined && isSshpodError(error) && error.kind === 'forbidden') {
      const pods = await listManagedPods(cluster.api, cluster.namespace);
      return { pods, note: `not allowed to list pods in all namespaces of context "${cluster.context}": showing namespace "${cluster.namespace}"` };
    }
    throw error;
  }
}

/** What this machine remembers having installed in `context`, within scope. */
export function rememberedIn(paths: SshpodPaths, context: string, scope: Scope): KnownTarget[] {
  return listRemembered(paths)
    .filter(isKnown)
    .filter((target) => target.key.context === context && (scope.namespace === undefined || target.endpoint.namespace === scope.namespace));
}

/** One GET: is the remembered pod and container still there as it was? (pure classification inside) */
export async function presenceOf(cluster: Extract<Cluster, { api: unknown }>, endpoint: SshdEndpoint): Promise<Presence> {
  let pod: Pod;
  try {
    pod = await cluster.api.get<Pod>(podPath(endpoint.namespace, endpoint.pod), { verb: 'get', resource: 'pods', namespace: endpoint.namespace, name: endpoint.pod });
  } catch (error) {
    if (isSshpodError(error) && error.kind === 'not-found') return { state: 'gone' };
    return { state: 'unknown', why: saidOf(error) };
  }
  return presenceIn(pod, endpoint);
}

export function presenceIn(pod: Pod, endpoint: SshdEndpoint): Presence {
  if (pod.metadata.uid !== endpoint.podUid) return { state: 'replaced' };
  if (pod.metadata.deletionTimestamp) return { state: 'gone' };
  const container = pod.status?.containerStatuses?.find((c) => c.name === endpoint.container);
  return container?.state?.running ? { state: 'present' } : { state: 'stopped' };
}

/** Runs `work` over `items`, at most `limit` at a time (GETs and execs, never a flood). */
export async function eachLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index] as T);
      }
    }),
  );
  return results;
}
