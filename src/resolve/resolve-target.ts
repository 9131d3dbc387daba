// From the parsed hostname to one pod and container, with as few API round trips as possible:
// one GET for a pod; a GET of the workload and one LIST of its pods for anything else. Extra
// calls happen only on the way to an error message (to list what does exist).
import type { KubeApi } from '../kube/api.ts';
import type { TargetRef } from '../target/target-ref.ts';
import type { Operation } from '../kube/api-error.ts';
import type { List, Pod, Workload } from '../kube/types.ts';
import { podPath, podsPath } from '../kube/paths.ts';
import { describeContinuations, type TargetSpec, type WorkloadKind } from '../target/hostname.ts';
import { SshpodError } from '../errors.ts';
import { choosePod, describePodState, isRunning } from './choose-pod.ts';
import { chooseContainer } from './choose-container.ts';
import { isEmptySelector, selectorMatches, selectorToQuery } from './selector.ts';

const WORKLOAD_PATHS: Record<Exclude<WorkloadKind, 'pod'>, { group: string; plural: string }> = {
  deployment: { group: 'apps/v1', plural: 'deployments' },
  statefulset: { group: 'apps/v1', plural: 'statefulsets' },
  daemonset: { group: 'apps/v1', plural: 'daemonsets' },
  replicaset: { group: 'apps/v1', plural: 'replicasets' },
  job: { group: 'batch/v1', plural: 'jobs' },
};

function isNotFound(error: unknown): boolean {
  return error instanceof SshpodError && error.kind === 'not-found';
}

/** Names of the objects of one kind in the namespace, for "not found" messages (best effort). */
async function existingNames(connection: KubeApi, path: string, operation: Operation): Promise<string[] | undefined> {
  try {
    const list = await connection.get<List<{ metadata: { name?: string } }>>(path, operation);
    return list.items.map((item) => item.metadata.name ?? '').filter(Boolean).sort();
  } catch {
    return undefined;
  }
}

function notFound(kind: string, name: string, namespace: string, candidates: string[] | undefined, spec: TargetSpec): SshpodError {
  const continuation = describeContinuations(spec);
  let hint: string;
  if (candidates === undefined) hint = `check with: kubectl get ${kind}s -n ${namespace}`;
  else if (candidates.length === 0) hint = `namespace "${namespace}" has no ${kind}s; is it the right namespace (namespace--NAME) and context (context--NAME)?`;
  else hint = `${kind}s in namespace "${namespace}": ${candidates.slice(0, 15).join(', ')}${candidates.length > 15 ? `, … (${candidates.length} in all)` : ''}`;
  if (continuation) hint = `${hint}; note: ${continuation}`;
  return new SshpodError('not-found', `${kind} "${name}" not found in namespace "${namespace}"`, { hint });
}

async function getPod(connection: KubeApi, spec: TargetSpec, namespace: string): Promise<Pod> {
  const operation: Operation = { verb: 'get', resource: 'pods', namespace, name: spec.name };
  try {
    return await connection.get<Pod>(podPath(namespace, spec.name), operation);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    const names = await existingNames(connection, podsPath(namespace), { verb: 'list', resource: 'pods', namespace });
    throw notFound('pod', spec.name, namespace, names, spec);
  }
}

async function podOfWorkload(connection: KubeApi, spec: TargetSpec, namespace: string): Promise<Pod> {
  const kind = spec.kind as Exclude<WorkloadKind, 'pod'>;
  const { group, plural } = WORKLOAD_PATHS[kind];
  const collection = `/apis/${group}/namespaces/${encodeURIComponent(namespace)}/${plural}`;
  const resource = `${plural}.${group.split('/')[0]}`;
  let workload: Workload;
  try {
    workload = await connection.get<Workload>(`${collection}/${encodeURIComponent(spec.name)}`, { verb: 'get', resource, namespace, name: spec.name });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    const names = await existingNames(connection, collection, { verb: 'list', resource, namespace });
    throw notFound(kind, spec.name, namespace, names, spec);
  }
  const selector = workload.spec?.selector ?? {};
  if (isEmptySelector(selector)) {
    throw new SshpodError('api', `${kind} "${spec.name}" has no pod selector`, { hint: 'target one of its pods with pod--NAME' });
  }
  const pods = await connection.get<List<Pod>>(podsPath(namespace), { verb: 'list', resource: 'pods', namespace }, new URLSearchParams({ labelSelector: selectorToQuery(selector) }));
  // The server filtered already; matching again guards against a server that ignored the selector.
  return choosePod(
    pods.items.filter((pod) => selectorMatches(selector, pod.metadata.labels)),
    kind,
    spec.name,
    namespace,
  );
}

function checkRunning(pod: Pod, container: string, namespace: string): void {
  const name = pod.metadata.name ?? '';
  if (!isRunning(pod)) {
    throw new SshpodError('not-found', `pod "${name}" in namespace "${namespace}" is not running (${describePodState(pod)})`, {
      hint: `see why with: kubectl describe pod ${name} -n ${namespace}`,
    });
  }
  const state = pod.status?.containerStatuses?.find((s) => s.name === container)?.state;
  if (state && !state.running) {
    const why = state.waiting?.reason ?? (state.terminated ? `terminated${state.terminated.reason ? `: ${state.terminated.reason}` : ''}` : 'not running');
    throw new SshpodError('not-found', `container "${container}" of pod "${name}" is not running (${why})`, {
      hint: `see why with: kubectl describe pod ${name} -n ${namespace}`,
    });
  }
}

export async function resolveTarget(connection: KubeApi, spec: TargetSpec, defaultNamespace: string): Promise<TargetRef> {
  const namespace = spec.namespace ?? defaultNamespace;
  // A template names no pod yet: src/ondemand makes one and resolves that pod by name.
  if (spec.kind === 'template') throw new SshpodError('usage', `template--${spec.name} names a pod to be made, not one to look up`, { hint: 'connect to it with ssh, which makes the pod' });
  const pod = spec.kind === 'pod' ? await getPod(connection, spec, namespace) : await podOfWorkload(connection, spec, namespace);
  const container = chooseContainer(pod, spec.container);
  checkRunning(pod, container, namespace);
  const podUid = pod.metadata.uid;
  if (!podUid) throw new SshpodError('api', `pod "${pod.metadata.name}" has no uid in the API's answer`);
  return { namespace, pod: pod.metadata.name ?? spec.name, podUid, container };
}
