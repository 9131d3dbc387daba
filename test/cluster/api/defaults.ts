// Defaulting on create and update, as kube-apiserver's defaulters and admission plugins fill
// fields in: objects read back look like a real cluster's (`kubectl get -o yaml` users and
// sshpod's code read restartPolicy, dnsPolicy, imagePullPolicy, job selectors …).
import type { Container, KubeObject, PodSpec, WorkloadSpec } from './types.ts';

function imagePullPolicy(image: string | undefined): string {
  if (!image) return 'IfNotPresent';
  if (image.includes('@')) return 'IfNotPresent';
  const last = image.split('/').pop() ?? '';
  const tag = last.includes(':') ? last.slice(last.indexOf(':') + 1) : '';
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultContainer(c: Container): void {
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.imagePullPolicy ??= imagePullPolicy(c.image);
  c.resources ??= {};
  const ports = c.ports as { protocol?: string }[] | undefined;
  for (const p of ports ?? []) p.protocol ??= 'TCP';
  for (const e of c.env ?? []) {
    if (e.valueFrom?.fieldRef) e.valueFrom.fieldRef.apiVersion ??= 'v1';
  }
}

/** Defaults of a pod spec, whether in a pod or in a workload's template. */
export function defaultPodSpec(spec: PodSpec): void {
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.securityContext ??= {};
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.ephemeralContainers ?? []) defaultContainer(c);
  for (const v of spec.volumes ?? []) {
    if (!v.emptyDir && Object.keys(v).length === 1) v.emptyDir = {};
  }
}

/** What admission adds to pods themselves (not to templates). */
function admitPod(spec: PodSpec): void {
  spec.serviceAccountName ??= 'default';
  spec.serviceAccount = spec.serviceAccountName;
  spec.enableServiceLinks ??= true;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  spec.priority ??= 0;
  spec.tolerations ??= [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ];
}

type Strategy = { type?: string; rollingUpdate?: Record<string, unknown> };

/** A Deployment's strategy or a DaemonSet's updateStrategy: RollingUpdate unless given, with
 *  the kind's rollingUpdate defaults under what the object sets. */
function rollingUpdateDefaults(given: unknown, rollingUpdate: Record<string, unknown>): Strategy {
  const strategy = (given ?? {}) as Strategy;
  strategy.type ||= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') strategy.rollingUpdate = { ...rollingUpdate, ...(strategy.rollingUpdate ?? {}) };
  return strategy;
}

function defaultTemplate(spec: WorkloadSpec): void {
  if (spec.template?.spec) defaultPodSpec(spec.template.spec);
  spec.template.metadata ??= {};
  spec.template.metadata.creationTimestamp ??= null as unknown as string;
}

/** Fills defaults in place. `uid` is the object's (already assigned) UID, used by Job selectors. */
export function applyDefaults(obj: KubeObject, creating: boolean): void {
  const spec = obj.spec as Record<string, unknown> | undefined;
  switch (obj.kind) {
    case 'Pod': {
      const podSpec = spec as PodSpec | undefined;
      if (!podSpec) break;
      defaultPodSpec(podSpec);
      if (creating) admitPod(podSpec);
      break;
    }
    case 'Deployment': {
      const s = spec as WorkloadSpec | undefined;
      if (!s?.template) break;
      s.replicas ??= 1;
      s.revisionHistoryLimit ??= 10;
      s.progressDeadlineSeconds ??= 600;
      s.strategy = rollingUpdateDefaults(s.strategy, { maxUnavailable: '25%', maxSurge: '25%' });
      defaultTemplate(s);
      break;
    }
    case 'ReplicaSet': {
      const s = spec as WorkloadSpec | undefined;
      if (!s?.template) break;
      s.replicas ??= 1;
      defaultTemplate(s);
      break;
    }
    case 'StatefulSet': {
      const s = spec as WorkloadSpec | undefined;
      if (!s?.template) break;
      s.replicas ??= 1;
      s.podManagementPolicy ??= 'OrderedReady';
      s.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
      s.revisionHistoryLimit ??= 10;
      s.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: 'Retain', whenScaled: 'Retain' };
      defaultTemplate(s);
      break;
    }
    case 'DaemonSet': {
      const s = spec as WorkloadSpec | undefined;
      if (!s?.template) break;
      s.updateStrategy = rollingUpdateDefaults(s.updateStrategy, { maxUnavailable: 1, maxSurge: 0 });
      s.revisionHistoryLimit ??= 10;
      defaultTemplate(s);
      break;
    }
    case 'Job': {
      const s = spec as (WorkloadSpec & { parallelism?: number; completions?: number; manualSelector?: boolean }) | undefined;
      if (!s?.template) break;
      if (s.completions === undefined && s.parallelism === undefined) s.completions = 1;
      s.parallelism ??= 1;
      s.backoffLimit ??= 6;
      s.completionMode ??= 'NonIndexed';
      s.suspend ??= false;
      s.podReplacementPolicy ??= 'TerminatingOrFailed';
      if (creating && !s.manualSelector) {
        const uid = obj.metadata.uid ?? '';
        const name = obj.metadata.name ?? '';
        s.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
        s.template.metadata ??= {};
        s.template.metadata.labels = {
          ...(s.template.metadata.labels ?? {}),
          'batch.kubernetes.io/controller-uid': uid,
          'batch.kubernetes.io/job-name': name,
          'controller-uid': uid,
          'job-name': name,
        };
      }
      defaultTemplate(s);
      break;
    }
    case 'Secret': {
      // stringData is write-only: kube-apiserver folds it into data (base64), winning over data's keys.
      const secret = obj as unknown as { data?: Record<string, string>; stringData?: Record<string, string>; type?: string };
      if (secret.stringData) {
        secret.data = { ...(secret.data ?? {}) };
        for (const [key, value] of Object.entries(secret.stringData)) secret.data[key] = Buffer.from(String(value), 'utf8').toString('base64');
        delete secret.stringData;
      }
      secret.type ??= 'Opaque';
      break;
    }
    case 'Namespace': {
      obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name ?? '' };
      obj.spec = { finalizers: ['kubernetes'], ...(spec ?? {}) };
      break;
    }
    case 'Service': {
      const s = (spec ?? {}) as Record<string, unknown>;
      obj.spec = s;
      s.type ??= 'ClusterIP';
      s.sessionAffinity ??= 'None';
      s.ipFamilies ??= ['IPv4'];
      s.ipFamilyPolicy ??= 'SingleStack';
      s.internalTrafficPolicy ??= 'Cluster';
      for (const p of (s.ports as Record<string, unknown>[] | undefined) ?? []) {
        p.protocol ??= 'TCP';
        p.targetPort ??= p.port;
      }
      break;
    }
  }
}
