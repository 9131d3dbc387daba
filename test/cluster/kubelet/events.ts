// Events about pods, as kube-scheduler and kubelet record them (core/v1 Event): Scheduled and
// FailedScheduling from the scheduler; Pulled, Created, Started, Failed (an image that cannot be
// pulled) and Killing from the kubelet. `kubectl describe pod` and `kubectl get events` show them,
// and clients that explain why a pod does not start read them (involvedObject.uid field selector).
import { randomBytes } from 'node:crypto';
import type { Pod } from '../api/types.ts';
import type { Registry } from '../api/registry.ts';
import type { ResourceType } from '../api/resources.ts';
import { resourceByName } from '../api/resources.ts';
import { nowTimestamp } from '../api/store.ts';

export interface PodEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** `kubelet` (with the node) or `default-scheduler`. */
  component: 'kubelet' | 'default-scheduler';
  /** e.g. `spec.containers{main}` for a container's events. */
  fieldPath?: string;
}

/** The Event object for `event` about `pod` (pure). */
export function podEventObject(pod: Pod, event: PodEvent, nodeName: string, now = new Date()): Record<string, unknown> {
  const t = nowTimestamp(now);
  const involvedObject: Record<string, unknown> = { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid, apiVersion: 'v1' };
  if (event.fieldPath) involvedObject.fieldPath = event.fieldPath;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    // As client-go's recorder names them: the object's name and a unique hexadecimal suffix.
    metadata: { name: `${pod.metadata.name}.${randomBytes(8).toString('hex')}`, namespace: pod.metadata.namespace },
    involvedObject,
    reason: event.reason,
    message: event.message,
    source: event.component === 'kubelet' ? { component: 'kubelet', host: nodeName } : { component: 'default-scheduler' },
    firstTimestamp: t,
    lastTimestamp: t,
    count: 1,
    type: event.type,
    eventTime: null,
    reportingComponent: event.component,
    reportingInstance: event.component === 'kubelet' ? nodeName : '',
  };
}

export function recordPodEvent(registry: Registry, pod: Pod, event: PodEvent, nodeName: string): void {
  try {
    registry.create(resourceByName('events') as ResourceType, pod.metadata.namespace ?? 'default', podEventObject(pod, event, nodeName));
  } catch {
    // the namespace is going away: events are best effort, as in a real cluster
  }
}
