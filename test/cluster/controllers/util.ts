// Shared pieces of the workload controllers: a coalescing work queue, owner references, pod
// predicates and pod construction from a template, as kube-controller-manager's controller
// utilities do it.
import type { KubeObject, OwnerReference, Pod, PodTemplateSpec, StoredObject } from '../api/types.ts';
import type { StoreEvent } from '../api/store.ts';

/** Runs `sync(key)` once per batch of enqueues, outside the store's event fan-out. */
export class WorkQueue {
  private readonly pending = new Set<string>();
  private scheduled = false;
  private readonly sync: (key: string) => void;
  private readonly onError: (key: string, error: unknown) => void;
  private stopped = false;

  constructor(sync: (key: string) => void, onError: (key: string, error: unknown) => void) {
    this.sync = sync;
    this.onError = onError;
  }

  add(key: string): void {
    if (this.stopped) return;
    this.pending.add(key);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    this.scheduled = false;
    const keys = [...this.pending];
    this.pending.clear();
    for (const key of keys) {
      if (this.stopped) return;
      try {
        this.sync(key);
      } catch (error) {
        this.onError(key, error);
      }
    }
  }

  stop(): void {
    this.stopped = true;
    this.pending.clear();
  }
}

export function keyOf(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}

export function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}

export function controllerRef(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller);
}

export function ownerRefTo(owner: StoredObject): OwnerReference {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}

export function isOwnedBy(obj: KubeObject, owner: StoredObject): boolean {
  return controllerRef(obj)?.uid === owner.metadata.uid;
}

export function isPodTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** Counted by controllers: not finished and not being deleted. */
export function isPodActive(pod: Pod): boolean {
  return !isPodTerminal(pod) && !pod.metadata.deletionTimestamp;
}

export function isPodReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** A pod object from a workload's template (controller.GetPodFromTemplate). */
export function podFromTemplate(template: PodTemplateSpec, owner: StoredObject, name: { name?: string; generateName?: string }, extraLabels: Record<string, string> = {}): KubeObject {
  const meta = template.metadata ?? {};
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...name,
      namespace: owner.metadata.namespace,
      labels: { ...(meta.labels ?? {}), ...extraLabels },
      ownerReferences: [ownerRefTo(owner)],
    },
    spec: structuredClone(template.spec),
  };
  if (meta.annotations) pod.metadata.annotations = { ...meta.annotations };
  if (meta.finalizers) pod.metadata.finalizers = [...meta.finalizers];
  return pod;
}

/** Enqueues the controller owner of a changed object when it is of `ownerKind`. */
export function enqueueOwner(event: StoreEvent, ownerKind: string, queue: WorkQueue): void {
  for (const obj of [event.object, event.previous]) {
    const ref = obj ? controllerRef(obj) : undefined;
    if (ref && ref.kind === ownerKind) queue.add(`${obj?.metadata.namespace ?? ''}/${ref.name}`);
  }
}

/** FNV-1a 32-bit, as k8s.io/kubernetes/pkg/util/hash feeds the pod template into. */
export function fnv32a(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** rand.SafeEncodeString: digits mapped onto an alphabet without vowels or look-alikes. */
export function safeEncode(text: string): string {
  const alphanums = 'bcdfghjklmnpqrstvwxz2456789';
  return [...text].map((c) => alphanums[c.charCodeAt(0) % alphanums.length]).join('');
}

/** pod-template-hash / controller-revision-hash of a template. */
export function templateHash(template: unknown, collisionCount = 0): string {
  return safeEncode(String(fnv32a(JSON.stringify(template) + (collisionCount ? String(collisionCount) : ''))));
}

/** A workload condition that keeps its timestamps while nothing about it changes (so a
 *  re-sync does not rewrite status and trigger itself again). */
export function condition(
  type: string,
  statusValue: 'True' | 'False',
  reason: string,
  message: string,
  now: string,
  previous?: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string; lastUpdateTime?: string }[],
  timeFields: 'update' | 'probe' = 'update',
): Record<string, unknown> {
  const old = previous?.find((c) => c.type === type);
  const same = old && old.status === statusValue && old.reason === reason && old.message === message;
  const transition = old && old.status === statusValue ? old.lastTransitionTime : now;
  if (timeFields === 'probe') {
    return { type, status: statusValue, lastProbeTime: same ? (old as Record<string, unknown>).lastProbeTime : now, lastTransitionTime: transition, reason, message };
  }
  return { type, status: statusValue, lastUpdateTime: same ? old.lastUpdateTime : now, lastTransitionTime: transition, reason, message };
}
