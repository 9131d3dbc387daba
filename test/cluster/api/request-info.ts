// What a request asks for, derived from method, path and query the way kube-apiserver's
// RequestInfoFactory does: authorisation, the request log and routing all read this.

export interface RequestInfo {
  isResourceRequest: boolean;
  path: string;
  /** Kubernetes verb: get, list, watch, create, update, patch, delete, deletecollection
   *  (lower-case HTTP method for non-resource paths). */
  verb: string;
  apiPrefix: '' | 'api' | 'apis';
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
}

const namespaceSubresources = new Set(['status', 'finalize']);

function methodVerb(method: string): string {
  switch (method) {
    case 'POST':
      return 'create';
    case 'GET':
    case 'HEAD':
      return 'get';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    default:
      return '';
  }
}

function isTrue(value: string | null): boolean {
  return value === 'true' || value === '1';
}

export function requestInfo(method: string, url: URL): RequestInfo {
  const path = url.pathname;
  const info: RequestInfo = {
    isResourceRequest: false,
    path,
    verb: method.toLowerCase(),
    apiPrefix: '',
    apiGroup: '',
    apiVersion: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
  };
  let parts = path.split('/').filter((p) => p.length > 0).map((p) => decodeURIComponent(p));
  const prefix = parts[0];
  if (prefix !== 'api' && prefix !== 'apis') return info;
  info.apiPrefix = prefix;
  parts = parts.slice(1);
  if (prefix === 'apis') {
    if (parts.length < 1) return info;
    info.apiGroup = parts[0] ?? '';
    parts = parts.slice(1);
  }
  if (parts.length < 1) return info;
  info.apiVersion = parts[0] ?? '';
  parts = parts.slice(1);
  // /api/v1 and /apis/apps/v1 themselves are discovery documents, not resources.
  if (parts.length < 1) return info;

  info.isResourceRequest = true;
  info.verb = methodVerb(method);
  // Legacy /watch/ prefix (still accepted by kube-apiserver).
  if (parts[0] === 'watch') {
    info.verb = 'watch';
    parts = parts.slice(1);
  }

  if (parts[0] === 'namespaces') {
    if (parts.length > 1) {
      info.namespace = parts[1] ?? '';
      if (parts.length > 2 && !namespaceSubresources.has(parts[2] ?? '')) parts = parts.slice(2);
    }
  }
  info.resource = parts[0] ?? '';
  info.name = parts[1] ?? '';
  info.subresource = parts[2] ?? '';
  // The namespace object itself: /api/v1/namespaces/NS is the resource "namespaces" named NS.
  if (info.resource === 'namespaces' && info.name) info.namespace = info.name;

  const query = url.searchParams;
  if (info.verb === 'get' && !info.name) info.verb = 'list';
  if (info.verb === 'list' && isTrue(query.get('watch'))) info.verb = 'watch';
  if (info.verb === 'delete' && !info.name) info.verb = 'deletecollection';
  // A list or watch narrowed to one name by field selector is authorised as that name.
  if ((info.verb === 'list' || info.verb === 'watch') && !info.name) {
    const byName = (query.get('fieldSelector') ?? '').split(',').find((s) => /^metadata\.name==?/.test(s));
    if (byName) info.name = byName.replace(/^metadata\.name==?/, '');
  }
  return info;
}
