// What became of a pod a connection was working with, asked when a step ends without the answer
// it was waiting for: an exec that closed before the script answered, a port-forward that ended
// under a live session. kube-apiserver and kubelet end both quietly when the pod is deleted (a
// normal close, no error frame), so one GET of the pod is what tells the person "the pod was
// deleted" rather than whatever the broken stream said.
import type { KubeApi } from '../kube/api.ts';
import { podPath } from '../kube/paths.ts';
import type { Pod } from '../kube/types.ts';
import { SshpodError, isSshpodError } from '../errors.ts';
import type { TargetRef } from '../target/target-ref.ts';

/** What one GET of the pod found. */
export type PodLookup = { found: Pod } | { notFound: true } | { failed: string };

export async function lookUpPod(api: KubeApi, target: TargetRef): Promise<PodLookup> {
  try {
    return { found: await api.get<Pod>(podPath(target.namespace, target.pod), { verb: 'get', resource: 'pods', namespace: target.namespace, name: target.pod }) };
  } catch (error) {
    return isSshpodError(error) && error.kind === 'not-found' ? { notFound: true } : { failed: error instanceof Error ? error.message : String(error) };
  }
}

/** A status reason as the kubelet writes them (`OOMKilled`, `Error`); anything else is not shown raw. */
function safeReason(reason: string | undefined): string {
  return reason && /^[A-Za-z0-9 ._-]{1,64}$/.test(reason) ? reason : 'not running';
}

const reconnect = 'connect again to reach the pod that replaces it (a deployment--/statefulset--… hostname picks a ready one)';

/**
 * Why the pod is no longer what the connection was using, `during` something ("during the
 * session", "while sshpod was preparing it"); undefined while it is still there and running. Pure.
 */
export function podGoneError(target: TargetRef, lookup: PodLookup, during: string): SshpodError | undefined {
  const pod = `pod "${target.pod}" in namespace "${target.namespace}"`;
  if ('notFound' in lookup) return new SshpodError('not-found', `the ${pod} was deleted ${during}`, { hint: reconnect });
  if ('failed' in lookup) return undefined;
  const found = lookup.found;
  if (found.metadata.uid && found.metadata.uid !== target.podUid) {
    return new SshpodError('not-found', `the ${pod} was deleted ${during} and a new pod of that name replaced it`, { hint: 'connect again: sshpod prepares the new pod' });
  }
  if (found.metadata.deletionTimestamp) return new SshpodError('not-found', `the ${pod} was deleted ${during} (it is terminating)`, { hint: reconnect });
  const status = found.status?.containerStatuses?.find((c) => c.name === target.container);
  if (status && !status.state?.running) {
    const state = safeReason(status.state?.terminated?.reason ?? status.state?.waiting?.reason);
    return new SshpodError('not-found', `container "${target.container}" of the ${pod} stopped ${during} (${state})`, {
      hint: `connect again once it runs; kubectl describe pod ${target.pod} -n ${target.namespace} says why it stopped`,
    });
  }
  if (found.status?.phase && found.status.phase !== 'Running') {
    return new SshpodError('not-found', `the ${pod} stopped running ${during} (${safeReason(found.status.phase)})`, { hint: `kubectl describe pod ${target.pod} -n ${target.namespace}` });
  }
  return undefined;
}
