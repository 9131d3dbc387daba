// @kubernetes/client-node (a client we did not write) against the test cluster, which runs as
// `npm run cluster` does, in its own process, so its memory can be watched during transfers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { clusterSkipReason, collect, execWithClientNode, transferBothWays, transferServerPod } from './helpers.ts';
import { startClusterProcess } from './cluster-process.ts';
import type { ClusterProcess } from './cluster-process.ts';

const skip = clusterSkipReason();
const MiB = 1024 * 1024;
const big = 100 * MiB;
const port = 7070;

/** Memory the server may use beyond its resident set during 100 MiB transfers: V8 heap growth
 *  and garbage not yet collected take a few tens of MiB; a server that buffered a transfer
 *  would need more than the 100 MiB of the transfer itself. */
const memoryBudget = 64 * MiB;

function chunked(data: Buffer, size = 64 * 1024): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
    })(),
  );
}

describe('@kubernetes/client-node against the test cluster', { skip, timeout: 300_000 }, () => {
  let dir: string;
  let cluster: ClusterProcess;
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sshpod-client-node-'));
    const manifest = join(dir, 'pods.yaml');
    await writeFile(manifest, [transferServerPod('xfer', port), { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bb' }, spec: { containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }] } }].map((o) => stringify(o)).join('---\n'));
    cluster = await startClusterProcess(dir, [manifest]);
    kc = new k8s.KubeConfig();
    kc.loadFromFile(cluster.kubeconfig);
    core = kc.makeApiClient(k8s.CoreV1Api);
  });

  after(async () => {
    const code = await cluster?.stop();
    assert.equal(code, 0, cluster?.output());
    assert.equal(existsSync(cluster.kubeconfig), false, 'the kubeconfig is removed on stop');
    await rm(dir, { recursive: true, force: true });
  });

  test('CoreV1Api lists and reads pods; errors are Status objects', async () => {
    const list = await core.listNamespacedPod({ namespace: 'default', labelSelector: '' });
    assert.deepEqual(list.items.map((p) => p.metadata?.name).sort(), ['bb', 'xfer']);
    const pod = await core.readNamespacedPod({ namespace: 'default', name: 'bb' });
    assert.equal(pod.status?.phase, 'Running');
    assert.equal(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    assert.equal(pod.status?.containerStatuses?.[0]?.ready, true);
    assert.match(pod.status?.podIP ?? '', /^10\.244\.\d+\.\d+$/);
    assert.match(pod.metadata?.uid ?? '', /^[0-9a-f-]{36}$/);
    const byField = await core.listPodForAllNamespaces({ fieldSelector: 'metadata.name=bb' });
    assert.deepEqual(byField.items.map((p) => p.metadata?.name), ['bb']);
    await assert.rejects(core.readNamespacedPod({ namespace: 'default', name: 'missing' }), (error: unknown) => {
      const e = error as { code?: number; body?: string };
      assert.equal(e.code, 404);
      assert.deepEqual(JSON.parse(e.body ?? '{}'), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'pods "missing" not found', reason: 'NotFound', details: { name: 'missing', kind: 'pods' }, code: 404 });
      return true;
    });
  });

  test('Exec: 100 MiB each way with equal checksums and bounded server memory', async (t) => {
    const exec = new k8s.Exec(kc);
    const data = randomBytes(big);
    const want = createHash('sha256').update(data).digest('hex');
    // Warm up (JIT, heap sizing) so the measurement below sees the transfer, not the first use.
    await new Promise<k8s.V1Status>((resolve, reject) => {
      exec.exec('default', 'xfer', 'server', ['sh', '-c', 'cat >/dev/null; head -c 8388608 /dev/zero'], collect().stream, null, chunked(data.subarray(0, 8 * MiB)), false, resolve).catch(reject);
    });
    cluster.resetPeak();
    const before = cluster.memory().rss;

    const out = collect();
    const status = await new Promise<k8s.V1Status>((resolve, reject) => {
      exec.exec('default', 'xfer', 'server', ['sh', '-c', 'cat | sha256sum'], out.stream, null, chunked(data), false, resolve).catch(reject);
    });
    assert.equal(status.status, 'Success');
    assert.equal(out.text().split(' ')[0], want);

    const err = collect();
    const h = createHash('sha256');
    let received = 0;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        h.update(chunk);
        received += chunk.length;
        callback();
      },
    });
    await new Promise<k8s.V1Status>((resolve, reject) => {
      exec.exec('default', 'xfer', 'server', ['sh', '-c', `head -c ${big} /dev/urandom | tee /tmp/dl | sha256sum >&2; cat /tmp/dl; rm /tmp/dl`], sink, err.stream, null, false, resolve).catch(reject);
    });
    assert.equal(received, big);
    assert.equal(h.digest('hex'), err.text().split(' ')[0]);
    const grew = cluster.memory().peak - before;
    t.diagnostic(`server memory growth during the transfers: ${(grew / MiB).toFixed(1)} MiB`);
    assert.ok(grew < memoryBudget, `the server's resident memory grew by ${(grew / MiB).toFixed(1)} MiB during the transfers`);
  });

  test('Exec: exit codes and a command that does not exist', async () => {
    const run = (command: string[]) => execWithClientNode(cluster.kubeconfig, 'default', 'bb', 'main', command);
    const three = await run(['sh', '-c', 'exit 3']);
    assert.equal(three.status.reason, 'NonZeroExitCode');
    assert.equal(three.status.details?.causes?.[0]?.message, '3');
    const missing = await run(['no-such-command']);
    assert.equal(missing.status.details?.causes?.[0]?.message, '127');
    assert.match(missing.stderr, /executable file not found in \$PATH/);
    const ok = await run(['true']);
    assert.equal(ok.status.status, 'Success');
  });

  test('Exec with a terminal: a pty in the container, sized and resized by the client', { timeout: 60_000 }, async () => {
    const exec = new k8s.Exec(kc);
    const out = collect();
    // client-node treats an output stream with rows/columns as a terminal and sends its size
    // when the session opens and on every 'resize'. The size reaches the pty asynchronously
    // (as with kubectl and containerd: the process may start on the runtime's 80x24 before the
    // client's size arrives), so the command waits for each size to arrive.
    const terminal = Object.assign(out.stream, { rows: 30, columns: 100 });
    const input = new Readable({ read() {} });
    const script = 'tty; until [ "$(stty size)" = "30 100" ]; do sleep 0.05; done; echo sized; read line; until [ "$(stty size)" = "40 120" ]; do sleep 0.05; done; echo resized';
    const done = new Promise<k8s.V1Status>((resolve, reject) => {
      exec.exec('default', 'xfer', 'server', ['sh', '-c', script], terminal, null, input, true, resolve).catch(reject);
    });
    const text = out.text;
    while (!text().includes('sized')) await new Promise((r) => setTimeout(r, 20));
    terminal.rows = 40;
    terminal.columns = 120;
    terminal.emit('resize');
    input.push('go\n');
    assert.equal((await done).status, 'Success');
    assert.match(text(), /^\/dev\/pts\/\d+\r\nsized\r\n(go\r\n)?resized\r\n$/);
  });

  test('PortForward: 100 MiB each way with equal checksums and bounded server memory', async (t) => {
    const forward = new k8s.PortForward(kc);
    const server = net.createServer((socket) => {
      socket.on('error', () => {});
      void forward.portForward('default', 'xfer', [port], socket, null, socket).catch(() => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const local = (server.address() as net.AddressInfo).port;
    try {
      cluster.resetPeak();
      const before = cluster.memory().rss;
      const socket = net.connect(local, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      const result = await transferBothWays(socket, big);
      socket.destroy();
      assert.deepEqual(result, { upload: true, download: true });
      const grew = cluster.memory().peak - before;
      t.diagnostic(`server memory growth during the transfers: ${(grew / MiB).toFixed(1)} MiB`);
      assert.ok(grew < memoryBudget, `the server's resident memory grew by ${(grew / MiB).toFixed(1)} MiB during the transfers`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
