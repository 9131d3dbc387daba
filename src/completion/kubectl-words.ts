// Completing `kubectl ssh …` words: flags and their values (-n namespaces, --context contexts,
// -c containers of the target), the target (pods of the namespace, then TYPE/ and names of that
// kind, with USER@ kept), and `cp`'s [NAMESPACE/]POD: ends. Pure, like host-word.ts: the words
// become a plan (what is typed, which context and namespace the names come from), the plan and
// the names become candidates. Read leniently: a word kubectl ssh would refuse is skipped, not fatal.
import type { KubeFlags, TargetRef } from '../kubectl-plugin/args.ts';
import { kindOfResourceWord } from '../kubectl-plugin/args.ts';
import { continued, finished, tidy, type Candidate } from './candidate.ts';
import { knownNamespaces, type Inventory } from './inventory.ts';

const VALUE_FLAGS: Record<string, keyof KubeFlags> = {
  '-n': 'namespace',
  '--namespace': 'namespace',
  '-c': 'container',
  '--container': 'container',
  '--context': 'context',
  '--kubeconfig': 'kubeconfig',
};
const LONG_FLAGS = ['--container=', '--context=', '--kubeconfig=', '--namespace=', '--stdin', '--tty', '--help'];
/** TYPE/ words offered for a target, long forms only (the short ones are still read). */
const TYPE_WORDS = ['pod/', 'deployment/', 'statefulset/', 'daemonset/', 'job/'];

export type KubectlCompleting =
  | { type: 'value'; flag: keyof KubeFlags; prefix: string; partial: string }
  | { type: 'flags'; partial: string }
  | { type: 'target'; login: string; partial: string }
  | { type: 'copy'; partial: string }
  | { type: 'none' };

export interface KubectlPlan {
  flags: KubeFlags;
  target: TargetRef | undefined;
  completing: KubectlCompleting;
}

/** `words`: what follows `kubectl ssh`, the word being typed last (empty right after a space). */
export function planKubectlWords(words: readonly string[]): KubectlPlan {
  const flags: KubeFlags = {};
  const positionals: string[] = [];
  const typed = words.length > 0 ? words.slice(0, -1) : [];
  const current = words.at(-1) ?? '';
  let afterDashes = false;
  let pendingFlag: keyof KubeFlags | undefined;
  for (const word of typed) {
    if (pendingFlag) {
      flags[pendingFlag] = word;
      pendingFlag = undefined;
    } else if (afterDashes) {
      positionals.push(word);
    } else if (word === '--') {
      afterDashes = true;
    } else if (VALUE_FLAGS[word]) {
      pendingFlag = VALUE_FLAGS[word];
    } else if (word.startsWith('--') && word.includes('=')) {
      const flag = VALUE_FLAGS[word.slice(0, word.indexOf('='))];
      if (flag) flags[flag] = word.slice(word.indexOf('=') + 1);
    } else if (/^-[nc]./.test(word)) {
      flags[VALUE_FLAGS[word.slice(0, 2)] as keyof KubeFlags] = word.slice(2).replace(/^=/, '');
    } else if (!word.startsWith('-')) {
      positionals.push(word);
    }
  }
  const copying = positionals[0] === 'cp';
  const targetWord = copying ? undefined : positionals[0];
  let target: TargetRef | undefined;
  if (targetWord) {
    const rest = targetWord.slice(targetWord.lastIndexOf('@') + 1);
    const slash = rest.indexOf('/');
    const kind = slash < 0 ? 'pod' : kindOfResourceWord(rest.slice(0, slash));
    if (kind) target = { kind, name: slash < 0 ? rest : rest.slice(slash + 1) };
  }
  const plan = (completing: KubectlCompleting): KubectlPlan => ({ flags, target, completing });

  if (pendingFlag) return plan({ type: 'value', flag: pendingFlag, prefix: '', partial: current });
  if (afterDashes) return plan({ type: 'none' });
  const long = /^(--[a-z]+)=(.*)$/.exec(current);
  if (long && VALUE_FLAGS[long[1] as string]) return plan({ type: 'value', flag: VALUE_FLAGS[long[1] as string] as keyof KubeFlags, prefix: `${long[1]}=`, partial: long[2] as string });
  if (current.startsWith('-')) return plan({ type: 'flags', partial: current });
  if (copying) return positionals.length < 3 ? plan({ type: 'copy', partial: current }) : plan({ type: 'none' });
  if (positionals.length > 0) return plan({ type: 'none' });
  const at = current.lastIndexOf('@');
  return plan({ type: 'target', login: at > 0 ? current.slice(0, at + 1) : '', partial: current.slice(at + 1) });
}

export interface KubectlSources {
  contexts: ReadonlyArray<{ name: string; namespace?: string | undefined }>;
  currentContext: string | undefined;
  /** Names in the plan's namespace (see placementOf). */
  inventory: Inventory;
}

/** The context and namespace the names come from, as kubectl ssh would resolve them. */
export function placementOf(plan: KubectlPlan, sources: Pick<KubectlSources, 'contexts' | 'currentContext'>): { context: string | undefined; namespace: string } {
  const context = plan.flags.context ?? sources.currentContext;
  const entry = sources.contexts.find((c) => c.name === context);
  let namespace = plan.flags.namespace ?? (entry?.namespace || 'default');
  if (plan.completing.type === 'copy' && plan.completing.partial.includes('/')) {
    namespace = plan.completing.partial.slice(plan.completing.partial.lastIndexOf('@') + 1).split('/')[0] as string;
  }
  return { context: entry ? context : undefined, namespace };
}

/** Whether the plan's candidates come from the cluster (else only from the kubeconfig). */
export function needsCluster(plan: KubectlPlan): boolean {
  const c = plan.completing;
  return c.type === 'target' || c.type === 'copy' || (c.type === 'value' && (c.flag === 'namespace' || c.flag === 'container'));
}

/** Candidates, and whether the shell should offer file names instead (--kubeconfig, a local cp end). */
export function kubectlCandidates(plan: KubectlPlan, sources: KubectlSources): { candidates: Candidate[]; files: boolean } {
  const { context, namespace } = placementOf(plan, sources);
  const c = plan.completing;
  const out: Candidate[] = [];
  const inNamespace = sources.inventory.items.filter((item) => item.namespace === namespace);
  switch (c.type) {
    case 'none':
      return { candidates: [], files: false };
    case 'flags':
      for (const flag of LONG_FLAGS) if (flag.startsWith(c.partial)) out.push(flag.endsWith('=') ? continued(flag) : finished(flag));
      break;
    case 'value':
      if (c.flag === 'kubeconfig') return { candidates: [], files: true };
      if (c.flag === 'context') {
        for (const { name } of sources.contexts) if (name.startsWith(c.partial)) out.push(finished(`${c.prefix}${name}`));
      } else if (c.flag === 'namespace' && context !== undefined) {
        for (const name of knownNamespaces(sources.inventory, namespace)) if (name.startsWith(c.partial)) out.push(finished(`${c.prefix}${name}`));
      } else if (c.flag === 'container' && plan.target) {
        const { kind, name } = plan.target;
        const item = inNamespace.find((i) => i.kind === kind && i.name === name);
        for (const container of item?.containers ?? []) if (container.startsWith(c.partial)) out.push(finished(`${c.prefix}${container}`));
      }
      break;
    case 'target': {
      const slash = c.partial.indexOf('/');
      if (slash >= 0) {
        const typeWord = c.partial.slice(0, slash);
        const kind = kindOfResourceWord(typeWord);
        for (const item of inNamespace) {
          if (item.kind === kind && `${typeWord}/${item.name}`.startsWith(c.partial)) out.push(finished(`${c.login}${typeWord}/${item.name}`));
        }
        break;
      }
      for (const item of inNamespace) if (item.kind === 'pod' && item.name.startsWith(c.partial)) out.push(finished(`${c.login}${item.name}`));
      for (const type of TYPE_WORDS) if (type.startsWith(c.partial)) out.push(continued(`${c.login}${type}`));
      if (c.login === '' && 'cp'.startsWith(c.partial)) out.push(finished('cp'));
      break;
    }
    case 'copy': {
      if (c.partial.includes(':') || c.partial.startsWith('.') || c.partial.startsWith('/')) return { candidates: [], files: true };
      const at = c.partial.lastIndexOf('@');
      const login = at > 0 ? c.partial.slice(0, at + 1) : '';
      const spec = c.partial.slice(at + 1);
      const namespacePrefix = spec.includes('/') ? `${spec.split('/')[0]}/` : '';
      for (const item of inNamespace) {
        const word = `${login}${namespacePrefix}${item.name}:`;
        if (item.kind === 'pod' && word.startsWith(c.partial)) out.push(continued(word));
      }
      return { candidates: tidy(out), files: true };
    }
  }
  return { candidates: tidy(out), files: false };
}
