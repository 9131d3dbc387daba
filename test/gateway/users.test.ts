import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allowedByPatterns, parseKeyLine, parseUsers } from '../../src/gateway/users.ts';
import { RateLimiter, Slots } from '../../src/gateway/limits.ts';
import { auditLine } from '../../src/gateway/audit.ts';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHcvnlWSvV6T3Ly9RLCOFUrwpzLoJcbvLXNUS+gh94nO alice@laptop';

test('a users file: keys, default, defaults for login and kubeUser', () => {
  const users = parseUsers({ users: { alice: { keys: [KEY], default: 'pod--api.namespace--prod.sshpod' } } });
  const alice = users.get('alice');
  assert.equal(alice?.default, 'pod--api.namespace--prod');
  assert.equal(alice?.login, 'root');
  assert.equal(alice?.kubeUser, 'alice');
  assert.match(alice?.keys[0]?.fingerprint ?? '', /^SHA256:/);
});

for (const [what, document, message] of [
  ['no users mapping', { people: {} }, /expected a mapping "users:"/],
  ['an unknown field', { users: { a: { keys: [], password: 'x' } } }, /unknown field "password"/],
  ['a bad key line', { users: { a: { keys: ['hello'] } } }, /not a public key line/],
  ['a bad default', { users: { a: { keys: [], default: 'pdo--x' } } }, /default/],
] as const) {
  test(`refused: ${what}`, () => assert.throws(() => parseUsers(document), message));
}

test('a key line whose data is another type is refused', () => {
  assert.throws(() => parseKeyLine(KEY.replace('ssh-ed25519', 'ssh-rsa'), 'k'), /not a ssh-rsa key/);
});

test('allow patterns', () => {
  assert.ok(allowedByPatterns(['*.namespace--dev'], 'pod--x.namespace--dev.sshpod'));
  assert.ok(!allowedByPatterns(['*.namespace--dev'], 'pod--x.namespace--prod.sshpod'));
});

test('the rate limiter refills and the slots count per key', () => {
  const rate = new RateLimiter(2);
  assert.deepEqual([rate.take('a', 0), rate.take('a', 0), rate.take('a', 0), rate.take('a', 30_000)], [true, true, false, true]);
  const slots = new Slots(2, 1);
  const one = slots.take('alice');
  assert.deepEqual(slots.take('alice'), { refused: 'per-user' });
  if ('release' in one) one.release();
  assert.equal(slots.open, 0);
});

test('audit lines are one JSON line, bounded', () => {
  const line = auditLine({ event: 'x', command: 'a\nb'.repeat(1000) }, new Date(0));
  assert.equal(line.split('\n').length, 2);
  assert.ok(line.length < 1700); // 1024 characters, each newline escaped as two
});
