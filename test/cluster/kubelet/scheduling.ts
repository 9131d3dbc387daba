// The part of kube-scheduler this one-node cluster models: a pod whose nodeSelector the node's
// labels do not satisfy is not bound; it stays Pending with PodScheduled=False, reason
// Unschedulable, and the scheduler's message (pure).
import type { KubeObject, Pod } from '../api/types.ts';

/** kube-scheduler's message when the only node fails the pod's node selector, or undefined when it fits. */
export function unschedulableMessage(pod: Pod, node: KubeObject | undefined): string | undefined {
  const selector = (pod.spec.nodeSelector ?? {}) as Record<string, string>;
  const labels = node?.metadata.labels ?? {};
  if (Object.entries(selector).every(([key, value]) => labels[key] === value)) return undefined;
  return "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.";
}
