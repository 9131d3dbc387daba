// Label selectors: rendered into the `labelSelector` query parameter (so the API server filters),
// and matched locally too, so a pod list can be checked without trusting the server's filter.
import type { LabelSelector } from '../kube/types.ts';
import { SshpodError } from '../errors.ts';

function unsupported(operator: string): SshpodError {
  return new SshpodError('api', `the workload's selector uses an unknown operator "${operator}"`, {
    hint: 'target the pod directly with pod--NAME',
  });
}

/** The selector in the API's string syntax: `a=b,c in (x,y),d notin (z),e,!f`. */
export function selectorToQuery(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`);
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    switch (operator) {
      case 'In':
        parts.push(`${key} in (${values.join(',')})`);
        break;
      case 'NotIn':
        parts.push(`${key} notin (${values.join(',')})`);
        break;
      case 'Exists':
        parts.push(key);
        break;
      case 'DoesNotExist':
        parts.push(`!${key}`);
        break;
      default:
        throw unsupported(operator);
    }
  }
  return parts.join(',');
}

export function selectorMatches(selector: LabelSelector, labels: Record<string, string> = {}): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, key);
    const value = labels[key];
    switch (operator) {
      case 'In':
        if (!has || !values.includes(value as string)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(value as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        throw unsupported(operator);
    }
  }
  return true;
}

/** An empty selector selects everything; a workload must never be read that way. */
export function isEmptySelector(selector: LabelSelector): boolean {
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}
