// Pod status as kubelet reports it, computed from the runtime's container states: phase,
// conditions (PodScheduled, Initialized, ContainersReady, Ready, PodReadyToStartContainers),
// containerStatuses, IPs. Pure: the kubelet glue feeds it states and writes the result.
import { createHash } from 'node:crypto';
import type { ContainerState as RuntimeContainerState } from '../runtime/types.ts';
import type { Condition, ContainerStatus, Pod, PodStatus } from '../api/types.ts';
import { nowTimestamp } from '../api/store.ts';

function ts(d: Date | undefined): string | undefined {
  return d ? nowTimestamp(d) : undefined;
}

export function containerID(podUID: string, name: string): string {
  return `containerd://${createHash('sha256').update(`${podUID}/${name}`).digest('hex')}`;
}

export function imageID(image: string): string {
  return `${image.split(':')[0]}@sha256:${createHash('sha256').update(image).digest('hex')}`;
}

/** Keeps lastTransitionTime when a condition's status did not change. */
function condition(previous: Condition[] | undefined, type: string, status: Condition['status'], now: string, reason?: string): Condition {
  const old = previous?.find((c) => c.type === type);
  const c: Condition = { type, status, lastProbeTime: null, lastTransitionTime: old && old.status === status ? old.lastTransitionTime : now };
  if (reason) c.reason = reason;
  return c;
}

export interface WaitingReason {
  reason: string;
  message?: string;
}

/** Status before containers run: scheduled, and each container waiting for `waiting`. */
export function waitingPodStatus(pod: Pod, waiting: WaitingReason, hostIP: string, now = new Date()): PodStatus {
  const t = nowTimestamp(now);
  const prev = pod.status?.conditions;
  const sandboxReady = waiting.reason === 'ContainerCreating' ? 'False' : 'True';
  return {
    ...pod.status,
    phase: 'Pending',
    conditions: [
      condition(prev, 'PodReadyToStartContainers', sandboxReady, t),
      condition(prev, 'Initialized', 'True', t),
      condition(prev, 'Ready', 'False', t, 'ContainersNotReady'),
      condition(prev, 'ContainersReady', 'False', t, 'ContainersNotReady'),
      condition(prev, 'PodScheduled', 'True', t),
    ].map((c) => (c.reason === 'ContainersNotReady' ? { ...c, message: `containers with unready status: [${pod.spec.containers.map((x) => x.name).join(' ')}]` } : c)),
    hostIP,
    hostIPs: [{ ip: hostIP }],
    startTime: pod.status?.startTime ?? t,
    containerStatuses: pod.spec.containers.map((c) => {
      const w: { reason: string; message?: string } = { reason: waiting.reason };
      if (waiting.message) w.message = waiting.message;
      return { name: c.name, state: { waiting: w }, lastState: {}, ready: false, restartCount: 0, image: c.image ?? '', imageID: '', started: false };
    }),
    qosClass: 'BestEffort',
  };
}

/** kubelet's getPhase, for a runtime without restarts: a pod whose containers have all exited is
 *  Succeeded or Failed whatever its restartPolicy; with Always it stays Running (a real kubelet
 *  would be restarting it). */
function phaseOf(pod: Pod, states: RuntimeContainerState[]): PodStatus['phase'] {
  const running = states.filter((s) => s.running).length;
  const exited = states.filter((s) => !s.running && s.exitCode !== undefined);
  if (running + exited.length < pod.spec.containers.length) return 'Pending';
  if (running > 0) return 'Running';
  if (pod.spec.restartPolicy === 'Always') return 'Running';
  return exited.every((s) => s.exitCode === 0) ? 'Succeeded' : 'Failed';
}

/** status.ephemeralContainerStatuses: never ready (kubelet does not probe them); waiting
 *  (ContainerCreating, or why it cannot start) until the runtime has it, then running/terminated. */
export function ephemeralContainerStatuses(pod: Pod, states: RuntimeContainerState[], waiting: ReadonlyMap<string, WaitingReason>): ContainerStatus[] {
  const byName = new Map(states.filter((s) => s.ephemeral).map((s) => [s.name, s]));
  return (pod.spec.ephemeralContainers ?? []).map((c) => {
    const base = { name: c.name, lastState: {}, ready: false, restartCount: 0, image: c.image ?? '', imageID: imageID(c.image ?? ''), containerID: containerID(pod.metadata.uid, c.name) };
    const s = byName.get(c.name);
    if (!s) {
      const w = waiting.get(c.name) ?? { reason: 'ContainerCreating' };
      return { ...base, imageID: '', containerID: undefined, state: { waiting: { ...w } } };
    }
    if (s.running) return { ...base, state: { running: { startedAt: ts(s.startedAt) } } };
    const code = s.exitCode ?? 0;
    const terminated: Record<string, unknown> = { exitCode: code, reason: s.reason ?? (code === 0 ? 'Completed' : 'Error') };
    if (s.message) terminated.message = s.message;
    Object.assign(terminated, { startedAt: ts(s.startedAt), finishedAt: ts(s.finishedAt), containerID: base.containerID });
    return { ...base, state: { terminated: terminated as { exitCode: number } } };
  });
}

export function runningPodStatus(pod: Pod, allStates: RuntimeContainerState[], podIP: string, hostIP: string, now = new Date(), ephemeralWaiting: ReadonlyMap<string, WaitingReason> = new Map()): PodStatus {
  const t = nowTimestamp(now);
  const states = allStates.filter((s) => !s.ephemeral);
  const prev = pod.status?.conditions;
  const byName = new Map(states.map((s) => [s.name, s]));
  const containerStatuses: ContainerStatus[] = pod.spec.containers.map((c) => {
    const s = byName.get(c.name);
    const base = { name: c.name, lastState: {}, restartCount: 0, image: c.image ?? '', imageID: imageID(c.image ?? ''), containerID: containerID(pod.metadata.uid, c.name) };
    if (!s) return { ...base, state: { waiting: { reason: 'ContainerCreating' } }, ready: false, started: false };
    if (s.running) return { ...base, state: { running: { startedAt: ts(s.startedAt) } }, ready: true, started: true };
    const code = s.exitCode ?? 0;
    const terminated: Record<string, unknown> = { exitCode: code, reason: s.reason ?? (code === 0 ? 'Completed' : 'Error') };
    if (s.message) terminated.message = s.message;
    Object.assign(terminated, { startedAt: ts(s.startedAt), finishedAt: ts(s.finishedAt), containerID: base.containerID });
    return {
      ...base,
      state: { terminated: terminated as { exitCode: number } },
      ready: false,
      started: false,
    };
  });
  const phase = phaseOf(pod, states);
  const allReady = containerStatuses.every((c) => c.ready);
  const unready = containerStatuses.filter((c) => !c.ready).map((c) => c.name);
  const notReadyReason = phase === 'Succeeded' || phase === 'Failed' ? 'PodCompleted' : 'ContainersNotReady';
  const readyCondition = (type: string): Condition => {
    const c = condition(prev, type, allReady ? 'True' : 'False', t, allReady ? undefined : notReadyReason);
    if (!allReady && notReadyReason === 'ContainersNotReady') c.message = `containers with unready status: [${unready.join(' ')}]`;
    return c;
  };
  const status: PodStatus = {
    phase,
    conditions: [
      condition(prev, 'PodReadyToStartContainers', phase === 'Succeeded' || phase === 'Failed' ? 'False' : 'True', t),
      condition(prev, 'Initialized', 'True', t),
      readyCondition('Ready'),
      readyCondition('ContainersReady'),
      condition(prev, 'PodScheduled', 'True', t),
    ],
    hostIP,
    hostIPs: [{ ip: hostIP }],
    podIP,
    podIPs: [{ ip: podIP }],
    startTime: pod.status?.startTime ?? t,
    containerStatuses,
    qosClass: 'BestEffort',
  };
  if (pod.spec.ephemeralContainers?.length) {
    status.ephemeralContainerStatuses = ephemeralContainerStatuses(pod, allStates, ephemeralWaiting).map((c) => {
      if (c.containerID === undefined) delete c.containerID;
      return c;
    });
  }
  return status;
}
