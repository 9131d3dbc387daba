import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contextAlias, matchContext } from '../../src/target/context-alias.ts';

test('context aliases are hostname-safe', () => {
  assert.equal(contextAlias('arn:aws:eks:eu-west-1:123456789012:cluster/prod'), 'arn-aws-eks-eu-west-1-123456789012-cluster-prod');
  assert.equal(contextAlias('gke_my-proj_europe-west1-b_prod'), 'gke-my-proj-europe-west1-b-prod');
  assert.equal(contextAlias('admin@Kind'), 'admin-kind');
  assert.equal(contextAlias('--odd--'), 'odd');
  assert.equal(contextAlias('kind.local'), 'kind-local');
});

const contexts = ['kind-dev', 'arn:aws:eks:eu-west-1:123456789012:cluster/prod', 'admin@Kind', 'eu'];

test('an exact name wins', () => {
  assert.equal(matchContext('eu', contexts), 'eu');
  assert.equal(matchContext('kind-dev', contexts), 'kind-dev');
});

test('a unique alias matches', () => {
  assert.equal(matchContext('arn-aws-eks-eu-west-1-123456789012-cluster-prod', contexts), 'arn:aws:eks:eu-west-1:123456789012:cluster/prod');
  assert.equal(matchContext('admin-kind', contexts), 'admin@Kind');
  assert.equal(matchContext('admin.kind', contexts), 'admin@Kind');
});

test('no match lists the contexts in hostname-safe form', () => {
  assert.throws(() => matchContext('nope', contexts), (error: Error & { hint?: string }) => {
    assert.equal(error.message, 'no context "nope" in your kubeconfig');
    assert.equal(
      error.hint,
      'use one of: kind-dev, arn-aws-eks-eu-west-1-123456789012-cluster-prod (arn:aws:eks:eu-west-1:123456789012:cluster/prod), admin-kind (admin@Kind), eu',
    );
    return true;
  });
});

test('an alias shared by two contexts is ambiguous', () => {
  assert.throws(() => matchContext('a-b', ['a:b', 'a/b']), /ambiguous: it matches "a:b", "a\/b"/);
});
