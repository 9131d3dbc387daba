// Deployment → ReplicaSets, as kube-controller-manager's deployment controller does it in
// outline: one ReplicaSet per pod template (named <deployment>-<pod-template-hash>, labelled
// with the hash, owned by the deployment), the new one scaled to spec.replicas, old ones scaled
// to zero once the new one is available (RollingUpdate) or at once (Recreate), revision
// annotations, and the status `kubectl rollout status` reads.
import type { Registry } from '../api/registry.ts';
import type { Store } from '../api/store.ts';
import { nowTimestamp } from '../api/store.ts';
import type { ResourceType } from '../api/resources.ts';
import { resourceByName } from '../api/resources.ts';
import type { StoredObject, Workload } from '../api/types.ts';
import { condition, isOwnedBy, ownerRefTo, templateHash } from './util.ts';
import { WorkloadController } from './workload-controller.ts';

const revisionAnnotation = 'deployment.kubernetes.io/revision';

const deployments = (): ResourceType => resourceByName('deployments') as ResourceType;
const replicasets = (): ResourceType => resourceByName('replicasets') as ResourceType;

function num(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

export class DeploymentController extends WorkloadController {
  constructor(registry: Registry, store: Store, onError: (key: string, error: unknown) => void) {
    super(registry, store, onError, { resource: deployments, childKind: 'ReplicaSet' });
  }

  protected reconcile(d: Workload, namespace: string, name: string): void {
    const desired = d.spec.replicas ?? 1;
    const owned = this.registry.store.list(replicasets(), namespace).filter((rs) => isOwnedBy(rs, d)) as Workload[];
    const hash = templateHash(d.spec.template);
    const revisions = owned.map((rs) => Number(rs.metadata.annotations?.[revisionAnnotation] ?? 0));
    const maxRevision = Math.max(0, ...revisions);

    let newRS = owned.find((rs) => rs.metadata.labels?.['pod-template-hash'] === hash);
    if (!newRS) {
      newRS = this.registry.create(replicasets(), namespace, this.replicaSetFor(d, hash, maxRevision + 1, desired)) as Workload;
    } else {
      const rs = newRS;
      const revision = Number(rs.metadata.annotations?.[revisionAnnotation] ?? 0);
      newRS = (this.registry.mutate(replicasets(), namespace, rs.metadata.name, (obj) => {
        (obj.spec as { replicas: number }).replicas = desired;
        obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), 'deployment.kubernetes.io/desired-replicas': String(desired) };
        if (revision < maxRevision) obj.metadata.annotations[revisionAnnotation] = String(maxRevision + 1);
      }) ?? rs) as Workload;
    }
    const newAvailable = num(newRS.status?.availableReplicas);
    const recreate = (d.spec.strategy as { type?: string } | undefined)?.type === 'Recreate';
    const oldRSs = owned.filter((rs) => rs.metadata.uid !== newRS.metadata.uid);
    for (const old of oldRSs) {
      if ((old.spec.replicas ?? 0) === 0) continue;
      if (recreate || newAvailable >= desired) {
        this.registry.mutate(replicasets(), namespace, old.metadata.name, (obj) => {
          (obj.spec as { replicas: number }).replicas = 0;
        });
      }
    }
    this.updateStatus(d, newRS, [newRS, ...oldRSs]);
  }

  private replicaSetFor(d: Workload, hash: string, revision: number, replicas: number): StoredObject {
    const template = structuredClone(d.spec.template);
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), 'pod-template-hash': hash } };
    const selector = structuredClone(d.spec.selector ?? {});
    selector.matchLabels = { ...(selector.matchLabels ?? {}), 'pod-template-hash': hash };
    return {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace,
        labels: { ...(template.metadata.labels ?? {}) },
        annotations: {
          'deployment.kubernetes.io/desired-replicas': String(replicas),
          'deployment.kubernetes.io/max-replicas': String(replicas + 1),
          [revisionAnnotation]: String(revision),
        },
        ownerReferences: [ownerRefTo(d)],
      },
      spec: { replicas, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
    } as unknown as StoredObject;
  }

  private updateStatus(d: Workload, newRS: Workload, all: Workload[]): void {
    const desired = d.spec.replicas ?? 1;
    const specReplicas = all.reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0);
    const replicas = all.reduce((n, rs) => n + num(rs.status?.replicas), 0);
    const ready = all.reduce((n, rs) => n + num(rs.status?.readyReplicas), 0);
    const available = all.reduce((n, rs) => n + num(rs.status?.availableReplicas), 0);
    const updated = num(newRS.status?.replicas);
    const now = nowTimestamp();
    const previous = (d.status?.conditions ?? []) as { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string; lastUpdateTime?: string }[];
    const complete = updated === desired && replicas === desired && available === desired && num(newRS.status?.availableReplicas) === desired;
    const conditions = [
      available >= desired
        ? condition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', now, previous)
        : condition('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.', now, previous),
      complete
        ? condition('Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${newRS.metadata.name}" has successfully progressed.`, now, previous)
        : condition('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${newRS.metadata.name}" is progressing.`, now, previous),
    ];
    const status: Record<string, unknown> = { observedGeneration: d.metadata.generation ?? 1, replicas, updatedReplicas: updated, readyReplicas: ready, availableReplicas: available };
    const unavailable = Math.max(0, specReplicas - available);
    if (unavailable > 0) status.unavailableReplicas = unavailable;
    status.conditions = conditions;
    // Go omits zero-valued counters.
    for (const k of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas']) if (status[k] === 0) delete status[k];
    this.registry.mutate(deployments(), d.metadata.namespace ?? '', d.metadata.name, (obj) => {
      obj.status = status;
    }, 'status');
    // The revision annotation lives in metadata, which a status write does not touch.
    const revision = newRS.metadata.annotations?.[revisionAnnotation];
    const current = this.registry.tryGet(deployments(), d.metadata.namespace ?? '', d.metadata.name);
    if (revision && current && current.metadata.annotations?.[revisionAnnotation] !== revision) {
      this.registry.mutate(deployments(), d.metadata.namespace ?? '', d.metadata.name, (obj) => {
        obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), [revisionAnnotation]: revision };
      });
    }
  }
}
