// The rbac.authorization.k8s.io/v1 checks kube-apiserver makes on create and update
// (pkg/apis/rbac/validation), with its field paths and words: enough that a wrong manifest — a rule
// without verbs or API groups, a binding to an unknown kind of role, a ServiceAccount subject without
// a namespace — is refused here as it would be on a real cluster. RBAC objects are only stored: they
// do not feed the stand-in's authorisation table.
import type { FieldError } from './status.ts';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** path.IsValidPathSegmentName: RBAC names may hold anything but "/" and "%", and may not be "." or "..". */
export function pathSegmentName(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  const errors: string[] = [];
  for (const illegal of ['/', '%']) if (name.includes(illegal)) errors.push(`may not contain '${illegal}'`);
  return errors;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function rulesErrors(rules: unknown, namespaced: boolean): FieldError[] {
  const errors: FieldError[] = [];
  list(rules).forEach((raw, i) => {
    const rule = (raw ?? {}) as Record<string, unknown>;
    const at = `rules[${i}]`;
    if (list(rule['verbs']).length === 0) errors.push({ type: 'Required', field: `${at}.verbs`, detail: 'verbs must contain at least one value' });
    const urls = list(rule['nonResourceURLs']);
    if (urls.length > 0) {
      if (namespaced) errors.push({ type: 'Invalid', field: `${at}.nonResourceURLs`, value: urls, detail: 'namespaced rules cannot apply to non-resource URLs' });
      if (list(rule['apiGroups']).length > 0 || list(rule['resources']).length > 0) {
        errors.push({ type: 'Invalid', field: `${at}.nonResourceURLs`, value: urls, detail: 'rules cannot apply to both regular resources and non-resource URLs' });
      }
      return;
    }
    if (list(rule['apiGroups']).length === 0) errors.push({ type: 'Required', field: `${at}.apiGroups`, detail: 'resource rules must supply at least one api group' });
    if (list(rule['resources']).length === 0) errors.push({ type: 'Required', field: `${at}.resources`, detail: 'resource rules must supply at least one resource' });
  });
  return errors;
}

function bindingErrors(kind: 'RoleBinding' | 'ClusterRoleBinding', object: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  const roleRef = (object['roleRef'] ?? {}) as Record<string, unknown>;
  if (roleRef['apiGroup'] !== RBAC_GROUP) errors.push({ type: 'NotSupported', field: 'roleRef.apiGroup', value: roleRef['apiGroup'] ?? '', detail: `supported values: "${RBAC_GROUP}"` });
  const kinds = kind === 'RoleBinding' ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(String(roleRef['kind'] ?? ''))) errors.push({ type: 'NotSupported', field: 'roleRef.kind', value: roleRef['kind'] ?? '', detail: `supported values: ${kinds.map((k) => `"${k}"`).join(', ')}` });
  if (!roleRef['name']) errors.push({ type: 'Required', field: 'roleRef.name' });
  list(object['subjects']).forEach((raw, i) => {
    const subject = (raw ?? {}) as Record<string, unknown>;
    const at = `subjects[${i}]`;
    const name = subject['name'];
    if (!name) errors.push({ type: 'Required', field: `${at}.name` });
    switch (subject['kind']) {
      case 'ServiceAccount':
        if (subject['apiGroup']) errors.push({ type: 'NotSupported', field: `${at}.apiGroup`, value: subject['apiGroup'], detail: 'supported values: ""' });
        if (kind === 'ClusterRoleBinding' && !subject['namespace']) errors.push({ type: 'Required', field: `${at}.namespace` });
        break;
      case 'User':
      case 'Group':
        if (subject['apiGroup'] !== RBAC_GROUP) errors.push({ type: 'NotSupported', field: `${at}.apiGroup`, value: subject['apiGroup'] ?? '', detail: `supported values: "${RBAC_GROUP}"` });
        break;
      default:
        errors.push({ type: 'NotSupported', field: `${at}.kind`, value: subject['kind'] ?? '', detail: 'supported values: "ServiceAccount", "User", "Group"' });
    }
  });
  return errors;
}

export function validateRbac(kind: string, object: Record<string, unknown>): FieldError[] {
  switch (kind) {
    case 'Role':
      return rulesErrors(object['rules'], true);
    case 'ClusterRole':
      return rulesErrors(object['rules'], false);
    case 'RoleBinding':
    case 'ClusterRoleBinding':
      return bindingErrors(kind, object);
    default:
      return [];
  }
}
