import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execStatus, parseExecQuery, resizeParser, startFailureText } from './exec.ts';
import { forwardErrorText, parsePorts, portPrefix } from './portforward.ts';
import { StatusError } from '../api/status.ts';

test('exec status on the error channel: kubelet/containerd wording', () => {
  assert.deepEqual(execStatus(['ls'], { started: true, exitCode: 0 }), { metadata: {}, status: 'Success' });
  assert.equal(
    JSON.stringify(execStatus(['sh', '-c', 'exit 3'], { started: true, exitCode: 3 })),
    '{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}',
  );
  assert.equal(execStatus(['nosuch'], { started: false, exitCode: 127, message: 'exec: "nosuch": executable file not found in $PATH' }).details?.causes[0]?.message, '127');
  assert.equal(startFailureText('exec: "x": executable file not found in $PATH'), 'OCI runtime exec failed: exec failed: unable to start container process: exec: "x": executable file not found in $PATH: unknown\r\n');
});

test('exec query: repeated command, tty drops stderr, at least one stream', () => {
  const q = parseExecQuery(new URLSearchParams('command=sh&command=-c&command=echo%20hi&stdin=true&stdout=1&stderr=true&tty=true&container=app'));
  assert.deepEqual(q, { command: ['sh', '-c', 'echo hi'], container: 'app', stdin: true, stdout: true, stderr: false, tty: true });
  assert.throws(() => parseExecQuery(new URLSearchParams('stdout=true')), (e: unknown) => e instanceof StatusError && e.status.message === 'you must specify at least one command for the container');
  assert.throws(() => parseExecQuery(new URLSearchParams('command=ls')), (e: unknown) => e instanceof StatusError && e.status.code === 400);
});

test('resize messages may arrive split or batched', () => {
  const sizes: [number, number][] = [];
  const feed = resizeParser((w, h) => sizes.push([w, h]));
  feed(Buffer.from('{"Width":80,"Hei'));
  feed(Buffer.from('ght":24}{"Width":100,"Height":40}'));
  feed(Buffer.from('{"height":50,"width":120}'));
  assert.deepEqual(sizes, [[80, 24], [100, 40], [120, 50]]);
});

test('port-forward ports and frames', () => {
  assert.deepEqual(parsePorts(new URLSearchParams('ports=8080,9090&ports=22')), [8080, 9090, 22]);
  assert.throws(() => parsePorts(new URLSearchParams('')), StatusError);
  assert.throws(() => parsePorts(new URLSearchParams('ports=0')), StatusError);
  assert.throws(() => parsePorts(new URLSearchParams('ports=http')), StatusError);
  assert.deepEqual([...portPrefix(8080)], [0x90, 0x1f]);
  assert.equal(forwardErrorText(80, 'web', 'u1', 'connection refused'), 'error forwarding port 80 to pod web, uid u1: failed to connect to localhost:80 inside namespace of pod web: dial tcp4 127.0.0.1:80: connect: connection refused');
});
