// --listen ADDRESS:PORT: loopback unless another address is written out; anything else refused
// with a usage error that says what to write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LISTEN, parseListen, type Listen } from '../../src/web/listen.ts';
import { isSshpodError } from '../../src/errors.ts';

test('addresses sshpod web binds to', () => {
  const cases: Array<[string | undefined, Listen]> = [
    [undefined, { host: '127.0.0.1', port: 7681, display: '127.0.0.1:7681' }],
    [DEFAULT_LISTEN, { host: '127.0.0.1', port: 7681, display: '127.0.0.1:7681' }],
    [':8080', { host: '127.0.0.1', port: 8080, display: '127.0.0.1:8080' }],
    ['8080', { host: '127.0.0.1', port: 8080, display: '127.0.0.1:8080' }],
    ['localhost:8080', { host: '127.0.0.1', port: 8080, display: '127.0.0.1:8080' }],
    ['127.0.0.1:0', { host: '127.0.0.1', port: 0, display: '127.0.0.1:0' }], // any free port
    ['0.0.0.0:7681', { host: '0.0.0.0', port: 7681, display: '0.0.0.0:7681' }],
    ['192.168.1.5:7681', { host: '192.168.1.5', port: 7681, display: '192.168.1.5:7681' }],
    ['[::1]:7681', { host: '::1', port: 7681, display: '[::1]:7681' }],
    ['[::]:7681', { host: '::', port: 7681, display: '[::]:7681' }],
    [' 127.0.0.1:7681 ', { host: '127.0.0.1', port: 7681, display: '127.0.0.1:7681' }],
    ['127.0.0.1:65535', { host: '127.0.0.1', port: 65535, display: '127.0.0.1:65535' }],
  ];
  for (const [value, expected] of cases) assert.deepEqual(parseListen(value), expected, String(value));
});

test('what is not ADDRESS:PORT is a usage error with a hint', () => {
  const refused = [
    '',
    ':',
    '127.0.0.1',
    '127.0.0.1:',
    '127.0.0.1:65536',
    '127.0.0.1:123456',
    '127.0.0.1:-1',
    '999.1.1.1:80',
    '1.2.3:80',
    'example.com:80', // a name: which address it means is not sshpod's to guess
    '::1:7681', // IPv6 without brackets
    '[::1]',
    '[not-v6]:80',
    'http://127.0.0.1:7681',
    '127.0.0.1:7681\n0.0.0.0:1',
    `${'1'.repeat(500)}:80`,
  ];
  for (const value of refused) {
    assert.throws(
      () => parseListen(value),
      (error: unknown) => {
        assert.ok(isSshpodError(error), value);
        assert.equal(error.kind, 'usage');
        assert.match(error.message, /is not ADDRESS:PORT/);
        assert.ok(error.message.length < 140, 'the value is cut short in the message');
        assert.match(error.hint ?? '', /--listen/);
        return true;
      },
      JSON.stringify(value),
    );
  }
});

test('the refused value is shown on one line, control characters made visible', () => {
  assert.throws(() => parseListen('127.0.0.1:7681\n0.0.0.0:1'), (error: Error) => !error.message.includes('\n'));
  assert.throws(() => parseListen('\u001b[31m:80'), (error: Error) => !error.message.includes('\u001b'));
});
