// The hostname grammar: `[container--C.](pod--P|deployment--D|…|template--T)[.namespace--N][.context--X].sshpod`,
// segments in any order, trailing dot allowed, the `.sshpod` suffix in any case. `template--T` names
// no existing pod: it asks for a pod made from template T for the connection (src/ondemand/).
//
// Kubernetes pod, workload and context names may contain dots, and a dot is also our segment
// separator. A segment without a `key--` therefore continues the previous value
// (`pod--web.v2.sshpod` is pod `web.v2`), unless the previous key cannot hold dots (namespace,
// container) or the segment looks like a misspelt key (`namepsace--x`): then it is an error
// that names the segment and the accepted forms.
import { SshpodError } from '../errors.ts';
import { nameProblem, type NameRule } from './names.ts';
import { closestWord } from './suggest.ts';

export const WORKLOAD_KINDS = ['pod', 'deployment', 'statefulset', 'daemonset', 'replicaset', 'job'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];
/** What a hostname can name: an existing pod or workload, or a template for an on-demand pod. */
export const TARGET_KINDS = [...WORKLOAD_KINDS, 'template'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export interface TargetSpec {
  kind: TargetKind;
  name: string;
  container?: string;
  namespace?: string;
  /** As written in the hostname: an exact context name or its hostname-safe alias. */
  context?: string;
  /** Segments read as the dotted continuation of a name, for "not found" messages. */
  continuations: Continuation[];
}

export interface Continuation {
  key: string;
  segment: string;
}

type Key = TargetKind | 'container' | 'namespace' | 'context';

interface KeyRule {
  rule: NameRule | 'context';
  /** Whether a following key-less segment may continue this value after a dot. */
  dotted: boolean;
}

const KEY_RULES: Record<Key, KeyRule> = {
  pod: { rule: 'subdomain', dotted: true },
  deployment: { rule: 'subdomain', dotted: true },
  statefulset: { rule: 'subdomain', dotted: true },
  daemonset: { rule: 'subdomain', dotted: true },
  replicaset: { rule: 'subdomain', dotted: true },
  job: { rule: 'subdomain', dotted: true },
  // A template is a file name (templates/NAME.yaml): a DNS label.
  template: { rule: 'label', dotted: false },
  container: { rule: 'label', dotted: false },
  namespace: { rule: 'label', dotted: false },
  context: { rule: 'context', dotted: true },
};

const KEYS = Object.keys(KEY_RULES) as Key[];

/** kubectl's short names, accepted as keys too (`deploy--web.ns--shop.sshpod`). */
const KEY_ALIASES: Record<string, Key> = {
  po: 'pod',
  deploy: 'deployment',
  sts: 'statefulset',
  ds: 'daemonset',
  rs: 'replicaset',
  ns: 'namespace',
};
const SUFFIX = '.sshpod';

export const HOSTNAME_FORMS =
  '[container--C.](pod--P|deployment--D|statefulset--S|daemonset--D|replicaset--R|job--J|template--T)[.namespace--N][.context--X].sshpod';

function usage(message: string, hint = `accepted form: ${HOSTNAME_FORMS}`): SshpodError {
  return new SshpodError('usage', message, { hint });
}

function keyFor(word: string): Key | undefined {
  const lower = word.toLowerCase();
  return (KEYS as string[]).includes(lower) ? (lower as Key) : KEY_ALIASES[lower];
}

function splitSegment(segment: string): { key: string; value: string } | undefined {
  const at = segment.indexOf('--');
  if (at <= 0) return undefined;
  return { key: segment.slice(0, at), value: segment.slice(at + 2) };
}

/** Kubernetes names are lower case and ssh may not have lowered %h: any case is accepted. Context
 *  names are the kubeconfig's own, matched exactly first, so they keep theirs. */
function normalised(key: Key, text: string): string {
  return KEY_RULES[key].rule === 'context' ? text : text.toLowerCase();
}

/**
 * The one spelling of a hostname sshpod keys things by (remembered targets, known_hosts pins):
 * ssh passes %h as the user typed it, and DNS names are case-insensitive with an optional
 * trailing dot.
 */
export function canonicalHost(input: string): string {
  return input.trim().toLowerCase().replace(/\.$/, '');
}

export function parseHostname(input: string): TargetSpec {
  const host = input.trim().replace(/\.$/, '');
  if (!host.toLowerCase().endsWith(SUFFIX)) {
    throw usage(`hostname "${input}" does not end in .sshpod`, `sshpod serves names like pod--api.namespace--prod.sshpod (${HOSTNAME_FORMS})`);
  }
  const body = host.slice(0, -SUFFIX.length);
  if (body === '') throw usage(`hostname "${input}" names no pod or workload`);

  const values = new Map<Key, string>();
  const continuations: Continuation[] = [];
  let last: Key | undefined;

  for (const segment of body.split('.')) {
    const split = splitSegment(segment);
    const key = split && keyFor(split.key);
    if (split && key) {
      if (values.has(key)) throw usage(`hostname "${input}" gives ${key}-- twice`);
      if (split.value === '') throw usage(`hostname "${input}": ${key}-- has no value`);
      values.set(key, normalised(key, split.value));
      last = key;
      continue;
    }
    const misspelt = split ? closestWord(split.key.toLowerCase(), KEYS) : undefined;
    if (misspelt) {
      throw usage(`hostname "${input}": "${segment}" has an unknown key "${split?.key}--" (did you mean "${misspelt}--"?)`);
    }
    if (segment === '') throw usage(`hostname "${input}" has an empty segment (two dots in a row)`);
    if (last === undefined) {
      throw usage(`hostname "${input}": segment "${segment}" has no key-- and follows none`);
    }
    if (!KEY_RULES[last].dotted) {
      throw usage(
        `hostname "${input}": segment "${segment}" has no key-- and ${last} names cannot contain dots`,
      );
    }
    values.set(last, `${values.get(last)}.${normalised(last, segment)}`);
    continuations.push({ key: last, segment });
  }

  const kinds = TARGET_KINDS.filter((kind) => values.has(kind));
  if (kinds.length === 0) throw usage(`hostname "${input}" names no pod or workload (pod--, deployment--, …, or template-- for a new pod)`);
  if (kinds.length > 1) {
    throw usage(`hostname "${input}" names more than one target (${kinds.map((k) => `${k}--`).join(', ')}); give exactly one`);
  }
  const kind = kinds[0] as TargetKind;

  for (const [key, value] of values) {
    const { rule } = KEY_RULES[key];
    if (rule === 'context') continue; // checked against the kubeconfig, which may hold any name
    const problem = nameProblem(value, rule);
    if (problem) throw usage(`hostname "${input}": ${key} name "${value}" is not valid: ${problem}`);
  }

  const spec: TargetSpec = { kind, name: values.get(kind) as string, continuations };
  const container = values.get('container');
  const namespace = values.get('namespace');
  const context = values.get('context');
  if (container !== undefined) spec.container = container;
  if (namespace !== undefined) spec.namespace = namespace;
  if (context !== undefined) spec.context = context;
  return spec;
}

/** How a hostname's dotted continuations were read, for "not found" messages. */
export function describeContinuations(spec: TargetSpec): string | undefined {
  if (spec.continuations.length === 0) return undefined;
  const parts = spec.continuations.map((c) => `"${c.segment}" as part of the ${c.key} name`);
  return `the hostname segment${parts.length > 1 ? 's' : ''} without key-- ${parts.length > 1 ? 'were' : 'was'} read ${parts.join(', ')}; if ${parts.length > 1 ? 'one is' : 'it is'} a typo, accepted keys are ${KEYS.map((k) => `${k}--`).join(', ')}`;
}
