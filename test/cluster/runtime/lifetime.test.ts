// Nothing of a pod outlives it: not after stop(), not after shutdown(), not after the runtime
// itself is SIGKILLed (with cgroups, and with the fallback without them).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { processStartTime } from './lifetime/ownership.ts';
import { createRuntime } from './runtime.ts';
import { container, hostSleepers, marker, mountsUnder, podSpec, serverScript, sh, skipReason, testRuntime, testStateDir, waitFor, waitForListener } from './testing.ts';

const crashChild = new URL('fixtures/crash-child.ts', import.meta.url).pathname;

describe('lifetime', { skip: skipReason }, () => {
  test('shutdown leaves no process, cgroup, mount or file behind, and is idempotent', async () => {
    const runtime = await testRuntime();
    const mark = marker();
    const pod = await runtime.startPod(
      podSpec('leftovers', [container('main', 'busybox', { command: ['sleep', mark] }), container('server', 'debian', { command: ['python3', '-c', serverScript, 'echo', '7000'] })], {
        volumes: [{ name: 'mem', emptyDir: { medium: 'Memory' } }],
      }),
    );
    await sh(pod, 'main', `setsid sh -c 'sleep ${mark} </dev/null >/dev/null 2>&1 &'`);
    await waitForListener(pod, 7000, 'the echo server');
    const open = await pod.connect(7000);
    open.on('error', () => undefined).resume();
    const cgroupDir = runtime.cgroupDir;
    assert.ok(cgroupDir && existsSync(cgroupDir), 'this host has cgroup2: the runtime must use it');
    assert.equal(hostSleepers(mark).length, 2);

    await Promise.all([runtime.shutdown(), runtime.shutdown(), pod.stop()]);
    await pod.stop();
    assert.deepEqual(hostSleepers(mark), []);
    assert.equal(existsSync(cgroupDir), false);
    assert.deepEqual(mountsUnder(runtime.stateDir), []);
    assert.deepEqual(await readdir(runtime.stateDir), []);
    await assert.rejects(runtime.startPod(podSpec('late', [container('main', 'busybox')])), /shut down/);
    await runtime.close();
  });

  test('a state directory in use by a live runtime is refused', async () => {
    const runtime = await testRuntime();
    const other = spawn(process.execPath, ['--import', 'tsx', crashChild, runtime.stateDir, 'true', marker()], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    other.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exitCode = await new Promise((resolve) => other.once('exit', resolve));
    assert.notEqual(exitCode, 0);
    assert.match(stderr, new RegExp(`state directory ${runtime.stateDir} is in use by process ${process.pid}; stop that cluster or give this one another state directory`));
    await runtime.close();
  });

  for (const cgroups of [true, false]) {
    test(`after a SIGKILL of the runtime, its pods die and the next start cleans up (cgroups: ${cgroups})`, async (t) => {
      const stateDir = await testStateDir();
      const mark = marker();
      const child = spawn(process.execPath, ['--import', 'tsx', crashChild, stateDir, String(cgroups), mark], { stdio: ['ignore', 'pipe', 'inherit'] });
      t.after(async () => {
        child.kill('SIGKILL'); // when the test failed before it did
        await (await createRuntime({ stateDir, cgroups })).shutdown();
        await rm(stateDir, { recursive: true, force: true });
      });
      const [cgroupDir, podUid] = (await readyLine(child)).split(' ').slice(1) as [string, string];
      assert.equal(hostSleepers(mark).length, 2);

      const childExit = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await childExit;
      // The parent-death chain takes everything down without anyone's help...
      await waitFor('the pod processes to die with the runtime', () => hostSleepers(mark).length === 0);

      // ...and a process it missed (simulated) is found by the next start: in the pod's cgroup,
      // or, without cgroups, in the pod's pid record.
      const survivor = spawn('sh', ['-c', cgroups ? `echo $$ > ${cgroupDir}/${podUid}/cgroup.procs; exec sleep ${mark}` : `exec sleep ${mark}`], { stdio: 'ignore' });
      const survivorExit = new Promise<NodeJS.Signals | null>((resolve) => survivor.once('exit', (_code, signal) => resolve(signal)));
      await waitFor('the survivor', () => hostSleepers(mark).length === 1);
      if (!cgroups) await appendFile(join(stateDir, 'pods', podUid, 'pids'), `${survivor.pid} ${await processStartTime(survivor.pid!)}\n`);

      const runtime = await createRuntime({ stateDir, cgroups });
      assert.equal(await survivorExit, 'SIGKILL');
      assert.deepEqual(await readdir(join(stateDir, 'pods')), []);
      if (cgroups) assert.equal(existsSync(join(cgroupDir, podUid)), false);
      assert.deepEqual(mountsUnder(stateDir), []);
      await runtime.shutdown();
    });
  }

  test('without cgroups, stopping a pod still kills what its execs started', async () => {
    const runtime = await testRuntime({ cgroups: false });
    assert.equal(runtime.cgroupDir, undefined);
    const mark = marker();
    const pod = await runtime.startPod(podSpec('nocgroup', [container('main', 'busybox')]));
    await sh(pod, 'main', `setsid sh -c 'sleep ${mark} </dev/null >/dev/null 2>&1 &'`);
    await sh(pod, 'main', `sleep ${mark} >/dev/null 2>&1 &`); // a plain background job too
    await waitFor('the daemon', () => hostSleepers(mark).length === 2);
    await pod.stop();
    await waitFor('the daemon and the job to die with their PID namespace', () => hostSleepers(mark).length === 0);
    await runtime.close();
  });
});

async function readyLine(child: ChildProcess): Promise<string> {
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) if (line.startsWith('ready ')) return line;
  throw new Error('the crash child exited before it was ready');
}
