// Which pod of a workload to enter. The choice must be deterministic so that `ssh` and then `scp`
// to the same name land on the same pod while it stays ready: Running+Ready pods first, then
// Running ones; among them the lowest StatefulSet ordinal, else the oldest pod (a rollout adds
// newer pods, so the oldest ready pod keeps being chosen), then the name.
import type { Pod } from '../kube/types.ts';
import type { WorkloadKind } from '../target/hostname.ts';
import { SshpodError } from '../errors.ts';

export function isReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Running and not being deleted. */
export function isRunning(pod: Pod): boolean {
  return pod.status?.phase === 'Running' && !pod.metadata.deletionTimestamp;
}

function ordinal(name: string): number {
  const match = /-(\d+)$/.exec(name);
  return match ? Number(match[1]) : Number.MAX_SAFE_INTEGER;
}

function compareFor(kind: WorkloadKind): (a: Pod, b: Pod) => number {
  return (a, b) => {
    const nameA = a.metadata.name ?? '';
    const nameB = b.metadata.name ?? '';
    if (kind === 'statefulset') {
      const byOrdinal = ordinal(nameA) - ordinal(nameB);
      if (byOrdinal !== 0) return byOrdinal;
    }
    const byAge = (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '');
    return byAge !== 0 ? byAge : nameA.localeCompare(nameB);
  };
}

/** A pod's state in a few words, as `kubectl get pods` would summarise it. */
export function describePodState(pod: Pod): string {
  if (pod.metadata.deletionTimestamp) return 'Terminating';
  const phase = pod.status?.phase ?? 'Unknown';
  const waiting = pod.status?.containerStatuses?.map((s) => s.state?.waiting?.reason).find(Boolean);
  if (waiting) return `${phase} (${waiting})`;
  if (phase === 'Running' && !isReady(pod)) return 'Running, not ready';
  return phase;
}

export function choosePod(pods: readonly Pod[], kind: WorkloadKind, workloadName: string, namespace: string): Pod {
  const running = pods.filter(isRunning).sort(compareFor(kind));
  const chosen = running.find(isReady) ?? running[0];
  if (chosen) return chosen;
  const what = `${kind} "${workloadName}" in namespace "${namespace}"`;
  if (pods.length === 0) {
    throw new SshpodError('not-found', `${what} has no pods`, {
      hint: `check it with: kubectl get ${kind} ${workloadName} -n ${namespace}`,
    });
  }
  const listing = pods.map((pod) => `${pod.metadata.name} (${describePodState(pod)})`).join(', ');
  throw new SshpodError('not-found', `${what} has no running pod: ${listing}`, {
    hint: `wait for a pod to start (kubectl get pods -n ${namespace}), or target one with pod--NAME`,
  });
}
