// The pure rules of the daemon set controller: which nodes a set runs on (nodeSelector,
// taints and tolerations), how its pods are pinned to a node, and its rolling-update budget.
import type { KubeObject, PodSpec } from '../api/types.ts';

interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

interface Taint {
  key: string;
  value?: string;
  effect: string;
}

/** What the controller adds to every daemon pod (util.AddOrUpdateDaemonPodTolerations), so
 *  that node conditions neither evict nor keep out a daemon. */
function daemonTolerations(spec: PodSpec): Toleration[] {
  const added: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (spec.hostNetwork === true) added.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  const own = (spec.tolerations ?? []) as Toleration[];
  return [...own, ...added.filter((t) => !own.some((o) => o.key === t.key && o.effect === t.effect))];
}

function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (!toleration.key) return toleration.operator === 'Exists';
  if (toleration.key !== taint.key) return false;
  return toleration.operator === 'Exists' || (toleration.value ?? '') === (taint.value ?? '');
}

/** nodeShouldRunDaemonPod, reduced to what a pod spec says: the nodeSelector matches the
 *  node's labels and every NoSchedule/NoExecute taint is tolerated. */
export function nodeWantsDaemon(node: KubeObject, spec: PodSpec): boolean {
  const labels = node.metadata.labels ?? {};
  const selector = (spec.nodeSelector ?? {}) as Record<string, string>;
  if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) return false;
  const taints = (((node.spec as { taints?: Taint[] } | undefined)?.taints) ?? []).filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
  const tolerations = daemonTolerations(spec);
  return taints.every((taint) => tolerations.some((t) => tolerates(t, taint)));
}

type NodeAffinity = {
  requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: { matchFields?: { key: string; operator: string; values?: string[] }[] }[] };
  [key: string]: unknown;
};

/** Pins a daemon pod to its node the way the controller does since DaemonSets are scheduled
 *  by the default scheduler: a required node affinity on metadata.name (replacing any other
 *  required terms), plus the daemon tolerations. */
export function daemonPodPlacement(spec: PodSpec, node: string): void {
  const affinity = (spec.affinity ?? {}) as { nodeAffinity?: NodeAffinity; [key: string]: unknown };
  affinity.nodeAffinity = {
    ...(affinity.nodeAffinity ?? {}),
    requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }] },
  };
  spec.affinity = affinity;
  spec.tolerations = daemonTolerations(spec);
}

/** The node a daemon pod runs on or is meant for (util.GetTargetNodeName). */
export function targetNodeName(pod: KubeObject): string | undefined {
  const spec = pod.spec as PodSpec;
  if (spec.nodeName) return spec.nodeName;
  const affinity = spec.affinity as { nodeAffinity?: NodeAffinity } | undefined;
  for (const term of affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const field of term.matchFields ?? []) {
      if (field.key === 'metadata.name' && field.operator === 'In' && field.values?.length === 1) return field.values[0];
    }
  }
  return undefined;
}

/** How many nodes may be without an available daemon pod during a rolling update: maxUnavailable
 *  as a number or a percentage of the desired nodes, rounded up. Surge is not modelled, so a
 *  set that relies on maxSurge alone (maxUnavailable 0) replaces one node at a time. */
export function maxUnavailable(strategy: unknown, desired: number): number {
  const raw = (strategy as { rollingUpdate?: { maxUnavailable?: number | string } } | undefined)?.rollingUpdate?.maxUnavailable ?? 1;
  const value = typeof raw === 'number' ? raw : /^\d+%$/.test(raw) ? Math.ceil((Number(raw.slice(0, -1)) * desired) / 100) : Number(raw);
  return Number.isFinite(value) && value > 0 ? value : 1;
}
