// Pods sshpod made that nobody will delete any more: ones that ended (their safeguard completed
// them after their client vanished, or their command ended) and ones stuck Pending far longer
// than any connection waits for its pod. One LIST with the managed-by selector finds them; each
// is deleted only if it is still that incarnation (uid precondition). Run in the background when
// a connection makes a pod, and by `sshpod cleanup`. Best effort: without `list` or `delete`
// permission it simply finds or removes nothing.
import type { KubeApi } from '../kube/api.ts';
import type { List, Pod } from '../kube/types.ts';
import { podsPath } from '../kube/paths.ts';
import { log } from '../log.ts';
import { MANAGED_SELECTOR } from './labels.ts';
import { deletePod } from './pod-requests.ts';

/** Far longer than a connection waits for its pod (SSHPOD_POD_TIMEOUT, 3 minutes by default). */
export const ABANDONED_PENDING_MS = 30 * 60 * 1000;

/** Why a pod sshpod made is left over, or undefined while someone may still use it (pure). */
export function leftOver(pod: Pod, now: number): string | undefined {
  if (pod.metadata.deletionTimestamp) return undefined;
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return `it ended (${phase === 'Succeeded' ? 'completed' : 'failed'})`;
  const created = Date.parse(pod.metadata.creationTimestamp ?? '');
  if ((phase === 'Pending' || phase === undefined) && Number.isFinite(created) && now - created > ABANDONED_PENDING_MS) return 'it has been Pending for over 30 minutes';
  return undefined;
}

/** One LIST of the pods sshpod made in a namespace (all namespaces when undefined). */
export async function listManagedPods(api: KubeApi, namespace: string | undefined): Promise<Pod[]> {
  const path = namespace === undefined ? '/api/v1/pods' : podsPath(namespace);
  const list = await api.get<List<Pod>>(path, { verb: 'list', resource: 'pods', namespace: namespace ?? '(all)' }, new URLSearchParams({ labelSelector: MANAGED_SELECTOR }));
  return list.items;
}

export interface Swept {
  namespace: string;
  pod: string;
  why: string;
}

/** Deletes the left-over pods among `pods`; returns what it deleted. */
export async function deleteLeftOvers(api: KubeApi, pods: readonly Pod[], now = Date.now()): Promise<Swept[]> {
  const swept: Swept[] = [];
  await Promise.all(
    pods.map(async (pod) => {
      const why = leftOver(pod, now);
      const namespace = pod.metadata.namespace ?? '';
      const name = pod.metadata.name ?? '';
      if (!why || !pod.metadata.uid) return;
      const outcome = await deletePod(api, { namespace, pod: name, podUid: pod.metadata.uid }).catch((error: Error) => {
        log.debug(`sweep: could not delete ${namespace}/${name}: ${error.message}`);
        return 'failed' as const;
      });
      if (outcome === 'deleted') swept.push({ namespace, pod: name, why });
    }),
  );
  return swept;
}

/** The background sweep a new connection runs in its namespace; never fails. */
export async function sweepNamespace(api: KubeApi, namespace: string): Promise<Swept[]> {
  try {
    const swept = await deleteLeftOvers(api, await listManagedPods(api, namespace));
    for (const s of swept) log.debug(`sweep: deleted ${s.namespace}/${s.pod}: ${s.why}`);
    return swept;
  } catch (error) {
    log.debug(`sweep of namespace ${namespace} skipped: ${(error as Error).message}`);
    return [];
  }
}
