// A shared template's pod is reference-counted in the pod itself: its annotation sshpod/holders
// lists one id per connection using it. A connection joins by adding its id and leaves by removing
// it; the one that removes the last id deletes the pod. Every change is conditional on the
// resourceVersion it read (a merge patch carrying it, a delete with it as precondition), so a
// connection joining while the last one leaves either lands in the list first (and the delete
// fails, is re-read, and the pod stays) or finds the pod gone and makes a new one. The pod's name
// comes from what it is shared for, so two first connections at once meet at one name (the
// second create is refused as AlreadyExists and joins).
//
// A holder whose client vanished without leaving (SIGKILL of sshpod and of its guard) stays in the
// list; the pod then ends by its safeguard once no ssh session is left, and a finished shared pod
// is deleted by whoever comes next (the next connection, sweep.ts, `sshpod cleanup`).
import { randomBytes } from 'node:crypto';
import type { KubeApi } from '../kube/api.ts';
import type { Pod } from '../kube/types.ts';
import { podPath } from '../kube/paths.ts';
import { SshpodError, isSshpodError } from '../errors.ts';
import { log } from '../log.ts';
import { ANNOTATIONS } from './labels.ts';
import { annotatePod, createPod, deletePod, isConflict, type PodRef } from './pod-requests.ts';

const HOLDER = /^[A-Za-z0-9._-]{1,64}$/;
/** Conflicting writes are retried; this many means something else keeps changing the pod. */
const ATTEMPTS = 20;

export function newHolderId(): string {
  return `${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** The holders an annotation lists (pure; anything that is not an id is ignored). */
export function parseHolders(value: string | undefined): string[] {
  return [...new Set((value ?? '').split(/\s+/).filter((id) => HOLDER.test(id)))];
}

export function holdersOf(pod: Pod): string[] {
  return parseHolders(pod.metadata.annotations?.[ANNOTATIONS.holders]);
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function isFinished(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

async function getIfThere(api: KubeApi, namespace: string, name: string): Promise<Pod | undefined> {
  try {
    return await api.get<Pod>(podPath(namespace, name), { verb: 'get', resource: 'pods', namespace, name });
  } catch (error) {
    if (isSshpodError(error) && error.kind === 'not-found') return undefined;
    throw error;
  }
}

function refOf(pod: Pod, namespace: string): PodRef {
  return { namespace, pod: pod.metadata.name ?? '', podUid: pod.metadata.uid ?? '' };
}

/**
 * Joins the shared pod the manifest names, or creates it with `holder` as its first holder.
 * `created` says which (the creator waits for it to start like any new pod; so does a joiner).
 */
export async function joinOrCreateShared(
  api: KubeApi,
  manifest: { metadata: { name?: string; namespace: string } },
  holder: string,
  template: { name: string; source: string },
): Promise<{ pod: Pod; created: boolean }> {
  const { namespace, name } = manifest.metadata;
  if (!name) throw new Error('a shared pod needs a fixed name');
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const existing = await getIfThere(api, namespace, name);
    if (!existing) {
      try {
        return { pod: await createPod(api, manifest, template), created: true };
      } catch (error) {
        if (isConflict(error)) continue; // another connection created it first: join that one
        throw error;
      }
    }
    const ref = refOf(existing, namespace);
    if (existing.metadata.deletionTimestamp || isFinished(existing)) {
      // The last holder is deleting it, or it ended by its safeguard: wait for it to go, then make a new one.
      if (isFinished(existing) && !existing.metadata.deletionTimestamp) await deletePod(api, ref).catch(() => undefined);
      log.debug(`shared pod ${name} is ${existing.metadata.deletionTimestamp ? 'being deleted' : 'finished'}; waiting for it to go`);
      await pause(500);
      continue;
    }
    const holders = holdersOf(existing);
    if (holders.includes(holder)) return { pod: existing, created: false };
    const joined = await annotatePod(api, ref, existing.metadata.resourceVersion ?? '', { [ANNOTATIONS.holders]: [...holders, holder].join(' ') });
    if (joined === 'conflict' || joined === 'gone') continue;
    log.debug(`joined shared pod ${name} (${holders.length} other connection(s))`);
    return { pod: joined, created: false };
  }
  throw new SshpodError('api', `the shared pod "${name}" kept changing while sshpod tried to join it`, { hint: 'connect again' });
}

/** Leaves a shared pod; the last holder deletes it. */
export async function leaveShared(api: KubeApi, ref: PodRef, holder: string): Promise<'left' | 'deleted' | 'gone'> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const pod = await getIfThere(api, ref.namespace, ref.pod);
    if (!pod || pod.metadata.uid !== ref.podUid) return 'gone';
    const rest = holdersOf(pod).filter((id) => id !== holder);
    const resourceVersion = pod.metadata.resourceVersion ?? '';
    if (rest.length === 0) {
      const deleted = await deletePod(api, ref, resourceVersion);
      if (deleted === 'conflict') continue; // someone joined (or the kubelet wrote status): look again
      return deleted === 'gone' ? 'gone' : 'deleted';
    }
    if (rest.length === holdersOf(pod).length) return 'left';
    const left = await annotatePod(api, ref, resourceVersion, { [ANNOTATIONS.holders]: rest.join(' ') });
    if (left === 'conflict') continue;
    return left === 'gone' ? 'gone' : 'left';
  }
  throw new SshpodError('api', `the shared pod "${ref.pod}" kept changing while sshpod tried to leave it`, { hint: 'sshpod cleanup removes it once nobody uses it' });
}
