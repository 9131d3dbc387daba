// Waits for a pod sshpod made to run, bounded, saying what it waits for. One GET per look, quick
// at first (the local test cluster and a warm node start a pod in well under a second), then
// once a second; the pod's events (what the scheduler and kubelet say: pulling, unschedulable,
// failed) are read with the first looks and every few seconds after, and once more for an error.
// An AbortSignal (Ctrl-C, the connection ending) stops the wait at once.
import type { KubeApi } from '../kube/api.ts';
import type { KubeEvent, List, Pod } from '../kube/types.ts';
import { podPath } from '../kube/paths.ts';
import { SshpodError, isSshpodError } from '../errors.ts';
import { seconds } from '../timeout.ts';
import { log } from '../log.ts';
import { startState, startTimeoutError, type StartingPod } from './pod-start.ts';

/**
 * Three minutes: an image pull or a node added by an autoscaler takes a minute or two, and a
 * person looking at a silent ssh (ControlPersist hides the progress line) should hear within a few.
 */
export const DEFAULT_POD_START_SECONDS = 180;

export function podStartTimeoutMs(environment: NodeJS.ProcessEnv = process.env): number {
  const value = Number(environment['SSHPOD_POD_TIMEOUT']);
  return Number.isFinite(value) && value > 0 ? Math.round(value * 1000) : DEFAULT_POD_START_SECONDS * 1000;
}

export interface WaitOptions {
  timeoutMs: number;
  /** Called at every look with what the pod waits for (progress-line.ts decides what to print). */
  onProgress?: (progress: string, elapsedMs: number) => void;
  signal?: AbortSignal;
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export async function podEvents(api: KubeApi, namespace: string, pod: string, uid: string): Promise<KubeEvent[]> {
  try {
    const query = new URLSearchParams({ fieldSelector: `involvedObject.uid=${uid}` });
    const list = await api.get<List<KubeEvent>>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/events`, { verb: 'list', resource: 'events', namespace }, query);
    return list.items;
  } catch (error) {
    log.debug(`events of pod ${pod}: ${(error as Error).message}`);
    return []; // events are a courtesy: without RBAC for them, the pod's status still speaks
  }
}

async function getPod(api: KubeApi, target: StartingPod, uid: string): Promise<Pod> {
  try {
    const pod = await api.get<Pod>(podPath(target.namespace, target.pod), { verb: 'get', resource: 'pods', namespace: target.namespace, name: target.pod });
    if (pod.metadata.uid === uid) return pod;
  } catch (error) {
    if (!isSshpodError(error) || error.kind !== 'not-found') throw error;
  }
  throw new SshpodError('container', `the pod for template "${target.template}" (${target.pod}) was deleted while it was starting`, { hint: 'connect again; if it keeps happening, see kubectl get events -n ' + target.namespace });
}

export async function waitForPod(api: KubeApi, target: StartingPod, uid: string, options: WaitOptions): Promise<Pod> {
  const started = performance.now();
  const deadline = started + options.timeoutMs;
  let lastProgress = 'Pending';
  let events: KubeEvent[] = [];
  for (let look = 0; ; look++) {
    if (options.signal?.aborted) throw options.signal.reason;
    const pod = await getPod(api, target, uid);
    // Events matter once the pod waits for something; early looks of a fast start skip them.
    if (look === 3 || (look > 3 && look % 5 === 0)) events = await podEvents(api, target.namespace, target.pod, uid);
    let state = startState(pod, events, target);
    if (state.state === 'failed') {
      // Read the events once more so that the error carries what the cluster said last.
      events = await podEvents(api, target.namespace, target.pod, uid);
      state = startState(pod, events, target);
    }
    if (state.state === 'running') {
      log.debug(`pod ${target.pod} running after ${seconds(performance.now() - started)}`);
      return pod;
    }
    if (state.state === 'failed') throw state.error;
    lastProgress = state.progress;
    const now = performance.now();
    options.onProgress?.(lastProgress, now - started);
    if (now >= deadline) throw startTimeoutError(target, seconds(options.timeoutMs), lastProgress, await podEvents(api, target.namespace, target.pod, uid));
    await delay(Math.min(look < 5 ? 50 * 2 ** look : 1000, Math.max(0, deadline - now)), options.signal);
  }
}
