// Namespace lifecycle: a new namespace gets its `default` ServiceAccount and the
// kube-root-ca.crt ConfigMap; a deleted one is emptied (pods deleted gracefully like any
// client would) and removed once nothing is left in it.
import type { Registry } from '../api/registry.ts';
import type { Store } from '../api/store.ts';
import type { ResourceType } from '../api/resources.ts';
import { resourceByName, resourceTypes } from '../api/resources.ts';
import { WorkQueue } from './util.ts';

const namespaces = (): ResourceType => resourceByName('namespaces') as ResourceType;

export class NamespaceController {
  private readonly registry: Registry;
  private readonly queue: WorkQueue;
  private readonly unsubscribe: () => void;
  private readonly caPem: string;

  constructor(registry: Registry, store: Store, caPem: string, onError: (key: string, error: unknown) => void) {
    this.registry = registry;
    this.caPem = caPem;
    this.queue = new WorkQueue((name) => this.sync(name), onError);
    this.unsubscribe = store.subscribe((event) => {
      if (event.resource.kind === 'Namespace') {
        if (event.type !== 'DELETED') this.queue.add(event.object.metadata.name);
      } else if (event.type === 'DELETED' && event.resource.namespaced && event.object.metadata.namespace) {
        this.queue.add(event.object.metadata.namespace);
      }
    });
    for (const ns of store.list(namespaces())) this.queue.add(ns.metadata.name);
  }

  stop(): void {
    this.unsubscribe();
    this.queue.stop();
  }

  private sync(name: string): void {
    const ns = this.registry.tryGet(namespaces(), '', name);
    if (!ns) return;
    if (!ns.metadata.deletionTimestamp) {
      this.ensure('serviceaccounts', name, 'default', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } });
      this.ensure('configmaps', name, 'kube-root-ca.crt', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt', annotations: { 'kubernetes.io/description': 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.' } }, data: { 'ca.crt': this.caPem } });
      return;
    }
    let remaining = 0;
    for (const type of resourceTypes) {
      if (!type.namespaced || type.createOnly) continue;
      for (const obj of this.registry.store.list(type, name)) {
        remaining++;
        if (obj.metadata.deletionTimestamp) continue;
        try {
          this.registry.delete(type, name, obj.metadata.name, { propagationPolicy: 'Background' });
        } catch {
          // Gone in the meantime.
        }
      }
    }
    if (remaining === 0) this.registry.finalize(namespaces(), '', name);
  }

  private ensure(resource: string, namespace: string, name: string, body: object): void {
    const type = resourceByName(resource) as ResourceType;
    if (this.registry.tryGet(type, namespace, name)) return;
    this.registry.create(type, namespace, body);
  }
}
