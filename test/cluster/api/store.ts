// The object store: what etcd is to kube-apiserver. One global resourceVersion counter (etcd's
// revision), a bounded event history so watches can resume from a resourceVersion, and
// synchronous fan-out of every change to listeners (watch streams, controllers, the kubelet).
import { randomUUID } from 'node:crypto';
import type { StoredObject } from './types.ts';
import type { ResourceType } from './resources.ts';
import { typeKey } from './resources.ts';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: EventType;
  resource: ResourceType;
  object: StoredObject;
  /** The object before a MODIFIED or DELETED change. */
  previous?: StoredObject;
  resourceVersion: number;
}

export type StoreListener = (event: StoreEvent) => void;

/** How many past events a watch can resume from before getting 410 Expired. */
const historyLimit = 5000;

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

export class Store {
  // Start well above zero: clients treat "0" as "any version".
  private revision = 1000;
  private readonly objects = new Map<string, Map<string, StoredObject>>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<StoreListener>();

  resourceVersion(): string {
    return String(this.revision);
  }

  private bucket(type: ResourceType): Map<string, StoredObject> {
    const key = typeKey(type);
    let b = this.objects.get(key);
    if (!b) {
      b = new Map();
      this.objects.set(key, b);
    }
    return b;
  }

  get(type: ResourceType, namespace: string | undefined, name: string): StoredObject | undefined {
    const obj = this.bucket(type).get(objectKey(type.namespaced ? namespace : '', name));
    return obj ? structuredClone(obj) : undefined;
  }

  /** All objects of a type, in one namespace or (namespace undefined) everywhere, sorted by namespace/name like etcd keys. */
  list(type: ResourceType, namespace?: string): StoredObject[] {
    const out: StoredObject[] = [];
    for (const obj of this.bucket(type).values()) {
      if (namespace && type.namespaced && obj.metadata.namespace !== namespace) continue;
      out.push(structuredClone(obj));
    }
    return out.sort((a, b) => objectKey(a.metadata.namespace, a.metadata.name).localeCompare(objectKey(b.metadata.namespace, b.metadata.name)));
  }

  /** Inserts a new object; the caller has checked it does not exist. Fills uid, resourceVersion, creationTimestamp. */
  insert(type: ResourceType, obj: StoredObject | (Omit<StoredObject, 'metadata'> & { metadata: StoredObject['metadata'] | Record<string, unknown> })): StoredObject {
    const stored = structuredClone(obj) as StoredObject;
    this.revision++;
    stored.metadata.uid = stored.metadata.uid || randomUUID();
    stored.metadata.resourceVersion = String(this.revision);
    stored.metadata.creationTimestamp = stored.metadata.creationTimestamp || nowTimestamp();
    this.bucket(type).set(objectKey(stored.metadata.namespace, stored.metadata.name), stored);
    this.emit({ type: 'ADDED', resource: type, object: stored, resourceVersion: this.revision });
    return structuredClone(stored);
  }

  replace(type: ResourceType, obj: StoredObject): StoredObject {
    const key = objectKey(obj.metadata.namespace, obj.metadata.name);
    const previous = this.bucket(type).get(key);
    if (!previous) throw new Error(`store: replace of missing ${typeKey(type)} ${key}`);
    const stored = structuredClone(obj);
    this.revision++;
    stored.metadata.uid = previous.metadata.uid;
    stored.metadata.creationTimestamp = previous.metadata.creationTimestamp;
    stored.metadata.resourceVersion = String(this.revision);
    this.bucket(type).set(key, stored);
    this.emit({ type: 'MODIFIED', resource: type, object: stored, previous, resourceVersion: this.revision });
    return structuredClone(stored);
  }

  remove(type: ResourceType, namespace: string | undefined, name: string): StoredObject | undefined {
    const key = objectKey(type.namespaced ? namespace : '', name);
    const previous = this.bucket(type).get(key);
    if (!previous) return undefined;
    this.bucket(type).delete(key);
    this.revision++;
    // A DELETED event carries the object's last state with the deletion's resourceVersion.
    const last = structuredClone(previous);
    last.metadata.resourceVersion = String(this.revision);
    this.emit({ type: 'DELETED', resource: type, object: last, previous, resourceVersion: this.revision });
    return structuredClone(last);
  }

  /** Events after `resourceVersion`, or undefined when the history no longer reaches back that far. */
  eventsSince(resourceVersion: number): StoreEvent[] | undefined {
    if (resourceVersion >= this.revision) return [];
    const first = this.history[0];
    if (!first || first.resourceVersion > resourceVersion + 1) {
      // Nothing recorded between resourceVersion and now can mean "no changes" only if
      // resourceVersion is the current revision, handled above.
      return undefined;
    }
    return this.history.filter((e) => e.resourceVersion > resourceVersion);
  }

  oldestResourceVersion(): number {
    return this.history[0]?.resourceVersion ?? this.revision;
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: StoreEvent): void {
    this.history.push(event);
    if (this.history.length > historyLimit) this.history.splice(0, this.history.length - historyLimit);
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        // A broken listener (e.g. a watch whose socket died mid-write) must not stop the others.
        process.emitWarning(`store listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

/** RFC 3339 with second precision, as metav1.Time serialises. */
export function nowTimestamp(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
