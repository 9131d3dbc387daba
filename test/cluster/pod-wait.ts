// Pod conditions test code waits for, and a one-line description of where a pod is stuck
// (phase, container waiting reasons and messages) for error messages.
import type { Pod } from './api/types.ts';

export type PodCondition = 'Started' | 'Running' | 'Ready' | 'Succeeded' | 'Failed' | 'Deleted' | ((pod: Pod | undefined) => boolean);

export class PodWaitError extends Error {}

const hopeless = new Set(['ErrImagePull', 'ImagePullBackOff', 'CreateContainerConfigError', 'RunContainerError', 'InvalidImageName', 'CreateContainerError']);

export function describePod(pod: Pod | undefined): string {
  if (!pod) return 'gone';
  const parts: string[] = [pod.status?.phase ?? 'Pending'];
  if (pod.metadata.deletionTimestamp) parts.push('terminating');
  for (const cs of pod.status?.containerStatuses ?? []) {
    const w = cs.state.waiting;
    const t = cs.state.terminated;
    if (w?.reason) parts.push(`${cs.name}: ${w.reason}${w.message ? ` (${w.message})` : ''}`);
    else if (t) parts.push(`${cs.name}: exited ${t.exitCode}${t.reason ? ` (${t.reason}${t.message ? `: ${t.message}` : ''})` : ''}`);
  }
  return parts.join(', ');
}

/** 'done' when the pod meets the condition, 'impossible' when it never will, 'not-yet' otherwise. */
export function podCondition(pod: Pod | undefined, condition: PodCondition): 'done' | 'impossible' | 'not-yet' {
  if (typeof condition === 'function') return condition(pod) ? 'done' : 'not-yet';
  if (condition === 'Deleted') return pod ? 'not-yet' : 'done';
  if (!pod) return 'impossible';
  const phase = pod.status?.phase;
  const ready = (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  const stuck = (pod.status?.containerStatuses ?? []).some((cs) => hopeless.has(cs.state.waiting?.reason ?? ''));
  switch (condition) {
    case 'Succeeded':
    case 'Failed':
      if (phase === condition) return 'done';
      return stuck || phase === 'Succeeded' || phase === 'Failed' ? 'impossible' : 'not-yet';
    case 'Running':
      if (phase === 'Running') return 'done';
      return stuck || phase === 'Succeeded' || phase === 'Failed' ? 'impossible' : 'not-yet';
    case 'Ready':
      if (ready) return 'done';
      return stuck || phase === 'Succeeded' || phase === 'Failed' ? 'impossible' : 'not-yet';
    case 'Started':
      // Ready, or already finished successfully (a pod whose command is short).
      if (ready || phase === 'Succeeded') return 'done';
      return stuck || phase === 'Failed' ? 'impossible' : 'not-yet';
  }
}
