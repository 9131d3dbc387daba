// The exec transport's stream over a (fake) exec WebSocket: stdout is the stream, stderr stays
// apart, stdin goes out on channel 0, and the end of writing is a v5 close signal or, on v4, the
// end of the whole exec.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type WebSocket from 'ws';
import { ExecStream } from '../../src/kube/exec-stream.ts';
import { FakeSocket } from '../reach/fake-api.ts';

const target = { namespace: 'ns', pod: 'p', container: 'c', command: ['sshd', '-i'] };

function stream(protocol: string): { socket: FakeSocket; stream: ExecStream } {
  const socket = new FakeSocket(protocol);
  return { socket, stream: new ExecStream(socket as unknown as WebSocket, target) };
}

test('stdout is the stream; stderr and the status are kept apart', async () => {
  const { socket, stream: s } = stream('v5.channel.k8s.io');
  const chunks: Buffer[] = [];
  s.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.frame(1, 'SSH-2.0-x\r\n');
  socket.frame(2, 'a warning\n');
  socket.frame(1, 'more');
  socket.frame(3, JSON.stringify({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '255' }] } }));
  socket.close(1000);
  await new Promise((resolve) => s.once('end', resolve));
  assert.equal(Buffer.concat(chunks).toString(), 'SSH-2.0-x\r\nmore');
  assert.equal(s.stderr, 'a warning\n');
  assert.equal(s.exitCode, 255);
});

test('writes go to stdin (channel 0); v5 ends stdin with the close signal and keeps reading', async () => {
  const { socket, stream: s } = stream('v5.channel.k8s.io');
  s.write(Buffer.from('hello'));
  s.end();
  await new Promise((resolve) => s.once('finish', resolve));
  assert.deepEqual(socket.sent.map((b) => [...b]), [[0, ...Buffer.from('hello')], [255, 0]]);
  assert.equal(socket.readyState, socket.OPEN, 'the exec stays open for what sshd still sends');
  s.destroy();
});

test('v4 cannot half-close stdin: ending it ends the exec, as a normal end', async () => {
  const { socket, stream: s } = stream('v4.channel.k8s.io');
  s.resume();
  s.end();
  await new Promise((resolve) => s.once('end', resolve));
  assert.equal(socket.readyState, socket.CLOSED);
});

test('an abnormal close is an error that names the container', async () => {
  const { socket, stream: s } = stream('v5.channel.k8s.io');
  const failed = new Promise<Error>((resolve) => s.once('error', resolve));
  socket.close(1006);
  assert.match((await failed).message, /the exec stream to container "c" of pod "p" broke: the API server closed the stream abnormally \(WebSocket code 1006\)/);
});
