// The kubelet half of the test cluster's only node: binds new pods to the node (the
// scheduler's job: a pod whose nodeSelector the node does not satisfy stays Pending, Unschedulable),
// starts them through the Runtime, keeps their status current, records the events scheduler and
// kubelet would, stops them on deletion and then removes the object, and hands exec/port-forward
// sessions to the pod.
import type { ExecOptions, ExecProcess, PodHandle, Runtime } from '../runtime/types.ts';
import type { Pod, StoredObject } from '../api/types.ts';
import type { Registry } from '../api/registry.ts';
import type { StoreEvent } from '../api/store.ts';
import type { ResourceType } from '../api/resources.ts';
import { resourceByName } from '../api/resources.ts';
import { containerSpec, runtimeSpec } from './runtime-spec.ts';
import { runningPodStatus, waitingPodStatus } from './pod-status.ts';
import type { WaitingReason } from './pod-status.ts';
import type { EnvSources, ServiceForEnv } from './container-env.ts';
import { recordPodEvent, type PodEvent } from './events.ts';
import { unschedulableMessage } from './scheduling.ts';
import { nowTimestamp } from '../api/store.ts';

export interface KubeletOptions {
  nodeName: string;
  hostIP: string;
  log: (message: string) => void;
}

interface PodRecord {
  uid: string;
  namespace: string;
  name: string;
  podIP: string;
  handle?: PodHandle;
  starting?: Promise<void>;
  /** Ephemeral containers handed to the runtime (or refused: then why, in ephemeralWaiting). */
  ephemeralStarted: Set<string>;
  ephemeralWaiting: Map<string, WaitingReason>;
  stopping?: Promise<void>;
}

const pods = (): ResourceType => resourceByName('pods') as ResourceType;

function decodeSecretData(data: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!data) return undefined;
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

export class Kubelet {
  private readonly registry: Registry;
  private readonly runtime: Runtime;
  private readonly options: KubeletOptions;
  private readonly records = new Map<string, PodRecord>();
  private nextIP = 2;
  private unsubscribe: (() => void) | undefined;
  private stopped = false;

  constructor(registry: Registry, runtime: Runtime, options: KubeletOptions) {
    this.registry = registry;
    this.runtime = runtime;
    this.options = options;
  }

  start(): void {
    // Events are handled after the store's fan-out finishes, so our own writes never interleave
    // with other listeners' view of the change that triggered them.
    this.unsubscribe = this.registry.store.subscribe((event) => {
      if (event.resource.kind === 'Pod') queueMicrotask(() => this.onPodEvent(event));
    });
    for (const pod of this.registry.store.list(pods())) this.onPodEvent({ type: 'ADDED', resource: pods(), object: pod, resourceVersion: 0 });
  }

  private allocateIP(): string {
    const n = this.nextIP++;
    return `10.244.${Math.floor(n / 254) % 256}.${(n % 254) + 1}`;
  }

  private onPodEvent(event: StoreEvent): void {
    if (this.stopped) return;
    const pod = event.object as Pod;
    if (event.type === 'DELETED') {
      void this.stopRecord(pod.metadata.uid);
      return;
    }
    const current = this.registry.store.get(pods(), pod.metadata.namespace, pod.metadata.name) as Pod | undefined;
    if (!current || current.metadata.uid !== pod.metadata.uid) return;
    if (!current.spec.nodeName) {
      this.schedule(current);
      return;
    }
    if (current.metadata.deletionTimestamp) {
      void this.terminate(current);
      return;
    }
    const record = this.records.get(current.metadata.uid);
    if (!record) this.startPod(current);
    else if (record.handle) this.startEphemeral(record, current);
  }

  /** Starts the ephemeral containers added to a running pod since the last look (kubectl debug). */
  private startEphemeral(record: PodRecord, pod: Pod): void {
    const handle = record.handle;
    if (!handle || record.stopping) return;
    for (const c of pod.spec.ephemeralContainers ?? []) {
      if (record.ephemeralStarted.has(c.name)) continue;
      record.ephemeralStarted.add(c.name);
      const fieldPath = `spec.ephemeralContainers{${c.name}}`;
      const built = containerSpec(pod, c, { podIP: record.podIP, hostIP: this.options.hostIP, services: this.servicesFor(pod), sources: this.envSources(record.namespace) });
      if ('waiting' in built) {
        record.ephemeralWaiting.set(c.name, built.waiting);
        this.reportStatus(record);
        this.event(pod, { type: 'Warning', reason: 'Failed', message: built.waiting.message ?? built.waiting.reason, component: 'kubelet', fieldPath });
        continue;
      }
      this.reportStatus(record);
      handle.startEphemeralContainer(built.spec).then(
        () => {
          this.event(pod, { type: 'Normal', reason: 'Pulled', message: `Container image "${c.image ?? ''}" already present on machine`, component: 'kubelet', fieldPath });
          this.event(pod, { type: 'Normal', reason: 'Created', message: `Created container ${c.name}`, component: 'kubelet', fieldPath });
          this.event(pod, { type: 'Normal', reason: 'Started', message: `Started container ${c.name}`, component: 'kubelet', fieldPath });
          this.reportStatus(record);
        },
        (error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          this.options.log(`pod ${record.namespace}/${record.name}: ephemeral container ${c.name} failed to start: ${message}`);
          record.ephemeralWaiting.set(c.name, { reason: 'RunContainerError', message });
          this.reportStatus(record);
        },
      );
    }
  }

  private event(pod: Pod, event: PodEvent): void {
    recordPodEvent(this.registry, pod, event, this.options.nodeName);
  }

  /** Binds the pod to the node, or — when its nodeSelector rules the node out — marks it Unschedulable, once. */
  private schedule(pod: Pod): void {
    const node = this.registry.store.get(resourceByName('nodes') as ResourceType, '', this.options.nodeName);
    const unschedulable = unschedulableMessage(pod, node);
    const namespace = pod.metadata.namespace ?? '';
    if (!unschedulable) {
      if (this.registry.bind(namespace, pod.metadata.name, this.options.nodeName)) {
        this.event(pod, { type: 'Normal', reason: 'Scheduled', message: `Successfully assigned ${namespace}/${pod.metadata.name} to ${this.options.nodeName}`, component: 'default-scheduler' });
      }
      return;
    }
    if (pod.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False')) return;
    this.registry.mutate(pods(), namespace, pod.metadata.name, (obj) => {
      (obj as Pod).status = {
        ...(obj as Pod).status,
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: nowTimestamp(), reason: 'Unschedulable', message: unschedulable }],
      };
    }, 'status');
    this.event(pod, { type: 'Warning', reason: 'FailedScheduling', message: unschedulable, component: 'default-scheduler' });
  }

  private envSources(namespace: string): EnvSources {
    const find = (resource: string, name: string): StoredObject | undefined => this.registry.store.get(resourceByName(resource) as ResourceType, namespace, name);
    return {
      configMap: (name) => find('configmaps', name)?.data as Record<string, string> | undefined,
      secret: (name) => decodeSecretData(find('secrets', name)?.data as Record<string, string> | undefined),
    };
  }

  private servicesFor(pod: Pod): ServiceForEnv[] {
    const services = resourceByName('services') as ResourceType;
    const toEnv = (s: StoredObject): ServiceForEnv => {
      const spec = (s.spec ?? {}) as { clusterIP?: string; ports?: { name?: string; port: number; protocol?: string }[] };
      const out: ServiceForEnv = { name: s.metadata.name, ports: spec.ports ?? [] };
      if (spec.clusterIP) out.clusterIP = spec.clusterIP;
      return out;
    };
    const master = this.registry.store.get(services, 'default', 'kubernetes');
    const local = pod.spec.enableServiceLinks === false ? [] : this.registry.store.list(services, pod.metadata.namespace).filter((s) => !(s.metadata.namespace === 'default' && s.metadata.name === 'kubernetes'));
    return [...local, ...(master ? [master] : [])].map(toEnv);
  }

  private writeStatus(record: PodRecord, build: (pod: Pod) => Pod['status']): void {
    const current = this.registry.store.get(pods(), record.namespace, record.name) as Pod | undefined;
    if (!current || current.metadata.uid !== record.uid) return;
    this.registry.mutate(pods(), record.namespace, record.name, (obj) => {
      (obj as Pod).status = build(obj as Pod);
    }, 'status');
  }

  private setWaiting(record: PodRecord, waiting: WaitingReason): void {
    this.writeStatus(record, (pod) => waitingPodStatus(pod, waiting, this.options.hostIP));
  }

  private reportStatus(record: PodRecord): void {
    const handle = record.handle;
    if (!handle || record.stopping) return;
    // The pod IP is the API server's allocation (already in the containers' env); nothing routes to it.
    this.writeStatus(record, (pod) => runningPodStatus(pod, handle.containerStates(), record.podIP, this.options.hostIP, new Date(), record.ephemeralWaiting));
  }

  private startPod(pod: Pod): void {
    const record: PodRecord = { uid: pod.metadata.uid, namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name, podIP: this.allocateIP(), ephemeralStarted: new Set(), ephemeralWaiting: new Map() };
    this.records.set(record.uid, record);
    const built = runtimeSpec(pod, { podIP: record.podIP, hostIP: this.options.hostIP, services: this.servicesFor(pod), sources: this.envSources(record.namespace) });
    if ('waiting' in built) {
      this.options.log(`pod ${record.namespace}/${record.name}: ${built.waiting.reason}: ${built.waiting.message ?? ''}`);
      this.setWaiting(record, built.waiting);
      this.waitingEvents(pod, built.waiting.reason, built.waiting.message ?? '');
      return;
    }
    this.setWaiting(record, { reason: 'ContainerCreating' });
    record.starting = this.runtime.startPod(built.spec).then(
      (handle) => {
        record.handle = handle;
        handle.onStateChange(() => this.reportStatus(record));
        this.reportStatus(record);
        // Ephemeral containers added while the pod was starting.
        const now = this.registry.store.get(pods(), record.namespace, record.name) as Pod | undefined;
        if (now && now.metadata.uid === record.uid) this.startEphemeral(record, now);
        for (const c of pod.spec.containers) {
          const fieldPath = `spec.containers{${c.name}}`;
          this.event(pod, { type: 'Normal', reason: 'Pulled', message: `Container image "${c.image ?? ''}" already present on machine`, component: 'kubelet', fieldPath });
          this.event(pod, { type: 'Normal', reason: 'Created', message: `Created container ${c.name}`, component: 'kubelet', fieldPath });
          this.event(pod, { type: 'Normal', reason: 'Started', message: `Started container ${c.name}`, component: 'kubelet', fieldPath });
        }
      },
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        this.options.log(`pod ${record.namespace}/${record.name}: failed to start: ${message}`);
        this.setWaiting(record, { reason: 'RunContainerError', message });
      },
    );
  }

  /** What kubelet records for a pod that cannot start (pull failures, bad configuration). */
  private waitingEvents(pod: Pod, reason: string, message: string): void {
    const container = pod.spec.containers.find((c) => reason !== 'ErrImagePull' || message.includes(`"${c.image ?? ''}"`)) ?? pod.spec.containers[0];
    const fieldPath = container ? `spec.containers{${container.name}}` : undefined;
    const base = { component: 'kubelet' as const, ...(fieldPath ? { fieldPath } : {}) };
    if (reason === 'ErrImagePull') {
      this.event(pod, { ...base, type: 'Normal', reason: 'Pulling', message: `Pulling image "${container?.image ?? ''}"` });
      this.event(pod, { ...base, type: 'Warning', reason: 'Failed', message });
      this.event(pod, { ...base, type: 'Warning', reason: 'Failed', message: 'Error: ErrImagePull' });
    } else {
      this.event(pod, { ...base, type: 'Warning', reason: 'Failed', message: `Error: ${message}` });
    }
  }

  private async stopRecord(uid: string): Promise<void> {
    const record = this.records.get(uid);
    if (!record) return;
    record.stopping ??= (async () => {
      await record.starting;
      await record.handle?.stop();
    })();
    await record.stopping;
    this.records.delete(uid);
  }

  /** Graceful deletion: stop the containers, then remove the object (kubelet's final delete). */
  private async terminate(pod: Pod): Promise<void> {
    const record = this.records.get(pod.metadata.uid);
    if (record?.stopping) return;
    await this.stopRecord(pod.metadata.uid);
    const current = this.registry.store.get(pods(), pod.metadata.namespace, pod.metadata.name);
    if (current && current.metadata.uid === pod.metadata.uid) this.registry.finalize(pods(), pod.metadata.namespace ?? '', pod.metadata.name);
  }

  /** The running pod handle for exec and port-forward, or undefined when the pod is not running here. */
  handleFor(uid: string): PodHandle | undefined {
    const record = this.records.get(uid);
    return record?.stopping ? undefined : record?.handle;
  }

  exec(uid: string, options: ExecOptions): ExecProcess | undefined {
    return this.handleFor(uid)?.exec(options);
  }

  /** Waits for every pod start in flight (used when stopping). */
  async shutdown(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    await Promise.allSettled([...this.records.keys()].map((uid) => this.stopRecord(uid)));
    await this.runtime.shutdown();
  }
}
