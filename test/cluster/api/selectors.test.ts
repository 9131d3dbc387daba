import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SelectorParseError, checkFieldSelector, matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, selectorMatches, selectorToString } from './selectors.ts';
import type { KubeObject } from './types.ts';

test('label selector grammar: equality, sets, existence, comparisons', () => {
  const cases: [string, Record<string, string>, boolean][] = [
    ['app=web', { app: 'web' }, true],
    ['app==web', { app: 'web' }, true],
    ['app=web', { app: 'db' }, false],
    ['app!=web', {}, true],
    ['app!=web', { app: 'web' }, false],
    ['app in (web, db)', { app: 'db' }, true],
    ['app notin (web,db)', { app: 'cache' }, true],
    ['app notin (web,db)', {}, true],
    ['app', { app: '' }, true],
    ['!app', { app: 'x' }, false],
    ['app=web,tier in (front)', { app: 'web', tier: 'front' }, true],
    ['app=web,tier in (front)', { app: 'web', tier: 'back' }, false],
    ['count>2', { count: '3' }, true],
    ['count<2', { count: '3' }, false],
    ['example.com/role=x', { 'example.com/role': 'x' }, true],
    ['', { anything: 'x' }, true],
  ];
  for (const [selector, labels, expected] of cases) {
    assert.equal(matchesLabels(parseLabelSelector(selector), labels), expected, `${selector} on ${JSON.stringify(labels)}`);
  }
});

test('label selector syntax errors are reported', () => {
  assert.throws(() => parseLabelSelector('app=we b'), SelectorParseError);
  assert.throws(() => parseLabelSelector('a,,b'), SelectorParseError);
  assert.throws(() => parseLabelSelector('n>x'), SelectorParseError);
});

test('LabelSelector objects: matchLabels and matchExpressions; an empty selector matches nothing for controllers', () => {
  const selector = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In' as const, values: ['front', 'edge'] }, { key: 'canary', operator: 'DoesNotExist' as const }] };
  assert.equal(selectorMatches(selector, { app: 'web', tier: 'edge' }), true);
  assert.equal(selectorMatches(selector, { app: 'web', tier: 'edge', canary: 'y' }), false);
  assert.equal(selectorMatches({}, { app: 'web' }), false);
  assert.equal(selectorToString(selector), 'app=web,tier in (front,edge),!canary');
});

test('field selectors: supported fields per resource, = and !=', () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'ns' }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } } as KubeObject;
  const reqs = parseFieldSelector('metadata.name=a,status.phase!=Pending,spec.nodeName==n1');
  checkFieldSelector('pods', reqs);
  assert.equal(matchesFields('pods', reqs, pod), true);
  assert.equal(matchesFields('pods', parseFieldSelector('status.phase=Pending'), pod), false);
  assert.throws(() => checkFieldSelector('pods', parseFieldSelector('spec.containers=x')), /field label not supported: spec.containers/);
  assert.throws(() => checkFieldSelector('deployments', parseFieldSelector('status.phase=Running')), SelectorParseError);
});
