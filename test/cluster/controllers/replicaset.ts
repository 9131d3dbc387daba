// ReplicaSet → pods: keeps spec.replicas active pods owned by the set (named <rs>-<random>),
// deleting the least useful first when scaling down, and reports replicas/ready/available.
import type { Registry } from '../api/registry.ts';
import type { Store } from '../api/store.ts';
import type { ResourceType } from '../api/resources.ts';
import { resourceByName } from '../api/resources.ts';
import type { Pod, Workload } from '../api/types.ts';
import { isOwnedBy, isPodActive, isPodReady, podFromTemplate } from './util.ts';
import { WorkloadController } from './workload-controller.ts';

const replicasets = (): ResourceType => resourceByName('replicasets') as ResourceType;
const pods = (): ResourceType => resourceByName('pods') as ResourceType;

/** Scale-down order of controller.ActivePods, simplified: unscheduled, pending, not ready, then newest. */
function deletionRank(pod: Pod): number[] {
  return [pod.spec.nodeName ? 1 : 0, pod.status?.phase === 'Pending' ? 0 : 1, isPodReady(pod) ? 1 : 0, -Date.parse(pod.metadata.creationTimestamp)];
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

export class ReplicaSetController extends WorkloadController {
  constructor(registry: Registry, store: Store, onError: (key: string, error: unknown) => void) {
    super(registry, store, onError, { resource: replicasets, childKind: 'Pod' });
  }

  protected reconcile(rs: Workload, namespace: string, name: string): void {
    const owned = (this.registry.store.list(pods(), namespace) as Pod[]).filter((p) => isOwnedBy(p, rs));
    const active = owned.filter(isPodActive);
    const desired = rs.spec.replicas ?? 1;
    if (active.length < desired) {
      for (let i = active.length; i < desired; i++) {
        this.registry.create(pods(), namespace, podFromTemplate(rs.spec.template, rs, { generateName: `${rs.metadata.name}-` }));
      }
    } else if (active.length > desired) {
      const victims = [...active].sort((a, b) => compareRanks(deletionRank(a), deletionRank(b))).slice(0, active.length - desired);
      for (const pod of victims) this.registry.delete(pods(), namespace, pod.metadata.name);
    }
    const ready = active.filter(isPodReady).length;
    const status: Record<string, unknown> = {
      replicas: active.length,
      fullyLabeledReplicas: active.length,
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: rs.metadata.generation ?? 1,
    };
    for (const k of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas']) if (status[k] === 0) delete status[k];
    this.registry.mutate(replicasets(), namespace, name, (obj) => {
      obj.status = status;
    }, 'status');
  }
}
