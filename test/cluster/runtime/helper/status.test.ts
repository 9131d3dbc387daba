import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errnoMessage, parseStatus } from './status.ts';

test('parseStatus reads every line the helper can write', () => {
  const cases: [string, ReturnType<typeof parseStatus>][] = [
    ['', { execed: false, connected: false }],
    ['pid 42\nexec\n', { pid: 42, execed: true, connected: false }],
    ['pid 42\nexec\nfail exec 2\n', { pid: 42, execed: true, connected: false, failure: { stage: 'exec', errno: 2 } }],
    ['fail connect 111\n', { execed: false, connected: false, failure: { stage: 'connect', errno: 111 } }],
    ['connected\n', { execed: false, connected: true }],
    ['fail chdir 13\nfail exec 2\n', { execed: false, connected: false, failure: { stage: 'chdir', errno: 13 } }],
  ];
  for (const [text, expected] of cases) assert.deepEqual(parseStatus(text), expected, JSON.stringify(text));
});

test('errnoMessage spells errors like Go does', () => {
  assert.equal(errnoMessage(111), 'connection refused');
  assert.equal(errnoMessage(2), 'no such file or directory');
  assert.equal(errnoMessage(13), 'permission denied');
  assert.equal(errnoMessage(99999), 'errno 99999');
});
