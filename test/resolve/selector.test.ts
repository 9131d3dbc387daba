import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectorMatches, selectorToQuery, isEmptySelector } from '../../src/resolve/selector.ts';
import type { LabelSelector } from '../../src/kube/types.ts';

const selector: LabelSelector = {
  matchLabels: { app: 'web', tier: 'front' },
  matchExpressions: [
    { key: 'env', operator: 'In', values: ['prod', 'staging'] },
    { key: 'canary', operator: 'NotIn', values: ['true'] },
    { key: 'team', operator: 'Exists' },
    { key: 'legacy', operator: 'DoesNotExist' },
  ],
};

test('a selector renders in the API syntax', () => {
  assert.equal(selectorToQuery(selector), 'app=web,tier=front,env in (prod,staging),canary notin (true),team,!legacy');
  assert.equal(selectorToQuery({ matchLabels: { 'batch.kubernetes.io/controller-uid': 'abc' } }), 'batch.kubernetes.io/controller-uid=abc');
});

const cases: Array<[Record<string, string>, boolean, string]> = [
  [{ app: 'web', tier: 'front', env: 'prod', team: 'a' }, true, 'all satisfied'],
  [{ app: 'web', tier: 'front', env: 'prod', team: 'a', canary: 'false' }, true, 'NotIn with another value'],
  [{ app: 'api', tier: 'front', env: 'prod', team: 'a' }, false, 'matchLabels differ'],
  [{ app: 'web', tier: 'front', env: 'dev', team: 'a' }, false, 'In not satisfied'],
  [{ app: 'web', tier: 'front', team: 'a' }, false, 'In on a missing label'],
  [{ app: 'web', tier: 'front', env: 'prod', team: 'a', canary: 'true' }, false, 'NotIn hit'],
  [{ app: 'web', tier: 'front', env: 'prod' }, false, 'Exists missing'],
  [{ app: 'web', tier: 'front', env: 'prod', team: 'a', legacy: '' }, false, 'DoesNotExist present'],
];

for (const [labels, expected, why] of cases) {
  test(`selector matching: ${why}`, () => {
    assert.equal(selectorMatches(selector, labels), expected);
  });
}

test('unknown operators are refused with a hint', () => {
  assert.throws(() => selectorToQuery({ matchExpressions: [{ key: 'a', operator: 'Gt' }] }), /unknown operator "Gt"/);
});

test('empty selectors are recognised', () => {
  assert.equal(isEmptySelector({}), true);
  assert.equal(isEmptySelector({ matchLabels: {} , matchExpressions: [] }), true);
  assert.equal(isEmptySelector({ matchLabels: { a: 'b' } }), false);
});
