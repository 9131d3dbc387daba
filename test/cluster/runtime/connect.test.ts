// Connections into a pod's network namespace, as port-forward uses them: bulk data both ways,
// half-closes honoured in both directions, refusals reported.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { promisify } from 'node:util';
import type { PodHandle } from './types.ts';
import { container, podSpec, serverScript, skipReason, testRuntime, waitForListener } from './testing.ts';

const SHA256 = 7000;
const ECHO = 7001;
const HELLO = 7002;

describe('connect', { skip: skipReason }, () => {
  let runtime: Awaited<ReturnType<typeof testRuntime>>;
  let pod: PodHandle;

  before(async () => {
    runtime = await testRuntime();
    const server = (mode: string, port: number) => container(mode, 'debian', { command: ['python3', '-c', serverScript, mode, String(port)] });
    pod = await runtime.startPod(podSpec('servers', [server('sha256', SHA256), server('echo', ECHO), server('hello', HELLO)]));
    for (const port of [SHA256, ECHO, HELLO]) {
      await waitForListener(pod, port);
    }
  });
  after(() => runtime?.close());

  test('our end reaches the server as FIN; its answer and FIN reach us (100 MiB, sha256)', async (t) => {
    const data = randomBytes(100 << 20);
    const started = performance.now();
    const socket = await pod.connect(SHA256);
    const answer = readAll(socket);
    socket.end(data);
    assert.equal((await answer).toString().trim(), createHash('sha256').update(data).digest('hex'));
    t.diagnostic(`100 MiB through connect(): ${(100 / ((performance.now() - started) / 1000)).toFixed(0)} MiB/s`);
  });

  test('100 MiB both ways at once (echo)', async (t) => {
    const data = randomBytes(100 << 20);
    const started = performance.now();
    const socket = await pod.connect(ECHO);
    const echoed = readAll(socket);
    socket.end(data);
    const back = await echoed;
    assert.equal(back.length, data.length);
    assert.ok(back.equals(data));
    t.diagnostic(`100 MiB each way through connect(): ${(200 / ((performance.now() - started) / 1000)).toFixed(0)} MiB/s total`);
  });

  test("the server's FIN ends our readable side while our writable side stays open", async () => {
    const socket = await pod.connect(HELLO);
    assert.equal((await readAll(socket)).toString(), 'hello\n');
    assert.equal(socket.writable, true);
    socket.end();
    await new Promise((resolve) => socket.once('close', resolve));
  });

  test('nothing listening: connect() rejects with "connection refused"', async () => {
    await assert.rejects(pod.connect(7999), { message: 'connection refused' });
  });

  test('netnsPath reaches the pod loopback without the runtime (the benchmark floor)', async () => {
    const { stdout } = await promisify(execFile)('nsenter', [`--net=${pod.netnsPath}`, 'socat', '-', `TCP:127.0.0.1:${HELLO}`]);
    assert.equal(stdout, 'hello\n');
  });

  test('open connections end when the pod stops', async () => {
    const own = await runtime.startPod(podSpec('stopping', [container('echo', 'debian', { command: ['python3', '-c', serverScript, 'echo', String(ECHO)] })]));
    await waitForListener(own, ECHO, 'the echo server');
    const socket = await own.connect(ECHO);
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.on('error', () => undefined);
    socket.resume();
    await own.stop();
    await closed;
    await assert.rejects(own.connect(ECHO), /is stopping/);
  });
});

function readAll(socket: Duplex): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('end', () => resolve(Buffer.concat(chunks)));
    socket.once('error', reject);
  });
}
