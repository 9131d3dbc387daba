// `sshpod __complete …`: what the shell scripts (and kubectl, through kubectl_complete-ssh) call
// on TAB. It must never disturb the prompt: nothing on stderr that the scripts do not already
// discard, no prompt of its own (stdin is not read), and an answer within a bounded time — after
// DEADLINE_MS it ends with no candidates, however far it got.
//   __complete host WORD            an sshpod hostname being typed (the part after user@)
//   __complete kubectl LINE         the `kubectl ssh …` command line up to the cursor
//   __complete kubectl-cobra ARGS…  kubectl's plugin completion protocol: the words after
//                                   `kubectl ssh`, the one being typed last; prints one
//                                   candidate per line, then `:DIRECTIVE` (cobra's)
import type { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import { ApiConnection } from '../kube/connection.ts';
import { loadKubeConfig, selectContext } from '../kube/kubeconfig.ts';
import { sshpodPaths } from '../ssh/paths.ts';
import { encodeCandidates, type Candidate } from './candidate.ts';
import { contextOf, hostCandidates, planHostWord, scopeOf } from './host-word.ts';
import { EMPTY_INVENTORY, type Inventory } from './inventory.ts';
import { cacheFile, FRESH_MS, readCached, STALE_LIMIT_MS, writeCached } from './inventory-cache.ts';
import { kubectlCandidates, needsCluster, placementOf, planKubectlWords } from './kubectl-words.ts';
import { listInventory } from './list-cluster.ts';
import { templateNames } from './templates.ts';

export const DEADLINE_MS = 2_000;

interface Kube {
  kubeConfig: KubeConfig | undefined;
  contexts: Array<{ name: string; namespace?: string | undefined }>;
  currentContext: string | undefined;
}

function readKube(): Kube {
  try {
    const kubeConfig = loadKubeConfig();
    return {
      kubeConfig,
      contexts: kubeConfig.getContexts().map((c) => ({ name: c.name, namespace: c.namespace })),
      currentContext: kubeConfig.getCurrentContext() || undefined,
    };
  } catch {
    return { kubeConfig: undefined, contexts: [], currentContext: undefined };
  }
}

/** The names of `context` in `namespace` (all namespaces when undefined), from the cache when fresh. */
async function inventoryFor(kube: Kube, context: string | undefined, namespace: string | undefined): Promise<Inventory> {
  if (!kube.kubeConfig || context === undefined) return EMPTY_INVENTORY;
  const selected = selectContext(kube.kubeConfig, context);
  const paths = sshpodPaths();
  const file = cacheFile(paths.cacheDir, { server: selected.server, user: kube.kubeConfig.getCurrentUser()?.name ?? '', context: selected.context, scope: namespace ?? '*' });
  const now = Date.now();
  const cached = readCached(file, now);
  if (cached && cached.ageMs >= 0 && cached.ageMs < FRESH_MS) return cached.inventory;
  try {
    const connection = await ApiConnection.open(selected, { cacheDir: paths.cacheDir });
    try {
      const inventory = await listInventory(connection, namespace, selected.namespace);
      writeCached(file, inventory, now);
      return inventory;
    } finally {
      connection.close();
    }
  } catch (error) {
    if (cached && cached.ageMs < STALE_LIMIT_MS) return cached.inventory;
    throw error;
  }
}

async function completeHost(word: string): Promise<string> {
  const plan = planHostWord(word);
  if (!plan) return '';
  const kube = readKube();
  const scope = scopeOf(plan);
  const inventory = scope.needsCluster ? await inventoryFor(kube, contextOf(scope.context === undefined ? {} : { context: scope.context }, kube), scope.namespace) : EMPTY_INVENTORY;
  const wantsTemplates = plan.completing.some((c) => c.type === 'value' && c.key === 'template');
  return encodeCandidates(hostCandidates(plan, { ...kube, inventory, templates: wantsTemplates ? templateNames() : [] }));
}

async function completeKubectl(words: readonly string[]): Promise<{ candidates: Candidate[]; files: boolean }> {
  const plan = planKubectlWords(words);
  if (plan.flags.kubeconfig !== undefined) process.env['KUBECONFIG'] = plan.flags.kubeconfig;
  const kube = readKube();
  const { context, namespace } = placementOf(plan, kube);
  const inventory = needsCluster(plan) ? await inventoryFor(kube, context, namespace) : EMPTY_INVENTORY;
  return kubectlCandidates(plan, { ...kube, inventory });
}

/** The words of a command line up to the cursor, after `kubectl ssh` (the last one is being typed). */
export function wordsAfterKubectlSsh(line: string): string[] {
  const words = line.split(/\s+/);
  if (words[0] === '') words.shift();
  const ssh = words.indexOf('ssh');
  return ssh < 0 ? [] : words.slice(ssh + 1);
}

/** cobra's ShellCompDirective bits: 2 = no space after the word, 4 = no file names. */
function cobraOutput(result: { candidates: Candidate[]; files: boolean }): string {
  const noSpace = result.candidates.some((c) => !c.final) ? 2 : 0;
  const noFiles = result.files ? 0 : 4;
  return `${result.candidates.map((c) => `${c.text}\n`).join('')}:${noSpace | noFiles}\n`;
}

async function complete(words: readonly string[]): Promise<string> {
  const [mode, ...rest] = words;
  switch (mode) {
    case 'host':
      return completeHost(rest[0] ?? '');
    case 'kubectl': {
      const result = await completeKubectl(wordsAfterKubectlSsh(rest[0] ?? ''));
      return `${result.files ? '?files\n' : ''}${encodeCandidates(result.candidates)}`;
    }
    case 'kubectl-cobra':
      return cobraOutput(await completeKubectl(rest));
    default:
      return '';
  }
}

export async function runCompletion(words: readonly string[]): Promise<never> {
  setTimeout(() => process.exit(0), DEADLINE_MS);
  let output = '';
  try {
    output = await complete(words);
  } catch {
    // silent: a prompt is no place for errors; no candidates is the answer
  }
  // Exit once the candidates are written (stdout may be an asynchronous pipe).
  process.stdout.write(output, () => process.exit(0));
  return new Promise<never>(() => undefined);
}
