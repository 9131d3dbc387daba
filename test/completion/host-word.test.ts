import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostCandidates, planHostWord, scopeOf, type HostSources } from '../../src/completion/host-word.ts';
import type { Inventory, Listed } from '../../src/completion/inventory.ts';
import { parseHostname } from '../../src/target/hostname.ts';

const item = (kind: Listed['kind'], namespace: string, name: string, containers = ['main']): Listed => ({ kind, namespace, name, containers });

const inventory: Inventory = {
  namespaces: ['bars', 'default', 'shop'],
  items: [
    item('pod', 'bars', 'deb'),
    item('pod', 'default', 'debug'),
    item('pod', 'default', 'web.v2'),
    item('pod', 'shop', 'two', ['app', 'sidecar']),
    item('deployment', 'default', 'web', ['app']),
    item('deployment', 'shop', 'web', ['app']),
    item('statefulset', 'bars', 'db'),
    item('daemonset', 'shop', 'agent'),
    item('job', 'default', 'migrate'),
  ],
};

const sources: HostSources = {
  contexts: [
    { name: 'kind-dev', namespace: 'default' },
    { name: 'arn:aws:eks:eu-west-1:123456789012:cluster/prod', namespace: 'shop' },
  ],
  currentContext: 'kind-dev',
  inventory,
  templates: ['debian', 'python'],
};

/** Candidates as the scripts receive them: `=` finished, `+` goes on. */
function complete(word: string, given: HostSources = sources): string[] {
  const plan = planHostWord(word);
  return plan ? hostCandidates(plan, given).map((c) => `${c.final ? '=' : '+'}${c.text}`) : [];
}

const table: Array<[string, string[]]> = [
  // The example: a pod outside the current namespace gets its namespace segment, one in it does not.
  ['pod--d', ['=pod--deb.namespace--bars.sshpod', '=pod--debug.sshpod']],
  ['pod--deb', ['=pod--deb.namespace--bars.sshpod', '=pod--debug.sshpod']],
  ['po--de', ['=po--deb.namespace--bars.sshpod', '=po--debug.sshpod']],
  ['namespace--bars.pod--d', ['=namespace--bars.pod--deb.sshpod']],
  ['ns--default.pod--', ['=ns--default.pod--debug.sshpod', '=ns--default.pod--web.v2.sshpod']],
  ['container--app.pod--t', ['=container--app.pod--two.namespace--shop.sshpod']],
  // Workloads.
  ['deployment--w', ['=deployment--web.namespace--shop.sshpod', '=deployment--web.sshpod']],
  ['deploy--w', ['=deploy--web.namespace--shop.sshpod', '=deploy--web.sshpod']],
  ['statefulset--', ['=statefulset--db.namespace--bars.sshpod']],
  ['sts--d', ['=sts--db.namespace--bars.sshpod']],
  ['daemonset--a', ['=daemonset--agent.namespace--shop.sshpod']],
  ['job--m', ['=job--migrate.sshpod']],
  // A dotted name goes on after its dot; keys may start there too.
  ['pod--web.v', ['=pod--web.v2.sshpod']],
  ['pod--web.', ['+pod--web.container--', '+pod--web.context--', '+pod--web.namespace--', '=pod--web.sshpod', '=pod--web.v2.sshpod']],
  ['pod--deb.n', ['+pod--deb.namespace--']],
  ['pod--deb.namespace--b', ['=pod--deb.namespace--bars.sshpod']],
  ['pod--deb.namespace--bars.s', ['=pod--deb.namespace--bars.sshpod']],
  ['pod--two.namespace--shop.container--', ['=pod--two.namespace--shop.container--app.sshpod', '=pod--two.namespace--shop.container--sidecar.sshpod']],
  ['pod--debug.container--', ['=pod--debug.container--main.sshpod']],
  // Keys at the start of a segment; namespaces and contexts go on until a target is named.
  ['p', ['+pod--']],
  ['d', ['+daemonset--', '+deployment--']],
  ['c', ['+container--', '+context--']],
  ['namespace--', ['+namespace--bars.', '+namespace--default.', '+namespace--shop.']],
  ['context--', ['+context--arn-aws-eks-eu-west-1-123456789012-cluster-prod.', '+context--kind-dev.']],
  ['context--k', ['+context--kind-dev.']],
  ['context--kind-dev.pod--deb.context--', []],
  // Templates (file names) for on-demand hosts.
  ['template--', ['=template--debian.sshpod', '=template--python.sshpod']],
  ['template--p', ['=template--python.sshpod']],
  // Not a hostname on its way, or nothing left to add.
  ['pod--nope', []],
  ['frob--x', []],
  ['example.com', []],
  ['.pod--d', []],
  ['pod--deb.pod--x', []],
  ['pod--deb.deployment--', []],
];

for (const [word, expected] of table) {
  test(`${word}<TAB> → ${expected.join(' ') || '(nothing)'}`, () => {
    assert.deepEqual(complete(word), expected);
  });
}

test('every finished candidate is a hostname sshpod reads, and starts with what was typed', () => {
  for (const [word] of table) {
    for (const candidate of complete(word)) {
      assert.ok(candidate.slice(1).startsWith(word), `${candidate} starts with ${word}`);
      if (candidate.startsWith('=') && !candidate.includes('template--')) assert.doesNotThrow(() => parseHostname(candidate.slice(1)), candidate);
    }
  }
});

test('the names come from the context the hostname gives, in its namespace', () => {
  const other: HostSources = { ...sources, inventory: { namespaces: undefined, items: [item('pod', 'shop', 'api')] } };
  assert.deepEqual(complete('context--arn-aws-eks-eu-west-1-123456789012-cluster-prod.pod--a', other), ['=context--arn-aws-eks-eu-west-1-123456789012-cluster-prod.pod--api.sshpod']);
  assert.deepEqual(complete('context--nope.pod--a', other), [], 'an unknown context has no names');
});

test('the scope: the hostname\'s context and namespace, all namespaces when it gives none', () => {
  assert.deepEqual(scopeOf(planHostWord('pod--d')!), { needsCluster: true, context: undefined, namespace: undefined });
  assert.deepEqual(scopeOf(planHostWord('ns--bars.context--eu.pod--d')!), { needsCluster: true, context: 'eu', namespace: 'bars' });
  assert.equal(scopeOf(planHostWord('context--k')!).needsCluster, false, 'contexts come from the kubeconfig');
  assert.equal(scopeOf(planHostWord('template--')!).needsCluster, false);
  assert.equal(scopeOf(planHostWord('pod--deb.n')!).needsCluster, true, 'the dotted reading needs pod names');
});

test('without namespace listing (RBAC), namespaces come from what was listed and the current one', () => {
  const limited: HostSources = { ...sources, inventory: { namespaces: undefined, items: [item('pod', 'bars', 'deb')] } };
  assert.deepEqual(complete('namespace--', limited), ['+namespace--bars.', '+namespace--default.']);
});
