// Owner references: when an owner goes, its dependents go too (Background), or lose the
// reference (Orphan), or go first while the owner waits with the foregroundDeletion finalizer
// (Foreground) — what `kubectl delete deployment` relies on to remove ReplicaSets and pods.
import type { Registry } from '../api/registry.ts';
import type { Store, StoreEvent } from '../api/store.ts';
import type { ResourceType } from '../api/resources.ts';
import { resourceTypes } from '../api/resources.ts';
import type { StoredObject } from '../api/types.ts';
import { WorkQueue } from './util.ts';

interface Found {
  type: ResourceType;
  object: StoredObject;
}

export class GarbageCollector {
  private readonly registry: Registry;
  private readonly store: Store;
  private readonly queue: WorkQueue;
  private readonly unsubscribe: () => void;
  /** uid → where the owner lived, for owners already gone from the store. */
  private readonly goneOwners = new Map<string, string | undefined>();

  constructor(registry: Registry, store: Store, onError: (key: string, error: unknown) => void) {
    this.registry = registry;
    this.store = store;
    this.queue = new WorkQueue((uid) => this.sync(uid), onError);
    this.unsubscribe = store.subscribe((event) => this.onEvent(event));
  }

  stop(): void {
    this.unsubscribe();
    this.queue.stop();
  }

  private onEvent(event: StoreEvent): void {
    const obj = event.object;
    if (event.type === 'DELETED') {
      this.goneOwners.set(obj.metadata.uid, obj.metadata.namespace);
      this.queue.add(obj.metadata.uid);
      // A dependent going away may unblock an owner in foreground deletion.
      for (const ref of obj.metadata.ownerReferences ?? []) this.queue.add(ref.uid);
      return;
    }
    const finalizers = obj.metadata.finalizers ?? [];
    if (obj.metadata.deletionTimestamp && (finalizers.includes('foregroundDeletion') || finalizers.includes('orphan'))) {
      this.queue.add(obj.metadata.uid);
    }
  }

  private dependents(uid: string, namespace: string | undefined): Found[] {
    const out: Found[] = [];
    for (const type of resourceTypes) {
      if (!type.namespaced || type.createOnly) continue;
      for (const object of this.store.list(type, namespace)) {
        if (object.metadata.ownerReferences?.some((r) => r.uid === uid)) out.push({ type, object });
      }
    }
    return out;
  }

  private findOwner(uid: string): Found | undefined {
    for (const type of resourceTypes) {
      if (type.createOnly) continue;
      const object = this.store.list(type).find((o) => o.metadata.uid === uid);
      if (object) return { type, object };
    }
    return undefined;
  }

  private dropReference(dep: Found, uid: string): void {
    this.registry.mutate(dep.type, dep.object.metadata.namespace ?? '', dep.object.metadata.name, (obj) => {
      const refs = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
      if (refs.length > 0) obj.metadata.ownerReferences = refs;
      else delete obj.metadata.ownerReferences;
    });
  }

  private removeFinalizer(owner: Found, finalizer: string): void {
    this.registry.mutate(owner.type, owner.object.metadata.namespace ?? '', owner.object.metadata.name, (obj) => {
      obj.metadata.finalizers = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    });
  }

  private sync(uid: string): void {
    const owner = this.findOwner(uid);
    if (!owner) {
      // Owner gone: dependents whose only owner it was are deleted, others just lose the reference.
      const namespace = this.goneOwners.get(uid);
      this.goneOwners.delete(uid);
      for (const dep of this.dependents(uid, namespace)) {
        const others = (dep.object.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid && this.findOwner(r.uid));
        if (others.length > 0) this.dropReference(dep, uid);
        else if (!dep.object.metadata.deletionTimestamp) this.deleteQuietly(dep, 'Background');
      }
      return;
    }
    const finalizers = owner.object.metadata.finalizers ?? [];
    if (!owner.object.metadata.deletionTimestamp) return;
    const ns = owner.type.namespaced ? owner.object.metadata.namespace : undefined;
    if (finalizers.includes('orphan')) {
      for (const dep of this.dependents(uid, ns)) this.dropReference(dep, uid);
      this.removeFinalizer(owner, 'orphan');
      return;
    }
    if (finalizers.includes('foregroundDeletion')) {
      const deps = this.dependents(uid, ns);
      for (const dep of deps) if (!dep.object.metadata.deletionTimestamp) this.deleteQuietly(dep, 'Foreground');
      if (deps.length === 0) this.removeFinalizer(owner, 'foregroundDeletion');
    }
  }

  private deleteQuietly(dep: Found, policy: 'Background' | 'Foreground'): void {
    try {
      this.registry.delete(dep.type, dep.object.metadata.namespace ?? '', dep.object.metadata.name, { propagationPolicy: policy });
    } catch {
      // Already gone: nothing to collect.
    }
  }
}
