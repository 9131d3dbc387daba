import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kubectlCandidates, needsCluster, placementOf, planKubectlWords, type KubectlSources } from '../../src/completion/kubectl-words.ts';
import { wordsAfterKubectlSsh } from '../../src/completion/complete.ts';
import type { Listed } from '../../src/completion/inventory.ts';

const item = (kind: Listed['kind'], namespace: string, name: string, containers = ['main']): Listed => ({ kind, namespace, name, containers });

const sources: KubectlSources = {
  contexts: [{ name: 'kind-dev', namespace: 'default' }, { name: 'eu', namespace: 'shop' }],
  currentContext: 'kind-dev',
  inventory: {
    namespaces: ['bars', 'default', 'shop'],
    items: [
      item('pod', 'bars', 'deb'),
      item('pod', 'bars', 'two', ['app', 'sidecar']),
      item('pod', 'default', 'debug'),
      item('deployment', 'default', 'web'),
      item('deployment', 'bars', 'worker'),
      item('statefulset', 'bars', 'db'),
    ],
  },
};

function complete(line: string): string[] {
  const plan = planKubectlWords(wordsAfterKubectlSsh(line));
  const { candidates, files } = kubectlCandidates(plan, sources);
  return [...(files ? ['?files'] : []), ...candidates.map((c) => `${c.final ? '=' : '+'}${c.text}`)];
}

const table: Array<[string, string[]]> = [
  ['kubectl ssh d', ['+daemonset/', '=debug', '+deployment/']],
  ['kubectl ssh -n bars d', ['+daemonset/', '=deb', '+deployment/']],
  ['kubectl ssh -nbars t', ['=two']],
  ['kubectl ssh --namespace=bars root@t', ['=root@two']],
  ['kubectl ssh -n bars deployment/', ['=deployment/worker']],
  ['kubectl ssh -n bars sts/', ['=sts/db']],
  ['kubectl ssh deploy/w', ['=deploy/web']],
  ['kubectl ssh -n ', ['=bars', '=default', '=shop']],
  ['kubectl ssh -n b', ['=bars']],
  ['kubectl ssh --namespace=s', ['=--namespace=shop']],
  ['kubectl ssh --context ', ['=eu', '=kind-dev']],
  ['kubectl ssh --context=e', ['=--context=eu']],
  ['kubectl ssh -n bars two -c ', ['=app', '=sidecar']],
  ['kubectl ssh -n bars -c s', []],
  ['kubectl ssh --kubeconfig ', ['?files']],
  ['kubectl ssh --n', ['+--namespace=']],
  ['kubectl ssh --t', ['=--tty']],
  ['kubectl ssh deb ', []],
  ['kubectl ssh deb -- ', []],
  ['kubectl ssh c', ['=cp']],
  ['kubectl ssh cp ', ['?files', '+debug:']],
  ['kubectl ssh cp -n bars d', ['?files', '+deb:']],
  ['kubectl ssh cp bars/', ['?files', '+bars/deb:', '+bars/two:']],
  ['kubectl ssh cp ./x deb:/t', ['?files']],
  ['kubectl ssh cp a b ', []],
];

for (const [line, expected] of table) {
  test(`${line}<TAB> → ${expected.join(' ') || '(nothing)'}`, () => {
    assert.deepEqual(complete(line), expected);
  });
}

test('the names come from kubectl\'s placement: --context, -n, the context\'s namespace', () => {
  const plan = planKubectlWords(wordsAfterKubectlSsh('kubectl ssh --context eu x'));
  assert.deepEqual(placementOf(plan, sources), { context: 'eu', namespace: 'shop' });
  assert.deepEqual(placementOf(planKubectlWords(['--context', 'nope', 'x']), sources), { context: undefined, namespace: 'default' });
  assert.ok(needsCluster(plan));
  assert.ok(!needsCluster(planKubectlWords(['--context', ''])), 'contexts come from the kubeconfig');
});

test('the line is cut after `kubectl ssh`; the word being typed is last, empty after a space', () => {
  assert.deepEqual(wordsAfterKubectlSsh('kubectl ssh -n bars d'), ['-n', 'bars', 'd']);
  assert.deepEqual(wordsAfterKubectlSsh('  kubectl  ssh '), ['']);
  assert.deepEqual(wordsAfterKubectlSsh('kubectl get pods'), []);
});
