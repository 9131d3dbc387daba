// `kubectl ssh`'s command line, read the way kubectl reads its own (spf13/pflag): `-n prod`,
// `-nprod`, `-n=prod`, `--namespace prod`, `--namespace=prod`, bundled booleans (`-it`), flags
// before or after the target, `--` before the command. Pure: words in, a request or a usage error out.
import { SshpodError } from '../errors.ts';
import { WORKLOAD_KINDS, type WorkloadKind } from '../target/hostname.ts';

export interface KubeFlags {
  namespace?: string;
  container?: string;
  context?: string;
  kubeconfig?: string;
}

export interface TargetRef {
  kind: WorkloadKind;
  name: string;
}

export interface RemoteEnd {
  login?: string;
  namespace?: string;
  pod: string;
  path: string;
}

export type CopyEnd = { local: string } | { remote: RemoteEnd };

export type PluginRequest =
  | { action: 'help' }
  | { action: 'version' }
  | { action: 'ssh'; flags: KubeFlags; tty: boolean; login?: string; target: TargetRef; command: string[] }
  | { action: 'cp'; flags: KubeFlags; source: CopyEnd; destination: CopyEnd };

export const USAGE_HINT = "see 'kubectl ssh --help' for usage";

function usage(message: string, hint = USAGE_HINT): SshpodError {
  return new SshpodError('usage', message, { hint });
}

type ValueFlag = keyof KubeFlags;
const VALUE_FLAGS: Record<string, ValueFlag> = { namespace: 'namespace', container: 'container', context: 'context', kubeconfig: 'kubeconfig' };
const VALUE_SHORTHANDS: Record<string, ValueFlag> = { n: 'namespace', c: 'container' };
type BoolFlag = 'stdin' | 'tty' | 'help' | 'version';
const BOOL_FLAGS: Record<string, BoolFlag> = { stdin: 'stdin', tty: 'tty', help: 'help', version: 'version' };
const BOOL_SHORTHANDS: Record<string, BoolFlag> = { i: 'stdin', t: 'tty', h: 'help' };

/** kubectl's resource words (singular, plural, short name) for the kinds sshpod can reach. */
const RESOURCE_WORDS: Record<string, WorkloadKind> = {
  po: 'pod',
  pods: 'pod',
  deploy: 'deployment',
  deployments: 'deployment',
  sts: 'statefulset',
  statefulsets: 'statefulset',
  ds: 'daemonset',
  daemonsets: 'daemonset',
  rs: 'replicaset',
  replicasets: 'replicaset',
  jobs: 'job',
};

/** The API group a kind lives in, as kubectl lets a resource word name it (`deployments.apps`, `jobs.v1.batch`). */
const GROUP_OF: Record<WorkloadKind, string> = { pod: '', deployment: 'apps', statefulset: 'apps', daemonset: 'apps', replicaset: 'apps', job: 'batch' };

export function kindOfResourceWord(word: string): WorkloadKind | undefined {
  const [resource = '', ...qualifier] = word.toLowerCase().split('.');
  const kind = (WORKLOAD_KINDS as readonly string[]).includes(resource) ? (resource as WorkloadKind) : RESOURCE_WORDS[resource];
  if (!kind || qualifier.length === 0) return kind;
  const group = GROUP_OF[kind];
  const named = qualifier.join('.');
  return named === group || named === `v1.${group}` || (group === '' && named === 'v1') ? kind : undefined;
}

/** `[USER@]NAME` or `[USER@]TYPE/NAME` → login and target. */
export function parseTargetWord(word: string): { login?: string; target: TargetRef } {
  const at = word.lastIndexOf('@');
  const login = at > 0 ? word.slice(0, at) : undefined;
  const rest = at >= 0 ? word.slice(at + 1) : word;
  if (at === 0 || rest === '') throw usage(`"${word}" names no pod`, 'give a pod name, or TYPE/NAME such as deployment/web');
  const slash = rest.indexOf('/');
  if (slash < 0) return { ...(login === undefined ? {} : { login }), target: { kind: 'pod', name: rest } };
  const type = rest.slice(0, slash);
  const name = rest.slice(slash + 1);
  const kind = kindOfResourceWord(type);
  if (!kind) {
    throw usage(`the server doesn't have a resource type "${type}" that kubectl ssh can reach`, 'use a pod name, or pod/, deployment/ (deploy/), statefulset/ (sts/), daemonset/ (ds/), replicaset/ (rs/) or job/ followed by a name');
  }
  if (name === '' || name.includes('/')) throw usage(`"${word}" is not TYPE/NAME`, 'e.g. deployment/web');
  return { ...(login === undefined ? {} : { login }), target: { kind, name } };
}

/**
 * One end of `kubectl ssh cp`, as kubectl cp reads it: a word with a colon after its first
 * character is `[NAMESPACE/]POD:PATH` (here also `USER@…`); anything else is a local path (write
 * `./a:b` for a local file whose name has a colon).
 */
export function parseCopyEnd(word: string): CopyEnd {
  const colon = word.indexOf(':');
  if (colon <= 0 || word.startsWith('./') || word.startsWith('/')) return { local: word };
  const spec = word.slice(0, colon);
  const path = word.slice(colon + 1);
  const at = spec.lastIndexOf('@');
  const login = at > 0 ? spec.slice(0, at) : undefined;
  const where = spec.slice(at + 1);
  const parts = where.split('/');
  if (where === '' || parts.length > 2 || parts.some((part) => part === '')) {
    throw usage(`"${word}" is not [NAMESPACE/]POD:PATH`, 'e.g. kubectl ssh cp ./build.tgz prod/api:/tmp/');
  }
  const remote: RemoteEnd = { pod: parts.at(-1) as string, path };
  if (parts.length === 2) remote.namespace = parts[0] as string;
  if (login !== undefined) remote.login = login;
  return { remote };
}

interface Scanned {
  flags: KubeFlags;
  bools: Set<BoolFlag>;
  positionals: string[];
  /** The words after `--`, or undefined when there was no `--`. */
  afterDashes: string[] | undefined;
}

function parseBool(value: string, flag: string): boolean {
  if (/^(1|t|true|TRUE|True)$/.test(value)) return true;
  if (/^(0|f|false|FALSE|False)$/.test(value)) return false;
  throw usage(`invalid argument "${value}" for "${flag}" flag: strconv.ParseBool: parsing "${value}": invalid syntax`);
}

/** Flags anywhere before `--`, as pflag does with interspersed arguments. */
function scan(words: readonly string[]): Scanned {
  const flags: KubeFlags = {};
  const bools = new Set<BoolFlag>();
  const positionals: string[] = [];
  let afterDashes: string[] | undefined;
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (word === '--') {
      afterDashes = words.slice(i + 1);
      break;
    }
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const name = word.slice(2, eq < 0 ? undefined : eq);
      const valueFlag = VALUE_FLAGS[name];
      const boolFlag = BOOL_FLAGS[name];
      if (valueFlag) {
        const value: string | undefined = eq < 0 ? words[++i] : word.slice(eq + 1);
        if (value === undefined) throw usage(`flag needs an argument: --${name}`);
        flags[valueFlag] = value;
        continue;
      }
      if (boolFlag) {
        const on = eq < 0 ? true : parseBool(word.slice(eq + 1), name);
        if (on) bools.add(boolFlag);
        else bools.delete(boolFlag);
        continue;
      }
      throw usage(`unknown flag: --${name}`);
    }
    if (word.startsWith('-') && word.length > 1) {
      // A shorthand group: booleans may be bundled (-it); a value flag takes the rest of the word
      // (-nprod, -n=prod) or the next word.
      for (let j = 1; j < word.length; j++) {
        const letter = word[j] as string;
        const valueFlag = VALUE_SHORTHANDS[letter];
        const boolFlag = BOOL_SHORTHANDS[letter];
        if (valueFlag) {
          let value = word.slice(j + 1).replace(/^=/, '');
          if (value === '') {
            const next = words[++i];
            if (next === undefined) throw usage(`flag needs an argument: '${letter}' in -${letter}`);
            value = next;
          }
          flags[valueFlag] = value;
          break;
        }
        if (boolFlag) {
          bools.add(boolFlag);
          continue;
        }
        throw usage(`unknown shorthand flag: '${letter}' in ${word}`);
      }
      continue;
    }
    positionals.push(word);
  }
  return { flags, bools, positionals, afterDashes };
}

function checkFlagValues(flags: KubeFlags): void {
  for (const [name, value] of Object.entries(flags)) {
    if (value === '') throw usage(`--${name} must not be empty`);
  }
}

export function parsePluginArgs(words: readonly string[]): PluginRequest {
  const { flags, bools, positionals, afterDashes } = scan(words);
  if (bools.has('help')) return { action: 'help' };
  if (bools.has('version')) return { action: 'version' };
  checkFlagValues(flags);

  if (positionals[0] === 'cp') {
    const ends = [...positionals.slice(1), ...(afterDashes ?? [])];
    if (ends.length !== 2) throw usage(`kubectl ssh cp takes a source and a destination (got ${ends.length} argument${ends.length === 1 ? '' : 's'})`, 'e.g. kubectl ssh cp ./build.tgz prod/api:/tmp/  or  kubectl ssh cp -n prod api:/var/log/app.log .');
    const [source, destination] = ends.map((end) => parseCopyEnd(end)) as [CopyEnd, CopyEnd];
    const remotes = [source, destination].filter((end) => 'remote' in end).length;
    if (remotes === 0) throw usage('one of the source and destination must be a pod: [NAMESPACE/]POD:PATH', 'e.g. kubectl ssh cp api:/tmp/report.txt .');
    if (remotes === 2) throw usage('copying from one pod to another is not supported: one of the source and destination must be local');
    return { action: 'cp', flags, source, destination };
  }

  if (positionals.length === 0) throw usage('a pod name (or TYPE/NAME) is required', 'e.g. kubectl ssh -n prod api  or  kubectl ssh deployment/web -- hostname');
  if (positionals.length > 1) {
    throw usage(`kubectl ssh POD COMMAND is not supported: put "--" before the command (kubectl ssh ${positionals[0]} -- ${positionals.slice(1).join(' ')})`);
  }
  const { login, target } = parseTargetWord(positionals[0] as string);
  return {
    action: 'ssh',
    flags,
    tty: bools.has('tty'),
    ...(login === undefined ? {} : { login }),
    target,
    command: afterDashes ?? [],
  };
}
