// Pods as sshpod's tests will meet them: namespaces, users, filesystems, volumes, states.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tcpConnect } from 'node:net';
import type { ContainerState, PodHandle } from './types.ts';
import { container, podSpec, randomPort, run, serverScript, sh, skipReason, testRuntime, waitFor } from './testing.ts';

describe('pods', { skip: skipReason }, () => {
  let runtime: Awaited<ReturnType<typeof testRuntime>>;

  before(async () => {
    runtime = await testRuntime();
  });
  after(() => runtime?.close());

  test('a container sees only its own processes, its command as PID 1', async () => {
    const pod = await runtime.startPod(podSpec('pids', [container('main', 'busybox', { command: ['sleep', '1234'] })]));
    const [header, first, ...others] = (await sh(pod, 'main', 'ps -o pid,args')).trim().split('\n');
    assert.match(header ?? '', /PID/);
    assert.match(first ?? '', /^\s*1 sleep 1234$/);
    for (const line of others) assert.match(line, /ps -o pid,args$/); // only the exec itself
    assert.equal((await sh(pod, 'main', 'cat /proc/1/cmdline | tr "\\0" " "')).trim(), 'sleep 1234');
    await pod.stop();
  });

  test('pods have their own network; the containers of a pod share it', async () => {
    const port = randomPort();
    await assert.rejects(connectHost(port), /ECONNREFUSED/, 'the port is taken on the host: rerun');
    const server = await runtime.startPod(
      podSpec('server', [
        container('http', 'debian', { command: ['python3', '-m', 'http.server', String(port), '--bind', '127.0.0.1'], workingDir: '/etc' }),
        container('client', 'busybox'),
      ]),
    );
    const other = await runtime.startPod(podSpec('other', [container('client', 'busybox')]));
    const wget = `wget -qO- http://127.0.0.1:${port}/hostname`;
    await waitFor('the http server', async () => (await run(server, 'client', ['sh', '-c', wget])).result.exitCode === 0);
    assert.equal((await sh(server, 'client', wget)).trim(), 'server');
    const fromOther = await run(other, 'client', ['sh', '-c', wget]);
    assert.notEqual(fromOther.result.exitCode, 0);
    await assert.rejects(other.connect(port), /^Error: connection refused$/);
    await assert.rejects(connectHost(port), /ECONNREFUSED/);
    assert.match(await sh(other, 'client', 'ip -o link'), /^1: lo: <LOOPBACK,UP,LOWER_UP>/);
    assert.equal((await sh(other, 'client', 'ip -o link | wc -l')).trim(), '1');
    await Promise.all([server.stop(), other.stop()]);
  });

  test('env, workingDir, runAsUser and runAsGroup apply to the main process and to execs', async () => {
    const pod = await runtime.startPod(
      podSpec('env', [
        container('main', 'busybox', {
          command: ['sh', '-c', 'echo "$GREETING $(pwd) $(id -u):$(id -g) $HOME $HOSTNAME" > /dev/shm/main; exec sleep 1000'],
          env: { GREETING: 'hello there' },
          workingDir: '/srv/app',
          runAsUser: 1000,
          runAsGroup: 2000,
        }),
      ]),
    );
    const expected = 'hello there /srv/app 1000:2000 / env';
    assert.equal((await sh(pod, 'main', 'echo "$GREETING $(pwd) $(id -u):$(id -g) $HOME $HOSTNAME"')).trim(), expected);
    assert.equal((await sh(pod, 'main', 'cat /dev/shm/main')).trim(), expected);
    assert.equal((await sh(pod, 'main', 'env | grep -c ^PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin$')).trim(), '1');
    await pod.stop();
  });

  test('id with and without a passwd entry, and HOME from it (runc rules)', async () => {
    const pod = await runtime.startPod(
      podSpec('ids', [
        container('root', 'busybox'),
        container('nobody', 'busybox', { runAsUser: 65534 }),
        container('unknown', 'busybox', { runAsUser: 4242 }),
        container('debian', 'debian', { runAsUser: 65534 }),
      ]),
    );
    assert.equal((await sh(pod, 'root', 'id; echo $HOME')).trim(), 'uid=0(root) gid=0(root) groups=0(root)\n/root');
    assert.equal((await sh(pod, 'nobody', 'id; echo $HOME')).trim(), 'uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n/home');
    assert.equal((await sh(pod, 'unknown', 'id; echo $HOME')).trim(), 'uid=4242 gid=0(root) groups=0(root)\n/');
    assert.equal((await sh(pod, 'debian', 'id -un; echo $HOME')).trim(), 'nobody\n/nonexistent');
    await pod.stop();
  });

  test('readOnlyRootFilesystem: / is read-only, /tmp and volumes are not', async () => {
    const pod = await runtime.startPod(
      podSpec(
        'ro',
        [container('main', 'busybox', { readOnlyRootFilesystem: true, runAsUser: 1000, volumeMounts: [{ name: 'data', mountPath: '/data' }] })],
        { volumes: [{ name: 'data', emptyDir: {} }] },
      ),
    );
    const root = await run(pod, 'main', ['sh', '-c', 'touch /x']);
    assert.match(root.stderr, /Read-only file system/);
    await sh(pod, 'main', 'touch /tmp/x /data/x /dev/shm/x');
    await pod.stop();
  });

  test('readOnlyTmp with a read-only root leaves only volumes and /dev/shm writable', async () => {
    const pod = await runtime.startPod(
      podSpec(
        'rotmp',
        [container('main', 'busybox', { readOnlyRootFilesystem: true, readOnlyTmp: true, volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }] })],
        { volumes: [{ name: 'scratch', emptyDir: {} }] },
      ),
    );
    for (const path of ['/x', '/tmp/x', '/var/x', '/root/x']) {
      assert.match((await run(pod, 'main', ['touch', path])).stderr, /Read-only file system/, path);
    }
    await sh(pod, 'main', 'touch /scratch/x /dev/shm/x');
    await pod.stop();
  });

  test('noexecTmp: programs cannot run from /tmp; without it they can', async () => {
    const pod = await runtime.startPod(podSpec('noexec', [container('noexec', 'busybox', { noexecTmp: true }), container('exec', 'busybox')]));
    const script = 'printf "#!/bin/sh\\necho ran\\n" > /tmp/s && chmod +x /tmp/s';
    assert.equal(await sh(pod, 'exec', `${script} && /tmp/s`), 'ran\n');
    await sh(pod, 'noexec', script);
    assert.deepEqual((await run(pod, 'noexec', ['/tmp/s'])).result, {
      started: false,
      exitCode: 126,
      message: 'exec: "/tmp/s": permission denied',
    });
    assert.match(await sh(pod, 'noexec', 'grep " /tmp " /proc/mounts'), /\bnoexec\b/);
    await pod.stop();
  });

  test('emptyDir volumes are shared between containers; medium Memory is a tmpfs; readOnly mounts are', async () => {
    const pod = await runtime.startPod(
      podSpec(
        'volumes',
        [
          container('writer', 'busybox', {
            runAsUser: 1000,
            volumeMounts: [
              { name: 'disk', mountPath: '/disk' },
              { name: 'memory', mountPath: '/memory' },
            ],
          }),
          container('reader', 'debian', {
            volumeMounts: [
              { name: 'disk', mountPath: '/mnt/disk', readOnly: true },
              { name: 'memory', mountPath: '/mnt/memory' },
            ],
          }),
        ],
        { volumes: [{ name: 'disk', emptyDir: {} }, { name: 'memory', emptyDir: { medium: 'Memory' } }] },
      ),
    );
    await sh(pod, 'writer', 'echo on-disk > /disk/f && echo in-memory > /memory/f');
    assert.equal(await sh(pod, 'reader', 'cat /mnt/disk/f /mnt/memory/f'), 'on-disk\nin-memory\n');
    const mounts = await sh(pod, 'reader', 'cat /proc/mounts');
    assert.match(mounts, /^tmpfs \/mnt\/memory tmpfs rw/m);
    assert.match(mounts, /^\S+ \/mnt\/disk (?!tmpfs)\S+ ro,/m);
    assert.match((await run(pod, 'reader', ['touch', '/mnt/disk/g'])).stderr, /Read-only file system/);
    await pod.stop();
  });

  test('the end of a main process is reported: exit code, reason, finishedAt', async () => {
    const pod = await runtime.startPod(podSpec('exits', [container('done', 'busybox', { command: ['sh', '-c', 'until [ -e /tmp/go ]; do sleep 0.05; done; exit 3'] }), container('stays', 'busybox')]));
    const changes: ContainerState[][] = [];
    pod.onStateChange(() => changes.push(pod.containerStates()));
    await sh(pod, 'done', 'touch /tmp/go');
    await waitFor('the container to exit', () => pod.containerStates()[0]?.running === false);
    const [done, stays] = pod.containerStates();
    assert.equal(done?.exitCode, 3);
    assert.equal(done?.reason, 'Error');
    assert.ok(done?.finishedAt instanceof Date);
    assert.equal(stays?.running, true);
    assert.ok(changes.length >= 1);
    assert.throws(() => pod.exec({ container: 'done', command: ['true'], stdin: false, tty: false }), /container "done" in pod test\/exits is not running/);
    assert.throws(() => pod.exec({ container: 'nope', command: ['true'], stdin: false, tty: false }), /container "nope" not found in pod test\/exits/);
    await pod.stop();
  });

  test('a main process that cannot start is a StartError, like kubelet reports it', async () => {
    const pod = await runtime.startPod(podSpec('starterror', [container('main', 'busybox', { command: ['no-such-program'] })]));
    const [state] = pod.containerStates();
    assert.equal(state?.running, false);
    assert.equal(state?.exitCode, 128);
    assert.equal(state?.reason, 'StartError');
    assert.equal(state?.message, 'unable to start container process: exec: "no-such-program": executable file not found in $PATH');
    await pod.stop();
  });
});

function connectHost(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve();
    });
    socket.on('error', reject);
  });
}
