// Where a starting pod stands, from its status and events (pure): running, still on its way
// (and what it waits for, for the progress line), or unable to start (and why, for the error).
//
// Unable to start, at once: an image that cannot be pulled (ErrImagePull, ImagePullBackOff,
// InvalidImageName), a container that cannot be created or run, a pod that ended. Unschedulable is
// only a wait: a cluster autoscaler may be adding a node; it becomes the error when the wait's
// bound (SSHPOD_POD_TIMEOUT) runs out. Everything quoted from the pod passes through printable()
// where it is shown (errors.ts), and is cut short here.
import { SshpodError } from '../errors.ts';
import type { KubeEvent, Pod } from '../kube/types.ts';

export interface StartingPod {
  namespace: string;
  pod: string;
  container: string;
  template: string;
  /** Where the template came from (a file, or "built in"), for hints. */
  source: string;
}

export type StartState = { state: 'running' } | { state: 'waiting'; progress: string } | { state: 'failed'; error: SshpodError };

const CANNOT_START = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'RegistryUnavailable',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
  'PreStartHookError',
  'CrashLoopBackOff',
]);
const IMAGE_REASONS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull', 'RegistryUnavailable']);

function cut(text: string, length = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > length ? `${flat.slice(0, length - 1)}…` : flat;
}

function word(reason: string | undefined): string | undefined {
  return reason && /^[A-Za-z0-9 ._-]{1,64}$/.test(reason) ? reason : undefined;
}

/** The events newest first (by their last time, else creation). */
export function newestFirst(events: readonly KubeEvent[]): KubeEvent[] {
  const time = (event: KubeEvent): number => Date.parse(event.lastTimestamp ?? event.eventTime ?? event.metadata.creationTimestamp ?? '') || 0;
  return [...events].sort((a, b) => time(b) - time(a));
}

/** `text` with the newest warning after it, unless the text already says the same. */
export function withLatestWarning(text: string, events: readonly KubeEvent[]): string {
  // kubelet follows each failure with a bare `Error: ErrImagePull`: the one before says more.
  const warning = newestFirst(events).find((event) => event.type === 'Warning' && !/^Error: [A-Za-z]+$/.test(event.message ?? ''));
  const message = cut(warning?.message ?? '');
  if (!warning || message === '' || text.includes(message.slice(0, 60))) return text;
  return `${text} (${word(warning.reason) ?? 'Warning'}: ${message})`;
}

function latestNormal(events: readonly KubeEvent[]): string | undefined {
  const normal = newestFirst(events).find((event) => event.type === 'Normal' && event.message);
  return normal?.message ? cut(normal.message, 120) : undefined;
}

function cannotStart(target: StartingPod, why: string, reason: string | undefined): SshpodError {
  const fixTemplate = target.source === 'built in' ? `write your own template--${target.template} in ~/.config/sshpod/templates/${target.template}.yaml` : `fix ${target.source}`;
  const hint =
    reason && IMAGE_REASONS.has(reason)
      ? `check the image of template "${target.template}"${target.source === 'built in' && (target.template === 'debug' || target.template === 'kubectl') ? ` (SSHPOD_${target.template.toUpperCase()}_IMAGE names another)` : ''}, and that the cluster can pull it; ${fixTemplate}`
      : `${fixTemplate}; sshpod deleted the pod (kubectl get events -n ${target.namespace} shows what the cluster said)`;
  return new SshpodError('container', `the pod for template "${target.template}" (${target.pod} in namespace "${target.namespace}") cannot start: ${why}`, { hint });
}

export function startState(pod: Pod, events: readonly KubeEvent[], target: StartingPod): StartState {
  const status = pod.status ?? {};
  const containerStatus = status.containerStatuses?.find((c) => c.name === target.container);
  const withWarning = (text: string): string => withLatestWarning(text, events);

  if (pod.metadata.deletionTimestamp) return { state: 'failed', error: new SshpodError('container', `the pod for template "${target.template}" (${target.pod}) is being deleted before it started`, { hint: 'connect again' }) };
  if (status.phase === 'Running' && containerStatus?.state?.running) return { state: 'running' };

  const waiting = containerStatus?.state?.waiting;
  if (waiting?.reason && CANNOT_START.has(waiting.reason)) {
    return { state: 'failed', error: cannotStart(target, withWarning(`${waiting.reason}: ${cut(waiting.message ?? '')}`.replace(/: $/, '')), waiting.reason) };
  }
  const terminated = containerStatus?.state?.terminated;
  if (terminated || status.phase === 'Succeeded' || status.phase === 'Failed') {
    const what = terminated ? `its container "${target.container}" ended (${word(terminated.reason) ?? 'exited'}, exit code ${terminated.exitCode ?? '?'})` : `it ended (${word(status.phase)})`;
    return { state: 'failed', error: cannotStart(target, withWarning(`${what}${terminated?.message ? `: ${cut(terminated.message)}` : ''}`), terminated?.reason) };
  }

  const scheduled = status.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False') {
    const message = scheduled.message ? `: ${cut(scheduled.message)}` : '';
    return { state: 'waiting', progress: `waiting for a node (${word(scheduled.reason) ?? 'unschedulable'}${message})` };
  }
  if (!pod.spec?.nodeName && !scheduled) return { state: 'waiting', progress: 'waiting to be scheduled' };
  const doing = latestNormal(events);
  if (waiting?.reason) return { state: 'waiting', progress: `${word(waiting.reason) ?? 'waiting'}${doing ? `: ${doing}` : ''}` };
  return { state: 'waiting', progress: doing ?? `starting (${word(status.phase) ?? 'Pending'})` };
}

/** The error for a pod still not running when the wait's bound ran out. */
export function startTimeoutError(target: StartingPod, seconds: string, lastProgress: string, events: readonly KubeEvent[]): SshpodError {
  return new SshpodError('timeout', `the pod for template "${target.template}" (${target.pod} in namespace "${target.namespace}") did not start within ${seconds}: ${withLatestWarning(lastProgress, events)}`, {
    hint: 'if the cluster is just slow (a large image, a node being added), allow more time with SSHPOD_POD_TIMEOUT=SECONDS (ssh passes it on); sshpod deleted the pod',
  });
}
