// Server-side printing: the meta.k8s.io Table kubectl asks for (`Accept: …;as=Table`), with
// the columns and cell formats of kube-apiserver's printers, so `kubectl get` output matches a
// real cluster's (READY 1/1, STATUS Running, RESTARTS, AGE …).
import type { ContainerStatus, KubeObject, Pod, PodSpec, WorkloadSpec } from './types.ts';
import { selectorToString } from './selectors.ts';

export interface ColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'date' | 'number' | 'boolean';
  format: string;
  description: string;
  priority: number;
}

interface Printer {
  columns: ColumnDefinition[];
  cells(obj: KubeObject, now: number): unknown[];
}

const col = (name: string, type: ColumnDefinition['type'] = 'string', priority = 0, format = ''): ColumnDefinition => ({
  name,
  type,
  format: format || (name === 'Name' ? 'name' : ''),
  description: name === 'Name' ? 'Name must be unique within a namespace.' : name === 'Age' ? 'CreationTimestamp is a timestamp representing the server time when this object was created.' : '',
  priority,
});

/** k8s.io/apimachinery/pkg/util/duration.HumanDuration */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    return dy === 0 ? `${Math.trunc(hours / 24 / 365)}y` : `${Math.trunc(hours / 24 / 365)}y${dy}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

function age(obj: KubeObject, now: number): string {
  const created = obj.metadata.creationTimestamp;
  return created ? humanDuration(now - Date.parse(created)) : '<unknown>';
}

function containerNames(spec: PodSpec | undefined): string {
  return (spec?.containers ?? []).map((c) => c.name).join(',');
}

function containerImages(spec: PodSpec | undefined): string {
  return (spec?.containers ?? []).map((c) => c.image ?? '').join(',');
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

/** pkg/printers/internalversion printPod, without init-container and sidecar subtleties. */
function podCells(obj: KubeObject, now: number): unknown[] {
  const pod = obj as Pod;
  const st = pod.status ?? {};
  const statuses: ContainerStatus[] = st.containerStatuses ?? [];
  let reason: string = st.reason || st.phase || '';
  let restarts = 0;
  let ready = 0;
  let hasRunning = false;
  let lastRestart = 0;
  for (const cs of [...statuses].reverse()) {
    restarts += cs.restartCount;
    const finished = cs.lastState?.terminated?.finishedAt;
    if (finished) lastRestart = Math.max(lastRestart, Date.parse(finished));
    if (cs.state.waiting?.reason) reason = cs.state.waiting.reason;
    else if (cs.state.terminated?.reason) reason = cs.state.terminated.reason;
    else if (cs.state.terminated) reason = `ExitCode:${cs.state.terminated.exitCode}`;
    else if (cs.ready && cs.state.running) {
      hasRunning = true;
      ready++;
    }
  }
  if (reason === 'Completed' && hasRunning) {
    const podReady = (st.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
    reason = podReady ? 'Running' : 'NotReady';
  }
  if (pod.metadata.deletionTimestamp) reason = 'Terminating';
  const restartCell = lastRestart > 0 ? `${restarts} (${humanDuration(now - lastRestart)} ago)` : restarts;
  return [
    pod.metadata.name,
    `${ready}/${pod.spec.containers.length}`,
    reason,
    restartCell,
    age(pod, now),
    st.podIP || '<none>',
    pod.spec.nodeName || '<none>',
    '<none>',
    '<none>',
  ];
}

function jobStatus(obj: KubeObject): string {
  const conditions = ((obj.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).filter((c) => c.status === 'True');
  if (obj.metadata.deletionTimestamp) return 'Terminating';
  for (const t of ['Complete', 'Failed', 'FailureTarget', 'SuccessCriteriaMet', 'Suspended']) {
    if (conditions.some((c) => c.type === t)) return t;
  }
  return 'Running';
}

function jobDuration(obj: KubeObject, now: number): string {
  const st = (obj.status ?? {}) as { startTime?: string; completionTime?: string };
  if (!st.startTime) return '';
  const end = st.completionTime ? Date.parse(st.completionTime) : now;
  return humanDuration(end - Date.parse(st.startTime));
}

const printers: Record<string, Printer> = {
  pods: {
    columns: [col('Name'), col('Ready'), col('Status'), col('Restarts', 'string'), col('Age'), col('IP', 'string', 1), col('Node', 'string', 1), col('Nominated Node', 'string', 1), col('Readiness Gates', 'string', 1)],
    cells: podCells,
  },
  namespaces: {
    columns: [col('Name'), col('Status'), col('Age')],
    cells: (o, now) => [o.metadata.name, (o.status as { phase?: string } | undefined)?.phase ?? '', age(o, now)],
  },
  deployments: {
    columns: [col('Name'), col('Ready'), col('Up-to-date', 'integer'), col('Available', 'integer'), col('Age'), col('Containers', 'string', 1), col('Images', 'string', 1), col('Selector', 'string', 1)],
    cells: (o, now) => {
      const spec = o.spec as WorkloadSpec;
      const st = (o.status ?? {}) as Record<string, unknown>;
      return [o.metadata.name, `${num(st.readyReplicas)}/${spec.replicas ?? 0}`, num(st.updatedReplicas), num(st.availableReplicas), age(o, now), containerNames(spec.template?.spec), containerImages(spec.template?.spec), selectorToString(spec.selector)];
    },
  },
  replicasets: {
    columns: [col('Name'), col('Desired', 'integer'), col('Current', 'integer'), col('Ready', 'integer'), col('Age'), col('Containers', 'string', 1), col('Images', 'string', 1), col('Selector', 'string', 1)],
    cells: (o, now) => {
      const spec = o.spec as WorkloadSpec;
      const st = (o.status ?? {}) as Record<string, unknown>;
      return [o.metadata.name, spec.replicas ?? 0, num(st.replicas), num(st.readyReplicas), age(o, now), containerNames(spec.template?.spec), containerImages(spec.template?.spec), selectorToString(spec.selector)];
    },
  },
  statefulsets: {
    columns: [col('Name'), col('Ready'), col('Age'), col('Containers', 'string', 1), col('Images', 'string', 1)],
    cells: (o, now) => {
      const spec = o.spec as WorkloadSpec;
      const st = (o.status ?? {}) as Record<string, unknown>;
      return [o.metadata.name, `${num(st.readyReplicas)}/${spec.replicas ?? 0}`, age(o, now), containerNames(spec.template?.spec), containerImages(spec.template?.spec)];
    },
  },
  daemonsets: {
    columns: [col('Name'), col('Desired', 'integer'), col('Current', 'integer'), col('Ready', 'integer'), col('Up-to-date', 'integer'), col('Available', 'integer'), col('Node Selector'), col('Age'), col('Containers', 'string', 1), col('Images', 'string', 1), col('Selector', 'string', 1)],
    cells: (o, now) => {
      const spec = o.spec as WorkloadSpec;
      const st = (o.status ?? {}) as Record<string, unknown>;
      const nodeSelector = (spec.template?.spec?.nodeSelector ?? {}) as Record<string, string>;
      // labels.FormatLabels: sorted key=value pairs, <none> when empty.
      const formatted = Object.keys(nodeSelector).sort().map((k) => `${k}=${nodeSelector[k]}`).join(',') || '<none>';
      return [o.metadata.name, num(st.desiredNumberScheduled), num(st.currentNumberScheduled), num(st.numberReady), num(st.updatedNumberScheduled), num(st.numberAvailable), formatted, age(o, now), containerNames(spec.template?.spec), containerImages(spec.template?.spec), selectorToString(spec.selector)];
    },
  },
  jobs: {
    columns: [col('Name'), col('Status'), col('Completions'), col('Duration'), col('Age'), col('Containers', 'string', 1), col('Images', 'string', 1), col('Selector', 'string', 1)],
    cells: (o, now) => {
      const spec = o.spec as WorkloadSpec & { completions?: number; parallelism?: number };
      const st = (o.status ?? {}) as Record<string, unknown>;
      const completions = spec.completions !== undefined ? `${num(st.succeeded)}/${spec.completions}` : `${num(st.succeeded)}/1 of ${spec.parallelism ?? 1}`;
      return [o.metadata.name, jobStatus(o), completions, jobDuration(o, now), age(o, now), containerNames(spec.template?.spec), containerImages(spec.template?.spec), selectorToString(spec.selector)];
    },
  },
  services: {
    columns: [col('Name'), col('Type'), col('Cluster-IP'), col('External-IP'), col('Port(s)'), col('Age'), col('Selector', 'string', 1)],
    cells: (o, now) => {
      const spec = (o.spec ?? {}) as { type?: string; clusterIP?: string; ports?: { port: number; protocol?: string }[]; selector?: Record<string, string> };
      const ports = (spec.ports ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`).join(',') || '<none>';
      const selector = Object.entries(spec.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || '<none>';
      return [o.metadata.name, spec.type ?? 'ClusterIP', spec.clusterIP ?? '<none>', '<none>', ports, age(o, now), selector];
    },
  },
  nodes: {
    columns: [col('Name'), col('Status'), col('Roles'), col('Age'), col('Version'), col('Internal-IP', 'string', 1), col('External-IP', 'string', 1), col('OS-Image', 'string', 1), col('Kernel-Version', 'string', 1), col('Container-Runtime', 'string', 1)],
    cells: (o, now) => {
      const info = ((o.status as { nodeInfo?: Record<string, string> } | undefined)?.nodeInfo ?? {}) as Record<string, string>;
      const addresses = (o.status as { addresses?: { type: string; address: string }[] } | undefined)?.addresses ?? [];
      const internal = addresses.find((a) => a.type === 'InternalIP')?.address ?? '<none>';
      return [o.metadata.name, 'Ready', 'control-plane', age(o, now), info.kubeletVersion ?? '', internal, '<none>', info.osImage ?? '', info.kernelVersion ?? '', info.containerRuntimeVersion ?? ''];
    },
  },
  configmaps: {
    columns: [col('Name'), col('Data', 'integer'), col('Age')],
    cells: (o, now) => [o.metadata.name, Object.keys((o.data as object | undefined) ?? {}).length + Object.keys((o.binaryData as object | undefined) ?? {}).length, age(o, now)],
  },
  secrets: {
    columns: [col('Name'), col('Type'), col('Data', 'integer'), col('Age')],
    cells: (o, now) => [o.metadata.name, (o.type as string | undefined) ?? 'Opaque', Object.keys((o.data as object | undefined) ?? {}).length, age(o, now)],
  },
  serviceaccounts: {
    columns: [col('Name'), col('Secrets', 'integer'), col('Age')],
    cells: (o, now) => [o.metadata.name, ((o.secrets as unknown[] | undefined) ?? []).length, age(o, now)],
  },
};

const defaultPrinter: Printer = {
  columns: [col('Name'), { name: 'Created At', type: 'date', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0 }],
  cells: (o) => [o.metadata.name, o.metadata.creationTimestamp],
};

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function toTable(resource: string, objects: KubeObject[], resourceVersion: string, include: IncludeObject, tableApiVersion: string, now = Date.now()): KubeObject {
  const printer = printers[resource] ?? defaultPrinter;
  return {
    kind: 'Table',
    apiVersion: tableApiVersion,
    metadata: { resourceVersion },
    columnDefinitions: printer.columns,
    rows: objects.map((o) => {
      const row: Record<string, unknown> = { cells: printer.cells(o, now) };
      if (include === 'Object') row.object = o;
      else if (include === 'Metadata') row.object = { kind: 'PartialObjectMetadata', apiVersion: tableApiVersion, metadata: o.metadata };
      return row;
    }),
  };
}
