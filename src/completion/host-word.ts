// Completing an sshpod hostname as it is being typed (the part after `user@`). Pure: the word is
// read into a plan (which segment is being typed, what the finished segments already say, which
// context and namespace the cluster names must come from), and the plan plus the names become
// candidates. Rules, with `deb` a pod in namespace `bars` and `default` the current namespace:
//   pod--d          → pod--deb.namespace--bars.sshpod   (a namespace segment only when it is not
//                     the current one: pod--web.sshpod for a pod `web` in `default`)
//   namespace--bars.pod--d → namespace--bars.pod--deb.sshpod
//   pod--deb.n      → pod--deb.namespace--   (keys after a dot; `.sshpod` once a target is named)
//   pod--web.v      → pod--web.v2.sshpod     (a dotted name goes on after its dot)
//   context--e      → context--eu.           (then the rest of the hostname)
//   template--      → template--NAME.sshpod  (files in ~/.config/sshpod/templates)
import { contextInHostname, matchContext } from '../target/context-alias.ts';
import { knownNamespaces, LISTED_KINDS, type Inventory, type ListedKind } from './inventory.ts';
import { continued, finished, tidy, type Candidate } from './candidate.ts';

type Key = ListedKind | 'replicaset' | 'container' | 'namespace' | 'context' | 'template';

const KEY_WORDS: Record<string, Key> = {
  pod: 'pod',
  po: 'pod',
  deployment: 'deployment',
  deploy: 'deployment',
  statefulset: 'statefulset',
  sts: 'statefulset',
  daemonset: 'daemonset',
  ds: 'daemonset',
  replicaset: 'replicaset',
  rs: 'replicaset',
  job: 'job',
  container: 'container',
  namespace: 'namespace',
  ns: 'namespace',
  context: 'context',
  template: 'template',
};

/** Keys offered when a segment starts: the long names, in the order people reach for them. */
export const OFFERED_KEYS: readonly Key[] = ['pod', 'deployment', 'statefulset', 'daemonset', 'job', 'container', 'namespace', 'context', 'template'];
const TARGET_KEYS = new Set<Key>(['pod', 'deployment', 'statefulset', 'daemonset', 'replicaset', 'job', 'template']);
/** Values that may go on after a dot (Kubernetes object names and context names may hold dots). */
const DOTTED_KEYS = new Set<Key>(['pod', 'deployment', 'statefulset', 'daemonset', 'replicaset', 'job', 'context', 'template']);

type Given = Partial<Record<Key, string>>;

/** One way to read the segment being typed: `prefix` is the text before it, kept as typed. */
export type Completing = { prefix: string; partial: string; given: Given } & ({ type: 'keys' } | { type: 'value'; key: Key; typedKey: string });

export interface HostPlan {
  completing: Completing[];
}

function splitKeyed(segment: string): { typedKey: string; key: Key; value: string } | undefined {
  const at = segment.indexOf('--');
  if (at <= 0) return undefined;
  const typedKey = segment.slice(0, at);
  const key = KEY_WORDS[typedKey.toLowerCase()];
  return key ? { typedKey, key, value: segment.slice(at + 2) } : undefined;
}

/** The plan for a word, or undefined when its finished part is not on its way to a hostname. */
export function planHostWord(word: string): HostPlan | undefined {
  const segments = word.split('.');
  const given: Given = {};
  let last: { key: Key; typedKey: string; start: number } | undefined;
  let offset = 0;
  for (const segment of segments.slice(0, -1)) {
    const keyed = splitKeyed(segment);
    if (keyed) {
      if (given[keyed.key] !== undefined || keyed.value === '') return undefined;
      given[keyed.key] = keyed.value;
      last = { key: keyed.key, typedKey: keyed.typedKey, start: offset };
    } else {
      if (!last || !DOTTED_KEYS.has(last.key) || segment === '') return undefined;
      given[last.key] = `${given[last.key]}.${segment}`;
    }
    offset += segment.length + 1;
  }
  const tail = segments.at(-1) as string;
  const prefix = word.slice(0, offset);
  const keyed = splitKeyed(tail);
  if (keyed) {
    if (given[keyed.key] !== undefined) return undefined;
    return { completing: [{ type: 'value', prefix, given, key: keyed.key, typedKey: keyed.typedKey, partial: keyed.value }] };
  }
  if (tail.includes('--')) return undefined; // an unknown key
  const completing: Completing[] = [{ type: 'keys', prefix, given, partial: tail }];
  if (last && DOTTED_KEYS.has(last.key) && segments.length > 1) {
    // `pod--web.v`: the name may go on after its dot, then it is the value being typed.
    const { [last.key]: value, ...others } = given;
    completing.push({ type: 'value', prefix: word.slice(0, last.start), given: others, key: last.key, typedKey: last.typedKey, partial: `${value}.${tail}` });
  }
  return { completing };
}

export interface HostSources {
  contexts: ReadonlyArray<{ name: string; namespace?: string | undefined }>;
  currentContext: string | undefined;
  /** Cluster names for the plan's context and scope (see scopeOf). */
  inventory: Inventory;
  templates: readonly string[];
}

/** Which context the hostname is about (its context-- value, else the current one), if it exists. */
export function contextOf(given: Given, sources: Pick<HostSources, 'contexts' | 'currentContext'>): string | undefined {
  const names = sources.contexts.map((c) => c.name);
  if (given.context === undefined) return sources.currentContext && names.includes(sources.currentContext) ? sources.currentContext : undefined;
  try {
    return matchContext(given.context, names);
  } catch {
    return undefined;
  }
}

/** Whether the plan needs cluster names, and of which scope: a namespace the hostname gives, or all. */
export function scopeOf(plan: HostPlan): { needsCluster: boolean; context: Given['context']; namespace: string | undefined } {
  const values = plan.completing.filter((c) => c.type === 'value' && c.key !== 'context' && c.key !== 'template');
  const given = plan.completing[0]?.given ?? {};
  return { needsCluster: values.length > 0, context: given.context, namespace: given.namespace };
}

function valueCandidates(completing: Extract<Completing, { type: 'value' }>, sources: HostSources): Candidate[] {
  const { prefix, key, typedKey, partial, given } = completing;
  const context = contextOf(given, sources);
  const currentNamespace = sources.contexts.find((c) => c.name === context)?.namespace || 'default';
  const hasTarget = [...TARGET_KEYS].some((k) => given[k] !== undefined);
  const next = (text: string): Candidate => (hasTarget ? finished(`${text}.sshpod`) : continued(`${text}.`));
  const out: Candidate[] = [];
  switch (key) {
    case 'pod':
    case 'deployment':
    case 'statefulset':
    case 'daemonset':
    case 'job': {
      if (hasTarget || context === undefined) break;
      for (const item of sources.inventory.items) {
        if (item.kind !== key || !item.name.startsWith(partial)) continue;
        if (given.namespace !== undefined && item.namespace !== given.namespace) continue;
        const namespace = given.namespace === undefined && item.namespace !== currentNamespace ? `.namespace--${item.namespace}` : '';
        out.push(finished(`${prefix}${typedKey}--${item.name}${namespace}.sshpod`));
      }
      break;
    }
    case 'namespace':
      if (context === undefined) break;
      for (const namespace of knownNamespaces(sources.inventory, currentNamespace)) {
        if (namespace.startsWith(partial)) out.push(next(`${prefix}${typedKey}--${namespace}`));
      }
      break;
    case 'context': {
      const names = sources.contexts.map((c) => c.name);
      for (const name of names) {
        let written: string;
        try {
          written = contextInHostname(name, names);
        } catch {
          continue; // a context no hostname can name
        }
        if (written.startsWith(partial)) out.push(next(`${prefix}${typedKey}--${written}`));
      }
      break;
    }
    case 'container': {
      const kind = LISTED_KINDS.find((k) => given[k] !== undefined);
      if (!kind || context === undefined) break;
      const namespace = given.namespace ?? currentNamespace;
      const item = sources.inventory.items.find((i) => i.kind === kind && i.name === given[kind] && i.namespace === namespace);
      for (const container of item?.containers ?? []) {
        if (container.startsWith(partial)) out.push(next(`${prefix}${typedKey}--${container}`));
      }
      break;
    }
    case 'template':
      if (hasTarget) break;
      for (const template of sources.templates) {
        if (template.startsWith(partial)) out.push(finished(`${prefix}${typedKey}--${template}.sshpod`));
      }
      break;
    case 'replicaset':
      break; // not listed (see LISTED_KINDS)
  }
  return out;
}

function keyCandidates(completing: Extract<Completing, { type: 'keys' }>): Candidate[] {
  const { prefix, partial, given } = completing;
  const hasTarget = [...TARGET_KEYS].some((k) => given[k] !== undefined);
  const out: Candidate[] = [];
  for (const key of OFFERED_KEYS) {
    if (given[key] !== undefined || (hasTarget && TARGET_KEYS.has(key))) continue;
    if (`${key}--`.startsWith(partial)) out.push(continued(`${prefix}${key}--`));
  }
  if (hasTarget && 'sshpod'.startsWith(partial) && prefix !== '') out.push(finished(`${prefix}sshpod`));
  return out;
}

export function hostCandidates(plan: HostPlan, sources: HostSources): Candidate[] {
  const out: Candidate[] = [];
  for (const completing of plan.completing) {
    out.push(...(completing.type === 'keys' ? keyCandidates(completing) : valueCandidates(completing, sources)));
  }
  return tidy(out);
}
