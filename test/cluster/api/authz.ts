// A small authorisation table standing in for RBAC: everything is allowed until a test adds
// rules; the last rule that matches a request decides. Rules match on user, group, verb, API
// group, resource (optionally "resource/subresource"), subresource, namespace and name; an
// omitted field matches anything. exec, attach and portforward are authorised as kube-apiserver
// does: with the request's own verb (`create` for SPDY's POST, `get` for a WebSocket's GET), and a
// WebSocket upgrade also as `create` unless the 1.35 feature gate is off (`connectChecks`).
import type { UserInfo } from './authn.ts';
import type { RequestInfo } from './request-info.ts';

export interface AccessRule {
  user?: string;
  group?: string;
  verb?: string | string[];
  apiGroup?: string;
  /** `pods`, or `pods/exec` as shorthand for resource + subresource. */
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface AccessAttributes {
  user: UserInfo;
  verb: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  isResourceRequest: boolean;
  path: string;
}

const connectSubresources = new Set(['exec', 'attach', 'portforward']);

export function isConnectRequest(info: RequestInfo): boolean {
  return info.isResourceRequest && info.resource === 'pods' && connectSubresources.has(info.subresource);
}

/**
 * The verbs a request is authorised with, in order; the first one refused is the one a 403 names.
 * Every request: its RequestInfo verb (a WebSocket upgrade is a GET, so `get`). A WebSocket
 * upgrade to pods/exec, attach or portforward, from kube-apiserver 1.35 on (feature gate
 * AuthorizePodWebsocketUpgradeCreatePermission, beta and on by default): also `create`, as SPDY's
 * POST always was. Before 1.35 — the 1.20 of the real lane, too — `get` alone lets a WebSocket in.
 */
export function checkedVerbs(info: RequestInfo, websocketUpgradeCreateCheck: boolean): string[] {
  if (isConnectRequest(info) && info.verb === 'get' && websocketUpgradeCreateCheck) return ['get', 'create'];
  return [info.verb];
}

/** The attributes kube-apiserver authorises a request with (`verb` overrides the request's own). */
export function accessAttributes(user: UserInfo, info: RequestInfo, verb = info.verb): AccessAttributes {
  return {
    user,
    verb,
    apiGroup: info.apiGroup,
    resource: info.resource,
    subresource: info.subresource,
    namespace: info.namespace,
    name: info.name,
    isResourceRequest: info.isResourceRequest,
    path: info.path,
  };
}

function field(want: string | undefined, got: string): boolean {
  return want === undefined || want === '*' || want === got;
}

export function ruleMatches(rule: AccessRule, a: AccessAttributes): boolean {
  let resource = rule.resource;
  let subresource = rule.subresource;
  if (resource?.includes('/')) [resource, subresource] = resource.split('/', 2) as [string, string];
  const verbs = rule.verb === undefined ? undefined : Array.isArray(rule.verb) ? rule.verb : [rule.verb];
  return (
    field(rule.user, a.user.name) &&
    (rule.group === undefined || a.user.groups.includes(rule.group)) &&
    (verbs === undefined || verbs.includes('*') || verbs.includes(a.verb)) &&
    field(rule.apiGroup, a.apiGroup) &&
    field(resource, a.resource) &&
    // A rule on "pods" (no subresource) does not cover "pods/exec", as in RBAC.
    (subresource === undefined ? resource === undefined || a.subresource === '' : field(subresource, a.subresource)) &&
    field(rule.namespace, a.namespace) &&
    field(rule.name, a.name)
  );
}

/** responsewriters.forbiddenMessage */
export function forbiddenMessage(a: AccessAttributes): string {
  if (!a.isResourceRequest) return `User "${a.user.name}" cannot ${a.verb} path "${a.path}"`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  if (a.namespace) return `User "${a.user.name}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}" in the namespace "${a.namespace}"`;
  return `User "${a.user.name}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}" at the cluster scope`;
}

export class Authorizer {
  private rules: { effect: 'allow' | 'deny'; rule: AccessRule }[] = [];
  /** AuthorizePodWebsocketUpgradeCreatePermission (1.35+): off behaves like kube-apiserver 1.20–1.34. */
  websocketUpgradeCreateCheck = true;

  /** The attributes of the first check `info` fails, or undefined when every check passes. */
  refused(user: UserInfo, info: RequestInfo): AccessAttributes | undefined {
    for (const verb of checkedVerbs(info, this.websocketUpgradeCreateCheck)) {
      const attrs = accessAttributes(user, info, verb);
      if (!this.allowed(attrs)) return attrs;
    }
    return undefined;
  }

  deny(rule: AccessRule): void {
    this.rules.push({ effect: 'deny', rule });
  }

  allow(rule: AccessRule): void {
    this.rules.push({ effect: 'allow', rule });
  }

  reset(): void {
    this.rules = [];
  }

  allowed(a: AccessAttributes): boolean {
    for (let i = this.rules.length - 1; i >= 0; i--) {
      const r = this.rules[i];
      if (r && ruleMatches(r.rule, a)) return r.effect === 'allow';
    }
    return true;
  }
}
