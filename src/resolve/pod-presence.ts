// Whether the pod a connection was working with is still there: asked when a step ends without
// the answer it was waiting for (an exec that closed early, a stream that ended), so that the
// person reads "the pod was deleted" rather than whatever the broken stream said.
import type { KubeApi } from '../kube/api.ts';
import type { Pod } from '../kube/types.ts';
import { podPath } from '../kube/paths.ts';
import { SshpodError } from '../errors.ts';
import type { TargetRef } from '../target/target-ref.ts';

export type PodPresence = 'present' | 'terminating' | 'deleted' | 'replaced' | 'unknown';

/** What a GET of the pod says about the incarnation `uid` (undefined: the GET found nothing). */
export function presenceOf(pod: Pod | undefined, uid: string): PodPresence {
  if (!pod) return 'deleted';
  if (pod.metadata.uid !== uid) return 'replaced';
  if (pod.metadata.deletionTimestamp) return 'terminating';
  return 'present';
}

export async function podPresence(api: KubeApi, target: TargetRef): Promise<PodPresence> {
  try {
    const pod = await api.get<Pod>(podPath(target.namespace, target.pod), { verb: 'get', resource: 'pods', namespace: target.namespace, name: target.pod });
    return presenceOf(pod, target.podUid);
  } catch (error) {
    return error instanceof SshpodError && error.kind === 'not-found' ? 'deleted' : 'unknown';
  }
}

/** The words for a pod that went away while `doing`; undefined while it is still there. */
export function podGoneError(presence: PodPresence, target: TargetRef, doing: string): SshpodError | undefined {
  const where = `pod "${target.pod}" in namespace "${target.namespace}"`;
  const hint = `see what happened with: kubectl get events -n ${target.namespace} --field-selector involvedObject.name=${target.pod}`;
  switch (presence) {
    case 'deleted':
      return new SshpodError('not-found', `${where} was deleted ${doing}`, { hint });
    case 'terminating':
      return new SshpodError('not-found', `${where} is being deleted (it went away ${doing})`, { hint });
    case 'replaced':
      return new SshpodError('not-found', `${where} was replaced by a new pod of the same name ${doing}`, { hint: 'connect again to reach the new pod' });
    default:
      return undefined;
  }
}
