// Execs as kubelet runs them: in the container, binary-safe, with real terminals, and owned by
// the pod.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { PodHandle } from './types.ts';
import { container, hostSleepers, marker, podSpec, run, sh, skipReason, testRuntime, waitFor } from './testing.ts';

describe('exec', { skip: skipReason }, () => {
  let runtime: Awaited<ReturnType<typeof testRuntime>>;
  let pod: PodHandle;

  before(async () => {
    runtime = await testRuntime();
    pod = await runtime.startPod(podSpec('exec', [container('debian', 'debian'), container('busybox', 'busybox', { runAsUser: 1000 })]));
  });
  after(() => runtime?.close());

  test('a command that is not found does not start: 127 and runc\'s message', async () => {
    assert.deepEqual((await run(pod, 'busybox', ['no-such-command', 'x'])).result, {
      started: false,
      exitCode: 127,
      message: 'exec: "no-such-command": executable file not found in $PATH',
    });
    assert.deepEqual((await run(pod, 'busybox', ['/no/such/file'])).result, {
      started: false,
      exitCode: 127,
      message: 'exec: "/no/such/file": stat /no/such/file: no such file or directory',
    });
  });

  test('a file that is not executable does not start: 126 and permission denied', async () => {
    assert.deepEqual((await run(pod, 'busybox', ['/etc/passwd'])).result, {
      started: false,
      exitCode: 126,
      message: 'exec: "/etc/passwd": permission denied',
    });
  });

  test('exit codes, stdout and stderr are the command\'s own', async () => {
    const out = await run(pod, 'busybox', ['sh', '-c', 'echo out; echo err >&2; exit 42']);
    assert.deepEqual(out, { stdout: 'out\n', stderr: 'err\n', result: { started: true, exitCode: 42 } });
    assert.deepEqual((await run(pod, 'busybox', ['sh', '-c', 'kill -TERM $$'])).result, { started: true, exitCode: 143 });
  });

  test('100 MiB of stdin arrive intact (sha256), with backpressure', async (t) => {
    const data = randomBytes(100 << 20);
    const started = performance.now();
    const { stdout, result } = await run(pod, 'debian', ['sha256sum'], data);
    const seconds = (performance.now() - started) / 1000;
    assert.deepEqual(result, { started: true, exitCode: 0 });
    assert.equal(stdout.split(' ')[0], createHash('sha256').update(data).digest('hex'));
    t.diagnostic(`100 MiB stdin -> sha256sum: ${(100 / seconds).toFixed(0)} MiB/s`);
  });

  test('stdout is binary-safe', async () => {
    const data = randomBytes(1 << 20);
    const exec = pod.exec({ container: 'busybox', command: ['cat'], stdin: true, tty: false });
    const chunks: Buffer[] = [];
    exec.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    exec.stdin?.end(data);
    assert.deepEqual(await exec.done, { started: true, exitCode: 0 });
    assert.ok(Buffer.concat(chunks).equals(data));
  });

  test('a tty exec gets a real terminal in the container, sized by resize()', async () => {
    const exec = pod.exec({ container: 'busybox', command: ['sh', '-c', 'tty; read x; stty size; echo "$TERM"; stat -c %u "$(tty)"; echo err >&2'], stdin: true, tty: true });
    assert.equal(exec.stderr, null);
    let output = '';
    exec.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exec.resize(132, 43);
    exec.stdin?.write('go\n');
    assert.deepEqual(await exec.done, { started: true, exitCode: 0 });
    const lines = output.split('\r\n');
    assert.match(lines.find((l) => l.startsWith('/dev/')) ?? '', /^\/dev\/pts\/\d+$/);
    assert.ok(lines.includes('43 132'), output);
    assert.ok(lines.includes('xterm'), output);
    assert.ok(lines.includes('1000'), output); // the terminal belongs to the exec's user
    assert.ok(lines.includes('err'), output); // stderr merged into the terminal
  });

  test('a tty exec starts at 80x24 when no resize has come (busybox stty size needs a size)', async () => {
    for (const name of ['busybox', 'debian']) {
      const exec = pod.exec({ container: name, command: ['stty', 'size'], stdin: true, tty: true });
      let output = '';
      exec.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      assert.deepEqual(await exec.done, { started: true, exitCode: 0 }, output);
      assert.equal(output, '24 80\r\n', name);
    }
  });

  test('kill() kills the exec\'s process tree', async () => {
    const mark = marker();
    const exec = pod.exec({ container: 'busybox', command: ['sh', '-c', `sleep ${mark} & echo started; wait`], stdin: false, tty: false });
    exec.stderr?.resume();
    await new Promise<void>((resolve) => exec.stdout.once('data', () => resolve()));
    // The shell may print before its forked child has become `sleep`.
    await waitFor('the background sleep', () => hostSleepers(mark).length === 1);
    exec.kill();
    assert.deepEqual(await exec.done, { started: true, exitCode: 137 });
    await waitFor('the background sleep to die', () => hostSleepers(mark).length === 0);
  });

  test('what an exec leaves in the background outlives the exec and dies with the pod', async () => {
    const own = await runtime.startPod(podSpec('daemon', [container('main', 'busybox')]));
    const daemon = marker();
    const background = marker();
    const terminal = marker();
    // Double fork + setsid, like sshd.
    await sh(own, 'main', `setsid sh -c 'sleep ${daemon} </dev/null >/dev/null 2>&1 &'`);
    // A plain background job: runc ends an exec without touching its other processes.
    assert.equal(await sh(own, 'main', `sleep ${background} >/dev/null 2>&1 &`), '');
    // On a terminal, as with runc, the kernel hangs up the foreground process group when the
    // command (the session leader) exits: a job ignoring SIGHUP survives.
    const tty = own.exec({ container: 'main', command: ['sh', '-c', `trap '' HUP; sleep ${terminal} >/dev/null 2>&1 &`], stdin: true, tty: true });
    tty.stdout.resume();
    assert.deepEqual(await tty.done, { started: true, exitCode: 0 });
    // Forked children become `sleep` on their own time.
    await waitFor('all three sleeps', () => [daemon, background, terminal].every((m) => hostSleepers(m).length === 1));
    // One more exec round trip: nothing killed them in the meantime either.
    await sh(own, 'main', 'true');
    assert.equal(hostSleepers(background).length, 1);
    assert.equal(hostSleepers(terminal).length, 1);
    await own.stop();
    assert.deepEqual([...hostSleepers(daemon), ...hostSleepers(background), ...hostSleepers(terminal)], []);
  });

  test('a background job on a terminal gets SIGHUP when the command exits, as with runc', async () => {
    const mark = marker();
    const exec = pod.exec({ container: 'busybox', command: ['sh', '-c', `sleep ${mark} >/dev/null 2>&1 & echo started`], stdin: true, tty: true });
    exec.stdout.resume();
    assert.deepEqual(await exec.done, { started: true, exitCode: 0 });
    await waitFor('the hung-up sleep to die', () => hostSleepers(mark).length === 0);
  });

  test('a working directory the user may not enter fails like runc, for the main process and execs', async () => {
    const own = await runtime.startPod(
      podSpec(
        'cwd',
        [
          container('root-home', 'busybox', { runAsUser: 1000, workingDir: '/root' }),
          container('user', 'busybox', { runAsUser: 1000, workingDir: '/shared', volumeMounts: [{ name: 'shared', mountPath: '/shared' }] }),
          container('admin', 'busybox', { volumeMounts: [{ name: 'shared', mountPath: '/shared' }] }),
        ],
        { volumes: [{ name: 'shared', emptyDir: {} }] },
      ),
    );
    const message = 'chdir to cwd ("/root") set in config.json failed: permission denied';
    assert.equal(own.containerStates()[0]?.message, `unable to start container process: ${message}`);
    assert.equal(await sh(own, 'user', 'pwd'), '/shared\n');
    await sh(own, 'admin', 'chmod 700 /shared');
    assert.deepEqual((await run(own, 'user', ['pwd'])).result, {
      started: false,
      exitCode: 126,
      message: 'chdir to cwd ("/shared") set in config.json failed: permission denied',
    });
    await own.stop();
  });

  test('exec needs a running container and a command', () => {
    assert.throws(() => pod.exec({ container: 'debian', command: [], stdin: false, tty: false }), /exec needs a command/);
  });

  test('many execs in a row', async () => {
    for (let i = 0; i < 20; i++) assert.equal(await sh(pod, 'busybox', `echo ${i}`), `${i}\n`);
  });
});
