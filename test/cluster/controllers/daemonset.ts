// DaemonSet → one pod per eligible node, as kube-controller-manager's daemon set controller
// does it in outline: pods named <set>-<random>, labelled with controller-revision-hash and
// pod-template-generation, pinned to their node by a metadata.name node affinity (the
// scheduler, here the kubelet, binds them), with the tolerations the controller adds; extra
// and failed pods are removed, outdated ones replaced within maxUnavailable (RollingUpdate)
// or left alone (OnDelete); and the status `kubectl rollout status ds` and `kubectl get ds` read.
import type { Registry } from '../api/registry.ts';
import type { Store, StoreEvent } from '../api/store.ts';
import type { ResourceType } from '../api/resources.ts';
import { resourceByName } from '../api/resources.ts';
import type { KubeObject, Pod, PodSpec, StoredObject, Workload } from '../api/types.ts';
import { isOwnedBy, isPodActive, isPodReady, podFromTemplate, templateHash } from './util.ts';
import { WorkloadController } from './workload-controller.ts';
import { daemonPodPlacement, maxUnavailable, nodeWantsDaemon, targetNodeName } from './daemonset-rules.ts';

const daemonsets = (): ResourceType => resourceByName('daemonsets') as ResourceType;
const pods = (): ResourceType => resourceByName('pods') as ResourceType;
const nodes = (): ResourceType => resourceByName('nodes') as ResourceType;

export class DaemonSetController extends WorkloadController {
  constructor(registry: Registry, store: Store, onError: (key: string, error: unknown) => void) {
    super(registry, store, onError, { resource: daemonsets, childKind: 'Pod' });
  }

  protected override onEvent(event: StoreEvent): void {
    super.onEvent(event);
    // A node appearing, going or changing labels changes where every set should run.
    if (event.resource.kind === 'Node') this.enqueueAll();
  }

  protected reconcile(ds: Workload, namespace: string, name: string): void {
    const template = ds.spec.template;
    const hash = templateHash(template);
    const wanted = this.registry.store.list(nodes()).filter((node) => nodeWantsDaemon(node, template.spec)).map((node) => node.metadata.name);
    const owned = (this.registry.store.list(pods(), namespace) as Pod[]).filter((p) => isOwnedBy(p, ds));

    const byNode = new Map<string, Pod[]>();
    for (const pod of owned) {
      if (!isPodActive(pod)) {
        // A failed daemon pod is deleted so that a new one takes its place.
        if (pod.status?.phase === 'Failed' && !pod.metadata.deletionTimestamp) this.deletePod(pod);
        continue;
      }
      const node = targetNodeName(pod) ?? '';
      byNode.set(node, [...(byNode.get(node) ?? []), pod]);
    }

    // Oldest first: the pod a node keeps, and the one the status counts, is the first.
    for (const list of byNode.values()) list.sort((a, b) => Date.parse(a.metadata.creationTimestamp) - Date.parse(b.metadata.creationTimestamp));
    for (const node of wanted) {
      const running = byNode.get(node) ?? [];
      if (running.length === 0) this.registry.create(pods(), namespace, this.podFor(ds, hash, node));
      // Without surge, one pod per node: the oldest stays.
      for (const extra of running.slice(1)) this.deletePod(extra);
    }
    for (const [node, list] of byNode) if (!wanted.includes(node)) for (const pod of list) this.deletePod(pod);

    const current = wanted.map((node) => (byNode.get(node) ?? [])[0]).filter((p): p is Pod => p !== undefined);
    if (updateStrategyType(ds) === 'RollingUpdate') this.rollOut(current, hash, maxUnavailable(ds.spec.updateStrategy, wanted.length));
    this.updateStatus(ds, wanted, byNode, hash);
  }

  /** Deletes outdated pods: unavailable ones at once, available ones while the budget of
   *  unavailable nodes allows (the node's new pod is created on the next sync). */
  private rollOut(current: Pod[], hash: string, budget: number): void {
    let unavailable = current.filter((p) => !isPodReady(p)).length;
    const outdated = current.filter((p) => p.metadata.labels?.['controller-revision-hash'] !== hash);
    for (const pod of outdated.filter((p) => !isPodReady(p))) this.deletePod(pod);
    for (const pod of outdated.filter(isPodReady)) {
      if (unavailable >= budget) break;
      this.deletePod(pod);
      unavailable++;
    }
  }

  private updateStatus(ds: Workload, wanted: string[], byNode: Map<string, Pod[]>, hash: string): void {
    const first = (node: string): Pod | undefined => (byNode.get(node) ?? [])[0];
    const scheduled = wanted.filter((node) => first(node));
    const ready = scheduled.filter((node) => isPodReady(first(node) as Pod)).length;
    const updated = scheduled.filter((node) => (byNode.get(node) ?? []).some((p) => p.metadata.labels?.['controller-revision-hash'] === hash)).length;
    const misscheduled = [...byNode.keys()].filter((node) => !wanted.includes(node)).length;
    // minReadySeconds is not modelled: a ready daemon pod is available.
    const available = ready;
    const status: Record<string, unknown> = {
      currentNumberScheduled: scheduled.length,
      numberMisscheduled: misscheduled,
      desiredNumberScheduled: wanted.length,
      numberReady: ready,
      observedGeneration: ds.metadata.generation ?? 1,
      updatedNumberScheduled: updated,
      numberAvailable: available,
      numberUnavailable: wanted.length - available,
    };
    // Go omits these when zero; the four counters above are always there.
    for (const k of ['updatedNumberScheduled', 'numberAvailable', 'numberUnavailable']) if (status[k] === 0) delete status[k];
    this.registry.mutate(daemonsets(), ds.metadata.namespace ?? '', ds.metadata.name, (obj) => {
      obj.status = status;
    }, 'status');
  }

  private podFor(ds: Workload, hash: string, node: string): KubeObject {
    const pod = podFromTemplate(ds.spec.template, ds as StoredObject, { generateName: `${ds.metadata.name}-` }, {
      'controller-revision-hash': hash,
      'pod-template-generation': String(ds.metadata.generation ?? 1),
    });
    daemonPodPlacement(pod.spec as PodSpec, node);
    return pod;
  }

  private deletePod(pod: Pod): void {
    if (pod.metadata.deletionTimestamp) return;
    try {
      this.registry.delete(pods(), pod.metadata.namespace ?? '', pod.metadata.name);
    } catch {
      // Gone in the meantime.
    }
  }
}

function updateStrategyType(ds: Workload): string {
  return (ds.spec.updateStrategy as { type?: string } | undefined)?.type ?? 'RollingUpdate';
}
