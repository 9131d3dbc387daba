// The in-process API: create, read, update, patch and delete objects with kube-apiserver's
// semantics (defaulting, validation, generation, optimistic concurrency, graceful pod deletion,
// finalizers, namespace lifecycle). The HTTP layer, controllers, the kubelet glue and the
// library's apply() all go through here, so they all see the same rules.
import { randomUUID } from 'node:crypto';
import type { Json, KubeObject, Pod, StoredObject } from './types.ts';
import type { ResourceType } from './resources.ts';
import { apiVersionOf, resourceByName } from './resources.ts';
import { Store, nowTimestamp } from './store.ts';
import * as status from './status.ts';
import { StatusError } from './status.ts';
import { applyDefaults } from './defaults.ts';
import { validateEphemeralContainersUpdate, validateName, validateObject, validatePodUpdate } from './validation.ts';
import { PatchError, jsonPatch, mergePatch, strategicMerge } from './patch.ts';
import { SelectorParseError, checkFieldSelector, matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, selectorToString } from './selectors.ts';
import type { LabelSelector } from './types.ts';

export type PatchType = 'merge' | 'strategic' | 'json';

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface DeleteResult {
  object: StoredObject;
  /** False when the object still exists (graceful pod deletion, finalizers, namespaces). */
  removed: boolean;
}

const nsType = (): ResourceType => resourceByName('namespaces') as ResourceType;

function isEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Generated name suffixes use the same alphabet as kube-apiserver (no vowels, no confusables). */
export function randomSuffix(length = 5): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}

export class Registry {
  /** false: the pods/ephemeralcontainers subresource is not served (404), as on clusters where
   *  the EphemeralContainers feature is off (before 1.23 by default). */
  ephemeralContainersEnabled = true;
  readonly store: Store;
  private nextServiceIP = 2;

  constructor(store: Store) {
    this.store = store;
  }

  get(type: ResourceType, namespace: string, name: string): StoredObject {
    const obj = this.store.get(type, namespace, name);
    if (!obj) throw status.notFound(type, name);
    return obj;
  }

  /**
   * The ServiceAccount admission plugin's check: a pod that names a ServiceAccount other than the
   * `default` one (which the namespace controller may still be making) runs only if it exists.
   */
  private admitServiceAccount(pod: KubeObject, namespace: string, name: string): void {
    const account = (pod as { spec?: { serviceAccountName?: string } }).spec?.serviceAccountName;
    if (!account || account === 'default') return;
    const accounts = resourceByName('serviceaccounts') as ResourceType;
    if (this.store.get(accounts, namespace, account)) return;
    throw status.forbidden({ group: '', resource: 'pods' }, name, `error looking up service account ${namespace}/${account}: serviceaccount "${account}" not found`);
  }

  tryGet(type: ResourceType, namespace: string, name: string): StoredObject | undefined {
    return this.store.get(type, namespace, name);
  }

  list(type: ResourceType, namespace: string, options: ListOptions = {}): { items: StoredObject[]; resourceVersion: string } {
    const filter = this.listFilter(type, options);
    const items = this.store.list(type, namespace || undefined).filter(filter);
    return { items, resourceVersion: this.store.resourceVersion() };
  }

  /** Parses selectors once; throws a 400 Status for bad syntax or unsupported fields. */
  listFilter(type: ResourceType, options: ListOptions): (obj: KubeObject) => boolean {
    try {
      const labels = parseLabelSelector(options.labelSelector ?? '');
      const fields = parseFieldSelector(options.fieldSelector ?? '');
      checkFieldSelector(type.resource, fields);
      return (obj) => matchesLabels(labels, obj.metadata.labels) && matchesFields(type.resource, fields, obj);
    } catch (error) {
      if (error instanceof SelectorParseError) throw status.badRequest(error.message);
      throw error;
    }
  }

  private checkNamespace(type: ResourceType, namespace: string, name: string): void {
    if (!type.namespaced) return;
    const ns = this.store.get(nsType(), '', namespace);
    if (!ns) throw status.notFound(nsType(), namespace);
    if (ns.metadata.deletionTimestamp) throw status.namespaceTerminating(namespace, type, name);
  }

  private checkKind(type: ResourceType, body: KubeObject): void {
    const expected = apiVersionOf(type);
    if (body.apiVersion && body.apiVersion !== expected) {
      throw status.badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${expected})`);
    }
    if (body.kind && body.kind !== type.kind) {
      throw status.badRequest(`the kind in the data (${body.kind}) does not match the expected kind (${type.kind})`);
    }
  }

  create(type: ResourceType, namespace: string, input: unknown, options: { dryRun?: boolean } = {}): StoredObject {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) throw status.badRequest('the body of the request must be a JSON object');
    const body = structuredClone(input) as KubeObject;
    body.metadata = { ...(body.metadata ?? {}) };
    this.checkKind(type, body);
    body.apiVersion = apiVersionOf(type);
    body.kind = type.kind;
    const meta = body.metadata;
    if (type.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw status.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = namespace || meta.namespace || 'default';
    } else {
      delete meta.namespace;
    }
    if (!meta.name && meta.generateName) {
      // The generated name must itself be valid; check the prefix as kube-apiserver does.
      const errors = validateName(type, `${meta.generateName.replace(/-$/, '')}x`, 'metadata.generateName');
      if (errors.length > 0) throw status.invalid(type.group, type.kind, meta.generateName, errors.map((e) => ({ ...e, value: meta.generateName })));
      meta.name = `${meta.generateName}${randomSuffix()}`;
    }
    // System fields clients may not set.
    meta.uid = randomUUID();
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.creationTimestamp;
    delete meta.selfLink;
    if (type.generation) meta.generation = 1;
    applyDefaults(body, true);
    this.prepareStatusOnCreate(type, body);

    const errors = validateObject(type, body);
    if (errors.length > 0) throw status.invalid(type.group, type.kind, meta.name ?? '', errors);
    const name = meta.name as string;
    this.checkNamespace(type, meta.namespace ?? '', name);
    if (this.store.get(type, meta.namespace, name)) throw status.alreadyExists(type, name);
    if (type.kind === 'Service') this.allocateClusterIP(body);
    if (type.kind === 'Pod') this.admitServiceAccount(body, meta.namespace ?? '', name);

    if (options.dryRun) {
      return { ...body, metadata: { ...meta, name, uid: meta.uid, resourceVersion: '', creationTimestamp: nowTimestamp() } } as StoredObject;
    }
    return this.store.insert(type, body as StoredObject);
  }

  private prepareStatusOnCreate(type: ResourceType, body: KubeObject): void {
    switch (type.kind) {
      case 'Pod': {
        const podStatus: Record<string, unknown> = { phase: 'Pending', qosClass: 'BestEffort' };
        body.status = podStatus;
        break;
      }
      case 'Namespace':
        body.status = { phase: 'Active' };
        break;
      case 'Deployment':
      case 'ReplicaSet':
      case 'StatefulSet':
      case 'Job':
        body.status = {};
        break;
      case 'DaemonSet':
        // An empty apps/v1 DaemonSetStatus: these four counters are not omitempty.
        body.status = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
        break;
      case 'Service':
        body.status = { loadBalancer: {} };
        break;
    }
  }

  private allocateClusterIP(body: KubeObject): void {
    const spec = body.spec as Record<string, unknown>;
    if (spec.clusterIP === 'None' || spec.type === 'ExternalName') return;
    if (!spec.clusterIP) {
      const n = this.nextServiceIP++;
      spec.clusterIP = `10.96.${Math.floor(n / 256)}.${n % 256}`;
    }
    spec.clusterIPs = [spec.clusterIP];
  }

  /** PUT: replace the object (or only its status with subresource 'status'). */
  update(type: ResourceType, namespace: string, name: string, input: unknown, options: { subresource?: string; dryRun?: boolean } = {}): StoredObject {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) throw status.badRequest('the body of the request must be a JSON object');
    const body = structuredClone(input) as KubeObject;
    body.metadata = { ...(body.metadata ?? {}) };
    this.checkKind(type, body);
    if (body.metadata.name && body.metadata.name !== name) {
      throw status.badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
    }
    const existing = this.get(type, namespace, name);
    const wantedRV = body.metadata.resourceVersion;
    if (wantedRV && wantedRV !== existing.metadata.resourceVersion) {
      throw status.conflict(type, name, status.modifiedConflictReason);
    }
    return this.write(type, existing, body, options);
  }

  patch(type: ResourceType, namespace: string, name: string, patchType: PatchType, patchBody: Json, options: { subresource?: string; dryRun?: boolean } = {}): StoredObject {
    const existing = this.get(type, namespace, name);
    let patched: Json;
    try {
      const doc = existing as unknown as Json;
      patched = patchType === 'json' ? jsonPatch(doc, patchBody) : patchType === 'merge' ? mergePatch(doc, patchBody) : strategicMerge(doc, patchBody);
    } catch (error) {
      if (error instanceof PatchError) throw status.invalidPatch(error.message);
      throw error;
    }
    if (patched === null || typeof patched !== 'object' || Array.isArray(patched)) throw status.badRequest('the patch produced something that is not an object');
    const body = patched as unknown as KubeObject;
    body.metadata ??= {};
    const wantedRV = body.metadata.resourceVersion;
    if (wantedRV && wantedRV !== existing.metadata.resourceVersion) throw status.conflict(type, name, status.modifiedConflictReason);
    return this.write(type, existing, body, options);
  }

  private write(type: ResourceType, existing: StoredObject, body: KubeObject, options: { subresource?: string; dryRun?: boolean }): StoredObject {
    let next: KubeObject;
    if (options.subresource === 'status') {
      next = { ...existing, status: body.status };
    } else if (options.subresource === 'ephemeralcontainers') {
      // Only spec.ephemeralContainers changes through this subresource; the rest is the pod's.
      const spec = structuredClone((existing as Pod).spec);
      const wanted = (body as Pod).spec?.ephemeralContainers;
      if (wanted && wanted.length > 0) spec.ephemeralContainers = structuredClone(wanted);
      else delete spec.ephemeralContainers;
      next = { ...existing, spec } as KubeObject;
      applyDefaults(next, false);
      const errors = validateEphemeralContainersUpdate((existing as Pod).spec, (next as Pod).spec);
      if (errors.length > 0) throw status.invalid(type.group, type.kind, existing.metadata.name, errors);
    } else {
      next = {
        ...body,
        apiVersion: existing.apiVersion,
        kind: existing.kind,
        metadata: {
          ...body.metadata,
          name: existing.metadata.name,
          namespace: existing.metadata.namespace,
          uid: existing.metadata.uid,
          creationTimestamp: existing.metadata.creationTimestamp,
          resourceVersion: existing.metadata.resourceVersion,
        },
      };
      if (!type.namespaced) delete next.metadata.namespace;
      if (existing.metadata.deletionTimestamp) {
        next.metadata.deletionTimestamp = existing.metadata.deletionTimestamp;
        next.metadata.deletionGracePeriodSeconds = existing.metadata.deletionGracePeriodSeconds;
      } else {
        delete next.metadata.deletionTimestamp;
        delete next.metadata.deletionGracePeriodSeconds;
      }
      // The main resource cannot change status where a status subresource exists.
      if (type.subresources.includes('status')) {
        if ('status' in existing) next.status = existing.status;
        else delete next.status;
      }
      // As kube-apiserver: ephemeral containers change only through their subresource.
      if (type.kind === 'Pod') {
        const kept = (existing as Pod).spec.ephemeralContainers;
        if (kept) (next as Pod).spec.ephemeralContainers = kept;
        else if ((next as Pod).spec) delete (next as Pod).spec.ephemeralContainers;
      }
      applyDefaults(next, false);
      const errors = validateObject(type, next);
      if (type.kind === 'Pod') errors.push(...validatePodUpdate((existing as Pod).spec, (next as Pod).spec));
      if (errors.length > 0) throw status.invalid(type.group, type.kind, existing.metadata.name, errors);
      if (type.generation) {
        const specChanged = !isEqual(existing.spec, next.spec);
        next.metadata.generation = (existing.metadata.generation ?? 1) + (specChanged ? 1 : 0);
      }
    }
    if (isEqual(existing, next)) return existing; // no-op updates do not bump resourceVersion
    if (options.dryRun) return next as StoredObject;
    if (next.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0 && type.kind !== 'Pod') {
      return this.store.remove(type, existing.metadata.namespace, existing.metadata.name) ?? existing;
    }
    return this.store.replace(type, next as StoredObject);
  }

  /** Read-modify-write for in-process callers (controllers, kubelet). Returns undefined when the object is gone. */
  mutate(type: ResourceType, namespace: string, name: string, change: (obj: StoredObject) => void, subresource?: 'status'): StoredObject | undefined {
    const existing = this.store.get(type, namespace, name);
    if (!existing) return undefined;
    const next = structuredClone(existing);
    change(next);
    if (isEqual(existing, next)) return existing;
    return this.write(type, existing, next, subresource ? { subresource } : {});
  }

  delete(type: ResourceType, namespace: string, name: string, options: DeleteOptions = {}): DeleteResult {
    const existing = this.get(type, namespace, name);
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== existing.metadata.uid) {
      throw status.conflict(type, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${existing.metadata.uid}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== existing.metadata.resourceVersion) {
      throw status.conflict(type, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${existing.metadata.resourceVersion}`);
    }
    if (type.kind === 'Namespace') return this.deleteNamespace(existing);
    if (type.kind === 'Pod') return this.deletePod(existing as Pod, options);

    const finalizers = [...(existing.metadata.finalizers ?? [])];
    const policy = options.propagationPolicy;
    if (policy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
    if (policy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
    if (finalizers.length === 0) {
      const removed = this.store.remove(type, existing.metadata.namespace, name) ?? existing;
      return { object: removed, removed: true };
    }
    const updated = this.store.replace(type, {
      ...existing,
      metadata: { ...existing.metadata, finalizers, deletionTimestamp: existing.metadata.deletionTimestamp ?? nowTimestamp(), deletionGracePeriodSeconds: 0 },
    });
    return { object: updated, removed: false };
  }

  private deletePod(pod: Pod, options: DeleteOptions): DeleteResult {
    const phase = pod.status?.phase;
    let grace = options.gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    // As kube-apiserver: pods that never reached a node, or that already finished, go at once.
    if (!pod.spec.nodeName || phase === 'Succeeded' || phase === 'Failed') grace = 0;
    if (grace === 0 && (pod.metadata.finalizers ?? []).length === 0) {
      const removed = this.store.remove(resourceByName('pods') as ResourceType, pod.metadata.namespace, pod.metadata.name) ?? pod;
      return { object: removed, removed: true };
    }
    const current = pod.metadata.deletionGracePeriodSeconds;
    if (pod.metadata.deletionTimestamp && current !== undefined && current <= grace) return { object: pod, removed: false };
    const updated = this.store.replace(resourceByName('pods') as ResourceType, {
      ...pod,
      metadata: { ...pod.metadata, deletionTimestamp: nowTimestamp(new Date(Date.now() + grace * 1000)), deletionGracePeriodSeconds: grace },
    });
    return { object: updated, removed: false };
  }

  private deleteNamespace(ns: StoredObject): DeleteResult {
    if (['default', 'kube-system', 'kube-public'].includes(ns.metadata.name)) {
      throw status.forbidden(nsType(), ns.metadata.name, 'this namespace may not be deleted');
    }
    if (ns.metadata.deletionTimestamp) return { object: ns, removed: false };
    const updated = this.store.replace(nsType(), {
      ...ns,
      metadata: { ...ns.metadata, deletionTimestamp: nowTimestamp(), deletionGracePeriodSeconds: 0 },
      status: { phase: 'Terminating' },
    });
    return { object: updated, removed: false };
  }

  /** The scheduler's binding: sets spec.nodeName, which a pod update may not change. */
  bind(namespace: string, name: string, nodeName: string): StoredObject | undefined {
    const type = resourceByName('pods') as ResourceType;
    const pod = this.store.get(type, namespace, name) as Pod | undefined;
    if (!pod || pod.spec.nodeName) return pod;
    const conditions = [...(pod.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled'), { type: 'PodScheduled', status: 'True' as const, lastProbeTime: null, lastTransitionTime: nowTimestamp() }];
    return this.store.replace(type, { ...pod, spec: { ...pod.spec, nodeName }, status: { ...pod.status, conditions } });
  }

  /** Removes an object whose deletion is complete (namespace emptied, pod stopped, finalizers done). */
  finalize(type: ResourceType, namespace: string, name: string): void {
    this.store.remove(type, namespace, name);
  }

  // ---- scale subresource --------------------------------------------------------------------

  getScale(type: ResourceType, namespace: string, name: string): KubeObject {
    const obj = this.get(type, namespace, name);
    const spec = obj.spec as { replicas?: number; selector?: LabelSelector };
    const st = (obj.status ?? {}) as { replicas?: number };
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
        creationTimestamp: obj.metadata.creationTimestamp,
      },
      spec: { replicas: spec.replicas ?? 0 },
      status: { replicas: st.replicas ?? 0, selector: selectorToString(spec.selector) },
    };
  }

  updateScale(type: ResourceType, namespace: string, name: string, scale: KubeObject): KubeObject {
    const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw status.invalid('autoscaling', 'Scale', name, [{ type: 'Invalid', field: 'spec.replicas', value: replicas ?? null, detail: 'must be greater than or equal to 0' }]);
    }
    const existing = this.get(type, namespace, name);
    const wantedRV = scale.metadata?.resourceVersion;
    if (wantedRV && wantedRV !== existing.metadata.resourceVersion) throw status.conflict(type, name, status.modifiedConflictReason);
    const next = structuredClone(existing);
    (next.spec as { replicas: number }).replicas = replicas;
    this.write(type, existing, next, {});
    return this.getScale(type, namespace, name);
  }

  patchScale(type: ResourceType, namespace: string, name: string, patchType: PatchType, patchBody: Json): KubeObject {
    const current = this.getScale(type, namespace, name) as unknown as Json;
    let patched: Json;
    try {
      patched = patchType === 'json' ? jsonPatch(current, patchBody) : patchType === 'merge' ? mergePatch(current, patchBody) : strategicMerge(current, patchBody);
    } catch (error) {
      if (error instanceof PatchError) throw status.invalidPatch(error.message);
      throw error;
    }
    return this.updateScale(type, namespace, name, patched as unknown as KubeObject);
  }
}

export { StatusError };
