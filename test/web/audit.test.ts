// The web terminal's audit trail: one JSON line per event, whatever a client put in the fields it
// controls (a hostname, a refused Host or Origin header): bounded, never a second line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditLine, type AuditEvent } from '../../src/web/audit.ts';

const at = new Date('2026-01-02T03:04:05.000Z');

test('events as one line of JSON each, time first, absent fields left out', () => {
  const cases: Array<[AuditEvent, Record<string, unknown>]> = [
    [{ action: 'server-start', user: 'ana', listen: '127.0.0.1:7681' }, { time: at.toISOString(), action: 'server-start', user: 'ana', listen: '127.0.0.1:7681' }],
    [
      { action: 'terminal-open', user: 'ana', peer: '127.0.0.1:5000', hostname: 'pod--api.sshpod', context: 'c', namespace: 'prod', pod: 'api', container: 'app' },
      { time: at.toISOString(), action: 'terminal-open', user: 'ana', peer: '127.0.0.1:5000', hostname: 'pod--api.sshpod', context: 'c', namespace: 'prod', pod: 'api', container: 'app' },
    ],
    [
      { action: 'terminal-end', user: 'ana', reason: 'closed by the person', durationMs: 1500, bytesIn: 10, bytesOut: 2000, pod: undefined },
      { time: at.toISOString(), action: 'terminal-end', user: 'ana', reason: 'closed by the person', durationMs: 1500, bytesIn: 10, bytesOut: 2000 },
    ],
    [{ action: 'pod-deleted', pod: 'sshpod-debug-x1y2z', reason: 'heartbeat' }, { time: at.toISOString(), action: 'pod-deleted', pod: 'sshpod-debug-x1y2z', reason: 'heartbeat' }],
  ];
  for (const [event, expected] of cases) {
    const line = auditLine(event, at);
    assert.ok(line.endsWith('\n') && line.indexOf('\n') === line.length - 1, 'one line');
    assert.deepEqual(JSON.parse(line), expected);
    assert.equal(Object.keys(JSON.parse(line))[0], 'time');
  }
});

test("what a client sends stays inside its field: no second line, no terminal escapes, bounded", () => {
  const hostile = `evil.example\r\n{"action":"terminal-open","user":"root"}\u001b]0;owned\u0007\u2028${'x'.repeat(5000)}`;
  const line = auditLine({ action: 'refused', peer: '203.0.113.9:4444', reason: `Host "${hostile}" is not this server's` }, at);
  assert.equal(line.split('\n').length, 2, 'one line and its end');
  assert.ok(!/[\u0000-\u001f\u007f]/.test(line.slice(0, -1)), 'no raw control character');
  assert.ok(line.length < 1300, `bounded (${line.length})`);
  const record = JSON.parse(line) as Record<string, string>;
  assert.equal(record['action'], 'refused', 'the injected action did not replace the real one');
  assert.equal(record['user'], undefined);
  assert.ok(record['reason']?.endsWith('…'));
});
