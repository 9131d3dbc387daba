import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sshpodPaths } from '../../src/ssh/paths.ts';
import { ago, lastFailureFile, readLastFailure, renderLastFailure, saveLastFailure, type FailureRecord } from '../../src/failure/last-failure.ts';

const record: FailureRecord = {
  time: '2025-01-01T12:00:00.000Z',
  host: 'pod--apx.sshpod',
  user: 'root',
  lines: ['sshpod: pod "apx" not found in namespace "default"', 'hint: pods in namespace "default": api'],
  exitCode: 1,
  delivery: 'ssh',
  timeline: ['    40ms sshpod 0.1.0 proxy --host pod--apx.sshpod --user root', '   90ms SshpodError: pod "apx" not found\n    at getPod (x.ts:1:1)'],
};

test('the record is kept private and read back; a damaged one is no news', (t) => {
  const home = mkdtempSync(join(tmpdir(), 'sshpod-last-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const paths = sshpodPaths(home);
  assert.equal(readLastFailure(paths), undefined);
  saveLastFailure(paths, record);
  assert.deepEqual(readLastFailure(paths), record);
  assert.equal(statSync(lastFailureFile(paths)).mode & 0o777, 0o600);
  assert.equal(statSync(paths.cacheDir).mode & 0o777, 0o700);
  assert.deepEqual(readdirSync(paths.cacheDir), ['last-failure.json'], 'no temporary file left');
  writeFileSync(lastFailureFile(paths), '{"time": 3}');
  assert.equal(readLastFailure(paths), undefined);
  writeFileSync(lastFailureFile(paths), 'not json');
  assert.equal(readLastFailure(paths), undefined);
});

test('how long ago, in words', () => {
  const now = Date.parse('2025-01-01T12:00:00Z');
  assert.equal(ago('2025-01-01T11:59:59Z', now), '1 second ago');
  assert.equal(ago('2025-01-01T11:57:00Z', now), '3 minutes ago');
  assert.equal(ago('2025-01-01T10:00:00Z', now), '2 hours ago');
  assert.equal(ago('2024-12-30T12:00:00Z', now), '2 days ago');
  assert.equal(ago('yesterday', now), 'at an unknown time');
});

test('what sshpod last-error prints, with the timeline on request, escaped', () => {
  const now = Date.parse('2025-01-01T12:05:00Z');
  assert.deepEqual(renderLastFailure(record, now, false), [
    'last failure: root@pod--apx.sshpod, 5 minutes ago (2025-01-01T12:00:00.000Z), shown by ssh',
    'sshpod: pod "apx" not found in namespace "default"',
    'hint: pods in namespace "default": api',
  ]);
  const withTimeline = renderLastFailure(record, now, true);
  assert.equal(withTimeline[3], 'timeline (milliseconds since that sshpod started):');
  assert.deepEqual(withTimeline.slice(4), ['      40ms sshpod 0.1.0 proxy --host pod--apx.sshpod --user root', '     90ms SshpodError: pod "apx" not found', '      at getPod (x.ts:1:1)']);
  const hostile = renderLastFailure({ ...record, lines: ['sshpod: \x1b]0;owned\x07'] }, now, false);
  assert.equal(hostile[1], 'sshpod: \\x1b]0;owned\\x07');
});
