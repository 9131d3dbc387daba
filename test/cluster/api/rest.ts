// The REST handler for resource requests: get, list, watch, create, update, patch, delete and
// deletecollection on every registered resource, plus the status and scale subresources and
// SelfSubjectAccessReview. Replies are what kube-apiserver sends: the object (or List, or
// Table when asked for), 201 on create, Status bodies for errors.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Json, KubeObject, StoredObject } from './types.ts';
import type { ResourceType } from './resources.ts';
import { apiVersionOf, findResource } from './resources.ts';
import type { Registry, DeleteOptions, PatchType } from './registry.ts';
import type { RequestInfo } from './request-info.ts';
import type { Authorizer } from './authz.ts';
import { accessAttributes } from './authz.ts';
import type { UserInfo } from './authn.ts';
import * as status from './status.ts';
import { deletedStatus } from './status.ts';
import { acceptedForm, parseBody, readBody, sendJson } from './http.ts';
import type { AcceptedForm } from './http.ts';
import { toTable } from './table.ts';
import type { IncludeObject } from './table.ts';
import { serveWatch } from './watch.ts';
import type { ServiceAccountTokens } from './service-account-tokens.ts';

export interface RestContext {
  registry: Registry;
  authorizer: Authorizer;
  serviceAccountTokens?: ServiceAccountTokens;
}

const patchTypes: Record<string, PatchType> = {
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/json-patch+json': 'json',
};

/** Pods, namespaces and services come back from DELETE as objects; the rest as a Status. */
const returnsDeletedObject = new Set(['pods', 'namespaces', 'services']);

function stripTypeMeta(obj: KubeObject): object {
  const { apiVersion: _a, kind: _k, ...rest } = obj;
  void _a;
  void _k;
  return rest;
}

function render(type: ResourceType, form: AcceptedForm, include: IncludeObject, resourceVersion: string, objects: StoredObject[], single: boolean): unknown {
  if (form.as === 'Table') return toTable(type.resource, objects, resourceVersion, include, form.version);
  if (form.as === 'PartialObjectMetadata' || form.as === 'PartialObjectMetadataList') {
    const items = objects.map((o) => ({ kind: 'PartialObjectMetadata', apiVersion: form.version, metadata: o.metadata }));
    return single ? items[0] : { kind: 'PartialObjectMetadataList', apiVersion: form.version, metadata: { resourceVersion }, items };
  }
  if (single) return objects[0];
  return { kind: `${type.kind}List`, apiVersion: apiVersionOf(type), metadata: { resourceVersion }, items: objects.map(stripTypeMeta) };
}

function intParam(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw status.badRequest(`invalid value for ${name}: ${v}`);
  return n;
}

async function deleteOptions(req: IncomingMessage, query: URLSearchParams): Promise<DeleteOptions> {
  const options: DeleteOptions = {};
  const body = await readBody(req);
  if (body.length > 0 && body.toString('utf8').trim() !== '') {
    const parsed = parseBody(req, body) as { gracePeriodSeconds?: number; propagationPolicy?: DeleteOptions['propagationPolicy']; orphanDependents?: boolean; preconditions?: DeleteOptions['preconditions'] };
    if (parsed.gracePeriodSeconds !== undefined) options.gracePeriodSeconds = parsed.gracePeriodSeconds;
    if (parsed.propagationPolicy) options.propagationPolicy = parsed.propagationPolicy;
    if (parsed.orphanDependents) options.propagationPolicy = 'Orphan';
    if (parsed.preconditions) options.preconditions = parsed.preconditions;
  }
  const grace = intParam(query, 'gracePeriodSeconds');
  if (grace !== undefined) options.gracePeriodSeconds = grace;
  const policy = query.get('propagationPolicy');
  if (policy === 'Background' || policy === 'Foreground' || policy === 'Orphan') options.propagationPolicy = policy;
  return options;
}

function selfSubjectAccessReview(body: unknown, user: UserInfo, authorizer: Authorizer): KubeObject {
  const review = (body ?? {}) as { spec?: { resourceAttributes?: Record<string, string>; nonResourceAttributes?: { path?: string; verb?: string } } };
  const ra = review.spec?.resourceAttributes;
  const nra = review.spec?.nonResourceAttributes;
  if (!ra && !nra) {
    throw status.invalid('authorization.k8s.io', 'SelfSubjectAccessReview', '', [{ type: 'Invalid', field: 'spec.resourceAttributes', value: 'null', detail: 'exactly one of nonResourceAttributes or resourceAttributes must be specified' }]);
  }
  const info: RequestInfo = ra
    ? { isResourceRequest: true, path: '', verb: ra.verb ?? '', apiPrefix: ra.group ? 'apis' : 'api', apiGroup: ra.group ?? '', apiVersion: ra.version ?? '', namespace: ra.namespace ?? '', resource: ra.resource ?? '', subresource: ra.subresource ?? '', name: ra.name ?? '' }
    : { isResourceRequest: false, path: nra?.path ?? '', verb: nra?.verb ?? '', apiPrefix: '', apiGroup: '', apiVersion: '', namespace: '', resource: '', subresource: '', name: '' };
  const attrs = { ...accessAttributes(user, info), verb: info.verb };
  const allowed = authorizer.allowed(attrs);
  const result: Record<string, unknown> = { allowed };
  if (!allowed) result.denied = true;
  return { kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null as unknown as string }, spec: review.spec, status: result };
}

/** Handles one resource request; returns the HTTP status code sent. */
export async function handleResourceRequest(req: IncomingMessage, res: ServerResponse, url: URL, info: RequestInfo, user: UserInfo, ctx: RestContext): Promise<number> {
  const type = findResource(info.apiGroup, info.apiVersion, info.resource);
  if (!type) throw status.pathNotFound();
  const { registry } = ctx;
  const query = url.searchParams;
  const namespace = type.namespaced ? info.namespace : '';
  const dryRun = query.getAll('dryRun').includes('All');
  const form = acceptedForm(req.headers.accept);
  const include = (query.get('includeObject') as IncludeObject | null) ?? 'Metadata';

  if (type.createOnly) {
    if (info.verb !== 'create' || info.name) throw status.methodNotAllowed(type, info.verb);
    const review = selfSubjectAccessReview(parseBody(req, await readBody(req)), user, ctx.authorizer);
    sendJson(res, 201, review);
    return 201;
  }
  if (type.namespaced && !namespace && info.verb !== 'list' && info.verb !== 'watch' && info.verb !== 'deletecollection') {
    throw status.pathNotFound();
  }

  const sub = info.subresource;
  if (sub && !type.subresources.includes(sub as never)) throw status.pathNotFound();
  if (sub === 'ephemeralcontainers' && !registry.ephemeralContainersEnabled) throw status.pathNotFound();
  if (sub === 'exec' || sub === 'attach' || sub === 'portforward') throw status.badRequest('Upgrade request required');
  if (sub === 'token') {
    // TokenRequest: only create, on a ServiceAccount by name.
    if (info.verb !== 'create' || !ctx.serviceAccountTokens) throw status.methodNotAllowed(type, info.verb);
    const body = parseBody(req, await readBody(req));
    sendJson(res, 201, ctx.serviceAccountTokens.issue(namespace, info.name, body));
    return 201;
  }
  if (sub === 'log') {
    registry.get(type, namespace, info.name);
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end();
    return 200;
  }
  if (sub === 'scale') {
    switch (info.verb) {
      case 'get':
        sendJson(res, 200, registry.getScale(type, namespace, info.name));
        return 200;
      case 'update':
        sendJson(res, 200, registry.updateScale(type, namespace, info.name, parseBody(req, await readBody(req)) as KubeObject));
        return 200;
      case 'patch': {
        const pt = patchTypes[(req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? ''];
        if (!pt) throw status.unsupportedMediaType(Object.keys(patchTypes));
        sendJson(res, 200, registry.patchScale(type, namespace, info.name, pt, parseBody(req, await readBody(req)) as Json));
        return 200;
      }
      default:
        throw status.methodNotAllowed(type, info.verb);
    }
  }
  if ((sub === 'status' || sub === 'ephemeralcontainers') && !['get', 'update', 'patch'].includes(info.verb)) throw status.methodNotAllowed(type, info.verb);
  const subresource = sub === 'status' || sub === 'ephemeralcontainers' ? sub : undefined;

  switch (info.verb) {
    case 'get': {
      const obj = registry.get(type, namespace, info.name);
      sendJson(res, 200, render(type, form, include, obj.metadata.resourceVersion, [obj], form.as !== 'Table'));
      return 200;
    }
    case 'list': {
      const { items, resourceVersion } = registry.list(type, namespace, { labelSelector: query.get('labelSelector') ?? '', fieldSelector: query.get('fieldSelector') ?? '' });
      sendJson(res, 200, render(type, form, include, resourceVersion, items, false));
      return 200;
    }
    case 'watch': {
      const matchesQuery = registry.listFilter(type, { labelSelector: query.get('labelSelector') ?? '', fieldSelector: query.get('fieldSelector') ?? '' });
      const name = info.name;
      const timeout = intParam(query, 'timeoutSeconds');
      serveWatch(req, res, registry.store, type, {
        namespace,
        resourceVersion: query.get('resourceVersion') ?? '',
        sendInitialEvents: query.get('sendInitialEvents') === 'true',
        allowBookmarks: query.get('allowWatchBookmarks') === 'true',
        timeoutSeconds: timeout,
        matches: (obj) => (!name || obj.metadata.name === name) && matchesQuery(obj),
        render: (obj) => render(type, form, include, obj.metadata.resourceVersion, [obj], form.as !== 'Table') as KubeObject,
      });
      return 200;
    }
    case 'create': {
      if (info.name) throw status.methodNotAllowed(type, 'create');
      const created = registry.create(type, namespace, parseBody(req, await readBody(req)), { dryRun });
      sendJson(res, 201, created);
      return 201;
    }
    case 'update': {
      const updated = registry.update(type, namespace, info.name, parseBody(req, await readBody(req)), subresource ? { subresource, dryRun } : { dryRun });
      sendJson(res, 200, updated);
      return 200;
    }
    case 'patch': {
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
      const pt = patchTypes[contentType];
      if (!pt) throw status.unsupportedMediaType(Object.keys(patchTypes));
      const patched = registry.patch(type, namespace, info.name, pt, parseBody(req, await readBody(req)) as Json, subresource ? { subresource, dryRun } : { dryRun });
      sendJson(res, 200, patched);
      return 200;
    }
    case 'delete': {
      const options = await deleteOptions(req, query);
      if (dryRun) {
        sendJson(res, 200, registry.get(type, namespace, info.name));
        return 200;
      }
      const result = registry.delete(type, namespace, info.name, options);
      const code = result.removed || type.resource === 'pods' ? 200 : 202;
      if (returnsDeletedObject.has(type.resource)) sendJson(res, code, result.object);
      else sendJson(res, code, deletedStatus(type, result.object.metadata.name, result.object.metadata.uid));
      return code;
    }
    case 'deletecollection': {
      const options = await deleteOptions(req, query);
      const { items } = registry.list(type, namespace, { labelSelector: query.get('labelSelector') ?? '', fieldSelector: query.get('fieldSelector') ?? '' });
      const deleted: StoredObject[] = [];
      for (const item of items) {
        try {
          deleted.push(registry.delete(type, item.metadata.namespace ?? '', item.metadata.name, options).object);
        } catch (error) {
          if (!(error instanceof status.StatusError) || error.status.code !== 404) throw error;
        }
      }
      sendJson(res, 200, { kind: `${type.kind}List`, apiVersion: apiVersionOf(type), metadata: { resourceVersion: registry.store.resourceVersion() }, items: deleted.map(stripTypeMeta) });
      return 200;
    }
    default:
      throw status.methodNotAllowed(type, req.method ?? '');
  }
}
