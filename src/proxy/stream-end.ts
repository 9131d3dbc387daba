// Why the port-forward ended under a live ssh session. A pod deleted mid-session does not break the
// stream: kube-apiserver and kubelet end it with a normal close (1000) and no error frame a few
// seconds later, exactly as when sshd closes the connection itself. Without a word from sshpod the
// person sees only ssh's "Broken pipe". So when the stream ends while ssh is still connected (its
// stdin open, no SIGHUP), sshpod looks at the pod once — one GET, on this path only — and names
// what happened: deleted, being deleted, replaced by a new pod of the same name, container stopped.
// A pod that is still there as it was means sshd ended the connection: a normal end, said nothing.
import type { KubeApi } from '../kube/api.ts';
import type { TargetRef } from '../target/target-ref.ts';
import { podPath } from '../kube/paths.ts';
import type { Pod } from '../kube/types.ts';
import { SshpodError, isSshpodError } from '../errors.ts';
import { log } from '../log.ts';

export type SessionTarget = TargetRef;

/** What one GET of the pod found after the stream ended. */
export type PodLookup = { found: Pod } | { notFound: true } | { failed: string };

/** A status reason as the kubelet writes them (`OOMKilled`, `Error`); anything else is not shown raw. */
function safeReason(reason: string | undefined): string {
  return reason && /^[A-Za-z0-9 ._-]{1,64}$/.test(reason) ? reason : 'not running';
}

const reconnect = 'connect again to reach the pod that replaces it (a deployment--/statefulset--… hostname picks a ready one)';

/** The error to show for a stream that ended under a live session, or undefined for a normal end. Pure. */
export function streamEndError(target: SessionTarget, lookup: PodLookup): SshpodError | undefined {
  const pod = `pod "${target.pod}" in namespace "${target.namespace}"`;
  if ('notFound' in lookup) return new SshpodError('stream', `the ${pod} was deleted during the session`, { hint: reconnect });
  if ('failed' in lookup) {
    return new SshpodError('stream', `the connection to the ${pod} ended while ssh was still using it, and the pod could not be looked at: ${lookup.failed}`, {
      hint: 'connect again; if it keeps failing, run with --log-level debug',
    });
  }
  const found = lookup.found;
  if (found.metadata.uid && found.metadata.uid !== target.podUid) {
    return new SshpodError('stream', `the ${pod} was deleted during the session and a new pod of that name replaced it`, { hint: 'connect again: sshpod prepares the new pod' });
  }
  if (found.metadata.deletionTimestamp) return new SshpodError('stream', `the ${pod} was deleted during the session (it is terminating)`, { hint: reconnect });
  const status = found.status?.containerStatuses?.find((c) => c.name === target.container);
  if (status && !status.state?.running) {
    const state = safeReason(status.state?.terminated?.reason ?? status.state?.waiting?.reason);
    return new SshpodError('stream', `container "${target.container}" of the ${pod} stopped during the session (${state})`, {
      hint: `connect again once it runs; kubectl describe pod ${target.pod} -n ${target.namespace} says why it stopped`,
    });
  }
  if (found.status?.phase && found.status.phase !== 'Running') {
    return new SshpodError('stream', `the ${pod} stopped running during the session (${safeReason(found.status.phase)})`, { hint: `kubectl describe pod ${target.pod} -n ${target.namespace}` });
  }
  return undefined;
}

/** GETs the pod and decides (the I/O half of streamEndError). */
export async function explainStreamEnd(connection: KubeApi, target: SessionTarget): Promise<SshpodError | undefined> {
  let lookup: PodLookup;
  try {
    lookup = { found: await connection.get<Pod>(podPath(target.namespace, target.pod), { verb: 'get', resource: 'pods', namespace: target.namespace, name: target.pod }) };
  } catch (error) {
    lookup = isSshpodError(error) && error.kind === 'not-found' ? { notFound: true } : { failed: error instanceof Error ? error.message : String(error) };
  }
  const explained = streamEndError(target, lookup);
  log.debug(`port-forward ended under a live session: ${explained ? explained.message : 'the pod is there as it was (sshd closed the connection)'}`);
  return explained;
}
