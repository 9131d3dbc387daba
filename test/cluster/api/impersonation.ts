// Impersonation as kube-apiserver's filter does it (WithImpersonation): `Impersonate-User` and
// `Impersonate-Group` headers make the request act as that user, once the caller is allowed the verb
// `impersonate` on `users` (by name; `serviceaccounts` in their namespace for
// system:serviceaccount:NS:NAME) and on `groups` for each group. The impersonated user belongs to
// the groups asked for plus system:authenticated. A refusal is the 403 kube-apiserver sends.
import type { IncomingMessage } from 'node:http';
import type { UserInfo } from './authn.ts';
import { forbiddenMessage, type AccessAttributes, type Authorizer } from './authz.ts';
import * as status from './status.ts';

function headerValues(req: IncomingMessage, name: string): string[] {
  const raw = req.headersDistinct[name.toLowerCase()] ?? [];
  // Several values may come as repeated headers; Node joins none of them in headersDistinct.
  return raw.map((value) => value.trim()).filter((value) => value !== '');
}

function impersonateAttributes(user: UserInfo, resource: string, name: string, namespace = ''): AccessAttributes {
  return { user, verb: 'impersonate', apiGroup: '', resource, subresource: '', namespace, name, isResourceRequest: true, path: '' };
}

/** The user the request acts as: `user` itself without impersonation headers; throws the 403/400 otherwise. */
export function impersonate(req: IncomingMessage, user: UserInfo, authorizer: Authorizer): UserInfo {
  const users = headerValues(req, 'Impersonate-User');
  const groups = headerValues(req, 'Impersonate-Group');
  if (users.length === 0) {
    if (groups.length > 0) throw status.badRequest(`requested [${groups.map((g) => `{Group  ${g}  }`).join(' ')}] without impersonating a user`);
    return user;
  }
  if (users.length > 1) throw status.badRequest('only one Impersonate-User header may be given');
  const name = users[0] as string;
  const checks: AccessAttributes[] = [];
  const serviceAccount = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(name);
  if (serviceAccount) checks.push(impersonateAttributes(user, 'serviceaccounts', serviceAccount[2] as string, serviceAccount[1] as string));
  else checks.push(impersonateAttributes(user, 'users', name));
  for (const group of groups) checks.push(impersonateAttributes(user, 'groups', group));
  for (const attrs of checks) {
    if (!authorizer.allowed(attrs)) throw status.forbidden({ group: '', resource: attrs.resource }, attrs.name, forbiddenMessage(attrs));
  }
  return { name, groups: [...groups, 'system:authenticated'] };
}
