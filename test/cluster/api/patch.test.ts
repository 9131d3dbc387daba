import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PatchError, jsonPatch, mergePatch, strategicMerge } from './patch.ts';
import type { Json } from './types.ts';

test('JSON merge patch (RFC 7386): merge maps, null deletes, lists replace', () => {
  const target = { metadata: { labels: { a: '1', b: '2' } }, spec: { replicas: 1, list: [1, 2] } };
  assert.deepEqual(mergePatch(target, { metadata: { labels: { b: null, c: '3' } }, spec: { list: [3] } }), {
    metadata: { labels: { a: '1', c: '3' } },
    spec: { replicas: 1, list: [3] },
  });
});

test('JSON patch (RFC 6902): add, replace, remove, test, move, copy', () => {
  const doc = { spec: { replicas: 1, containers: [{ name: 'a' }] } } as Json;
  const out = jsonPatch(doc, [
    { op: 'replace', path: '/spec/replicas', value: 3 },
    { op: 'add', path: '/spec/containers/-', value: { name: 'b' } },
    { op: 'test', path: '/spec/containers/0/name', value: 'a' },
    { op: 'copy', from: '/spec/replicas', path: '/spec/copied' },
    { op: 'move', from: '/spec/copied', path: '/spec/moved' },
    { op: 'remove', path: '/spec/containers/0' },
  ]);
  assert.deepEqual(out, { spec: { replicas: 3, containers: [{ name: 'b' }], moved: 3 } });
  assert.throws(() => jsonPatch(doc, [{ op: 'test', path: '/spec/replicas', value: 2 }]), PatchError);
  assert.throws(() => jsonPatch(doc, [{ op: 'remove', path: '/spec/nothing' }]), PatchError);
});

test('strategic merge: containers merge by name, env by name, other lists replace', () => {
  const target: Json = {
    spec: {
      containers: [
        { name: 'app', image: 'busybox:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] },
        { name: 'side', image: 'debian' },
      ],
      tolerations: [{ key: 'x' }],
    },
  };
  const patch = {
    spec: {
      '$setElementOrder/containers': [{ name: 'app' }, { name: 'side' }],
      containers: [{ name: 'app', image: 'busybox:2', env: [{ name: 'B', value: '3' }] }],
      tolerations: [{ key: 'y' }],
    },
  } as unknown as Json;
  assert.deepEqual(strategicMerge(target, patch), {
    spec: {
      containers: [
        { name: 'app', image: 'busybox:2', env: [{ name: 'A', value: '1' }, { name: 'B', value: '3' }] },
        { name: 'side', image: 'debian' },
      ],
      tolerations: [{ key: 'y' }],
    },
  });
});

test('strategic merge directives: $patch delete/replace, $retainKeys, $deleteFromPrimitiveList, finalizers union', () => {
  const target = { metadata: { finalizers: ['a'] }, spec: { containers: [{ name: 'a' }, { name: 'b' }], strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } };
  const out = strategicMerge(target, {
    metadata: { finalizers: ['b'] },
    spec: {
      containers: [{ name: 'b', $patch: 'delete' }],
      strategy: { $retainKeys: ['type'], type: 'Recreate' },
    },
  });
  assert.deepEqual(out, { metadata: { finalizers: ['a', 'b'] }, spec: { containers: [{ name: 'a' }], strategy: { type: 'Recreate' } } });
  assert.deepEqual(strategicMerge({ metadata: { finalizers: ['a', 'b'] } }, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }), { metadata: { finalizers: ['b'] } });
  assert.deepEqual(strategicMerge({ spec: { containers: [{ name: 'a' }] } }, { spec: { containers: [{ $patch: 'replace' }, { name: 'z' }] } }), { spec: { containers: [{ name: 'z' }] } });
});
