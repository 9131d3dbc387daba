// Label and field selectors: the query-string grammar of k8s.io/apimachinery/pkg/labels and
// pkg/fields, and the LabelSelector objects of workload specs. Pure: parse, then match.
import type { KubeObject, LabelSelector } from './types.ts';

export type LabelOperator = '=' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  key: string;
  op: LabelOperator;
  values: string[];
}

export class SelectorParseError extends Error {}

const keyPattern = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const valuePattern = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkKey(key: string): string {
  if (!keyPattern.test(key)) throw new SelectorParseError(`unable to parse requirement: invalid label key "${key}"`);
  return key;
}

function checkValue(value: string): string {
  if (value.length > 63 || !valuePattern.test(value)) {
    throw new SelectorParseError(`unable to parse requirement: invalid label value: "${value}"`);
  }
  return value;
}

/** Splits on commas that are not inside a `( … )` set. */
function splitTopLevel(selector: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out;
}

export function parseLabelSelector(selector: string): LabelRequirement[] {
  const trimmed = selector.trim();
  if (trimmed === '') return [];
  return splitTopLevel(trimmed).map((raw) => {
    const part = raw.trim();
    if (part === '') throw new SelectorParseError(`found '', expected: identifier`);
    let m = /^!\s*(\S+)$/.exec(part);
    if (m) return { key: checkKey(m[1] ?? ''), op: '!', values: [] };
    m = /^(\S+?)\s+(in|notin)\s*\((.*)\)$/.exec(part);
    if (m) {
      const values = (m[3] ?? '').split(',').map((v) => checkValue(v.trim()));
      return { key: checkKey(m[1] ?? ''), op: m[2] as 'in' | 'notin', values };
    }
    m = /^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*(.*)$/.exec(part);
    if (m) {
      const key = checkKey(m[1] ?? '');
      const value = (m[3] ?? '').trim();
      switch (m[2]) {
        case '!=':
          return { key, op: '!=', values: [checkValue(value)] };
        case '>':
        case '<':
          if (!/^-?\d+$/.test(value)) throw new SelectorParseError(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`);
          return { key, op: m[2] === '>' ? 'gt' : 'lt', values: [value] };
        default:
          return { key, op: '=', values: [checkValue(value)] };
      }
    }
    if (/^\S+$/.test(part)) return { key: checkKey(part), op: 'exists', values: [] };
    throw new SelectorParseError(`unable to parse requirement: "${part}"`);
  });
}

export function labelSelectorToRequirements(selector: LabelSelector | undefined): LabelRequirement[] {
  if (!selector) return [];
  const reqs: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) reqs.push({ key, op: '=', values: [value] });
  for (const e of selector.matchExpressions ?? []) {
    const op: LabelOperator = e.operator === 'In' ? 'in' : e.operator === 'NotIn' ? 'notin' : e.operator === 'Exists' ? 'exists' : '!';
    reqs.push({ key: e.key, op, values: e.values ?? [] });
  }
  return reqs;
}

export function matchesLabels(reqs: LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.hasOwn(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case '=':
      case 'in':
        return has && r.values.includes(v ?? '');
      case '!=':
      case 'notin':
        return !has || !r.values.includes(v ?? '');
      case 'exists':
        return has;
      case '!':
        return !has;
      case 'gt':
      case 'lt': {
        if (!has || !/^-?\d+$/.test(v ?? '')) return false;
        const n = Number(v);
        const bound = Number(r.values[0]);
        return r.op === 'gt' ? n > bound : n < bound;
      }
    }
  });
}

/** Pod-template matching of a workload's LabelSelector. An empty selector matches nothing
 *  for controllers (as in kube-controller-manager), so callers must check `isEmpty` first. */
export function selectorMatches(selector: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  const reqs = labelSelectorToRequirements(selector);
  return reqs.length > 0 && matchesLabels(reqs, labels);
}

export function selectorToString(selector: LabelSelector | undefined): string {
  return labelSelectorToRequirements(selector)
    .map((r) => {
      switch (r.op) {
        case '=':
          return `${r.key}=${r.values[0]}`;
        case '!=':
          return `${r.key}!=${r.values[0]}`;
        case 'in':
        case 'notin':
          return `${r.key} ${r.op} (${r.values.join(',')})`;
        case 'exists':
          return r.key;
        case '!':
          return `!${r.key}`;
        default:
          return `${r.key}${r.op === 'gt' ? '>' : '<'}${r.values[0]}`;
      }
    })
    .join(',');
}

// ---- field selectors ------------------------------------------------------------------------

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

function unescapeFieldValue(value: string): string {
  return value.replace(/\\(.)/g, '$1');
}

export function parseFieldSelector(selector: string): FieldRequirement[] {
  const trimmed = selector.trim();
  if (trimmed === '') return [];
  return trimmed.split(/(?<!\\),/).map((part) => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(part.trim());
    if (!m) throw new SelectorParseError(`invalid selector: '${part}'; can't understand '${part}'`);
    return { field: m[1] ?? '', op: m[2] === '!=' ? '!=' : '=', value: unescapeFieldValue(m[3] ?? '') };
  });
}

type FieldGetter = (obj: KubeObject) => string;

function at(obj: unknown, path: string[]): string {
  let cur: unknown = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[p];
  }
  if (cur === undefined || cur === null) return '';
  return String(cur);
}

const path = (dotted: string): FieldGetter => (obj) => at(obj, dotted.split('.'));

const commonFields: Record<string, FieldGetter> = {
  'metadata.name': path('metadata.name'),
  'metadata.namespace': path('metadata.namespace'),
};

/** Field labels kube-apiserver supports per resource (its GetAttrs / field label conversions). */
const resourceFields: Record<string, Record<string, FieldGetter>> = {
  pods: {
    'spec.nodeName': path('spec.nodeName'),
    'spec.restartPolicy': path('spec.restartPolicy'),
    'spec.schedulerName': path('spec.schedulerName'),
    'spec.serviceAccountName': path('spec.serviceAccountName'),
    'spec.hostNetwork': (o) => at(o, ['spec', 'hostNetwork']) || 'false',
    'status.phase': path('status.phase'),
    'status.podIP': path('status.podIP'),
    'status.nominatedNodeName': path('status.nominatedNodeName'),
  },
  events: Object.fromEntries(
    ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'type', 'source'].map((f) => [f, path(f === 'source' ? 'source.component' : f)]),
  ),
  namespaces: { 'status.phase': path('status.phase') },
  secrets: { type: path('type') },
  jobs: { 'status.successful': path('status.succeeded') },
  replicasets: { 'status.replicas': path('status.replicas') },
  nodes: { 'spec.unschedulable': (o) => at(o, ['spec', 'unschedulable']) || 'false' },
};

/** Throws SelectorParseError for a field the resource does not support, as the API does. */
export function checkFieldSelector(resource: string, reqs: FieldRequirement[]): void {
  for (const r of reqs) {
    if (!commonFields[r.field] && !resourceFields[resource]?.[r.field]) {
      throw new SelectorParseError(`field label not supported: ${r.field}`);
    }
  }
}

export function matchesFields(resource: string, reqs: FieldRequirement[], obj: KubeObject): boolean {
  return reqs.every((r) => {
    const getter = commonFields[r.field] ?? resourceFields[resource]?.[r.field];
    if (!getter) return false;
    const v = getter(obj);
    return r.op === '=' ? v === r.value : v !== r.value;
  });
}
