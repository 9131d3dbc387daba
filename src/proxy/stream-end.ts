// Why the port-forward ended under a live ssh session. A pod deleted mid-session does not break the
// stream: kube-apiserver and kubelet end it with a normal close (1000) and no error frame a few
// seconds later, exactly as when sshd closes the connection itself. Without a word from sshpod the
// person sees only ssh's "Broken pipe". So when the stream ends while ssh is still connected (its
// stdin open, no SIGHUP), sshpod looks at the pod once — one GET, on this path only — and names
// what happened (src/resolve/pod-fate.ts). A pod still there as it was means sshd ended the
// connection: a normal end, said nothing.
import type { KubeApi } from '../kube/api.ts';
import { SshpodError } from '../errors.ts';
import { log } from '../log.ts';
import type { TargetRef } from '../target/target-ref.ts';
import { lookUpPod, podGoneError, type PodLookup } from '../resolve/pod-fate.ts';

/** The error to show for a stream that ended under a live session, or undefined for a normal end. Pure. */
export function streamEndError(target: TargetRef, lookup: PodLookup): SshpodError | undefined {
  if ('failed' in lookup) {
    return new SshpodError('stream', `the connection to the pod "${target.pod}" in namespace "${target.namespace}" ended while ssh was still using it, and the pod could not be looked at: ${lookup.failed}`, {
      hint: 'connect again; if it keeps failing, run with --log-level debug',
    });
  }
  return podGoneError(target, lookup, 'during the session');
}

/** GETs the pod and decides (the I/O half of streamEndError). */
export async function explainStreamEnd(api: KubeApi, target: TargetRef): Promise<SshpodError | undefined> {
  const explained = streamEndError(target, await lookUpPod(api, target));
  log.debug(`port-forward ended under a live session: ${explained ? explained.message : 'the pod is there as it was (sshd closed the connection)'}`);
  return explained;
}
