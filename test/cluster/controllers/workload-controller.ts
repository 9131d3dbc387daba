// What every workload controller shares: a work queue of "namespace/name" keys fed by store
// events on the workload itself and on the objects it controls, and a sync that skips workloads
// that are gone or being deleted before handing the rest to the controller's own reconcile.
import type { Registry } from '../api/registry.ts';
import type { Store, StoreEvent } from '../api/store.ts';
import type { ResourceType } from '../api/resources.ts';
import type { Workload } from '../api/types.ts';
import { WorkQueue, enqueueOwner, keyOf, splitKey } from './util.ts';

export interface WorkloadControllerKinds {
  /** The workload's resource, looked up lazily (the resource table is filled at start-up). */
  resource: () => ResourceType;
  /** The kind of the objects it owns, whose changes wake their owner. */
  childKind: string;
}

export abstract class WorkloadController {
  protected readonly registry: Registry;
  protected readonly store: Store;
  private readonly kinds: WorkloadControllerKinds;
  private readonly queue: WorkQueue;
  private readonly unsubscribe: () => void;

  constructor(registry: Registry, store: Store, onError: (key: string, error: unknown) => void, kinds: WorkloadControllerKinds) {
    this.registry = registry;
    this.store = store;
    this.kinds = kinds;
    this.queue = new WorkQueue((key) => this.sync(key), onError);
    this.unsubscribe = store.subscribe((event) => this.onEvent(event));
    this.enqueueAll();
  }

  stop(): void {
    this.unsubscribe();
    this.queue.stop();
  }

  /** Brings one live workload towards its spec. */
  protected abstract reconcile(workload: Workload, namespace: string, name: string): void;

  protected onEvent(event: StoreEvent): void {
    const kind = this.kinds.resource().kind;
    if (event.resource.kind === kind) this.queue.add(keyOf(event.object));
    else if (event.resource.kind === this.kinds.childKind) enqueueOwner(event, kind, this.queue);
  }

  protected enqueueAll(): void {
    for (const workload of this.store.list(this.kinds.resource())) this.queue.add(keyOf(workload));
  }

  private sync(key: string): void {
    const [namespace, name] = splitKey(key);
    const workload = this.registry.tryGet(this.kinds.resource(), namespace, name) as Workload | undefined;
    if (!workload || workload.metadata.deletionTimestamp) return;
    this.reconcile(workload, namespace, name);
  }
}
