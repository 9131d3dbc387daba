// StatefulSet → pods with stable ordinal names (<set>-0, <set>-1, …), created in order and
// only once the previous one is Running and Ready (OrderedReady; Parallel creates them all),
// removed from the highest ordinal down, and replaced one at a time when the template changes.
import type { Registry } from '../api/registry.ts';
import type { Store } from '../api/store.ts';
import type { ResourceType } from '../api/resources.ts';
import { resourceByName } from '../api/resources.ts';
import type { Pod, Workload } from '../api/types.ts';
import { isOwnedBy, isPodActive, isPodReady, podFromTemplate, templateHash } from './util.ts';
import { WorkloadController } from './workload-controller.ts';

const statefulsets = (): ResourceType => resourceByName('statefulsets') as ResourceType;
const pods = (): ResourceType => resourceByName('pods') as ResourceType;

function ordinalOf(setName: string, podName: string): number {
  const m = new RegExp(`^${setName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)$`).exec(podName);
  return m ? Number(m[1]) : -1;
}

export class StatefulSetController extends WorkloadController {
  constructor(registry: Registry, store: Store, onError: (key: string, error: unknown) => void) {
    super(registry, store, onError, { resource: statefulsets, childKind: 'Pod' });
  }

  protected reconcile(set: Workload, namespace: string, name: string): void {
    const desired = set.spec.replicas ?? 1;
    const revision = `${name}-${templateHash(set.spec.template)}`;
    const parallel = set.spec.podManagementPolicy === 'Parallel';
    const owned = (this.registry.store.list(pods(), namespace) as Pod[]).filter((p) => isOwnedBy(p, set));
    const byOrdinal = new Map<number, Pod>();
    for (const p of owned) byOrdinal.set(ordinalOf(name, p.metadata.name), p);

    // Scale up in order.
    for (let i = 0; i < desired; i++) {
      const pod = byOrdinal.get(i);
      if (!pod) {
        this.registry.create(pods(), namespace, this.podFor(set, i, revision));
        if (!parallel) break;
        continue;
      }
      if (!parallel && (!isPodActive(pod) || !isPodReady(pod))) break;
    }
    // Scale down from the highest ordinal, one at a time unless Parallel.
    const extra = [...byOrdinal.entries()].filter(([i, p]) => i >= desired && !p.metadata.deletionTimestamp).sort((a, b) => b[0] - a[0]);
    for (const [, pod] of parallel ? extra : extra.slice(0, 1)) this.registry.delete(pods(), namespace, pod.metadata.name);

    // Rolling update: replace the highest-ordinal outdated pod once all others are ready.
    const inRange = [...byOrdinal.entries()].filter(([i]) => i >= 0 && i < desired);
    const allReady = inRange.length === desired && inRange.every(([, p]) => isPodActive(p) && isPodReady(p));
    const outdated = inRange.filter(([, p]) => p.metadata.labels?.['controller-revision-hash'] !== revision).sort((a, b) => b[0] - a[0]);
    const firstOutdated = outdated[0];
    if (allReady && firstOutdated && extra.length === 0) this.registry.delete(pods(), namespace, firstOutdated[1].metadata.name);

    const active = owned.filter(isPodActive);
    const ready = active.filter(isPodReady).length;
    const updated = active.filter((p) => p.metadata.labels?.['controller-revision-hash'] === revision).length;
    const previous = set.status as { currentRevision?: string } | undefined;
    const rolledOut = updated === desired && active.length === desired;
    const status: Record<string, unknown> = {
      observedGeneration: set.metadata.generation ?? 1,
      replicas: active.length,
      readyReplicas: ready,
      currentReplicas: rolledOut ? updated : active.length - updated,
      updatedReplicas: updated,
      currentRevision: rolledOut ? revision : (previous?.currentRevision ?? revision),
      updateRevision: revision,
      collisionCount: 0,
      availableReplicas: ready,
    };
    for (const k of ['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas']) if (status[k] === 0) delete status[k];
    this.registry.mutate(statefulsets(), namespace, name, (obj) => {
      obj.status = status;
    }, 'status');
  }

  private podFor(set: Workload, ordinal: number, revision: string): ReturnType<typeof podFromTemplate> {
    const podName = `${set.metadata.name}-${ordinal}`;
    const pod = podFromTemplate(set.spec.template, set, { name: podName }, {
      'controller-revision-hash': revision,
      'statefulset.kubernetes.io/pod-name': podName,
      'apps.kubernetes.io/pod-index': String(ordinal),
    });
    const spec = pod.spec as Pod['spec'];
    spec.hostname = podName;
    const serviceName = set.spec.serviceName as string | undefined;
    if (serviceName) spec.subdomain = serviceName;
    return pod;
  }
}
