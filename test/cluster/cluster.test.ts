// The cluster as a whole: every image runs as a real container, the pod spec reaches the
// container (env, user, working directory), stop leaves nothing behind, a crashed run is
// cleaned up by the next one, and the CLI starts and stops as documented.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot, startCluster } from './index.ts';
import type { Cluster } from './index.ts';
import type { Pod } from './api/types.ts';
import { clusterSkipReason, execWithClientNode } from './compat/helpers.ts';
import { startClusterProcess } from './compat/cluster-process.ts';

const skip = clusterSkipReason();

const pod = (name: string, image: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'main', image, command: ['sleep', '3600'], ...extra }] },
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function sandboxPid(netnsPath: string): number {
  return Number(/^\/proc\/(\d+)\/ns\/net$/.exec(netnsPath)?.[1]);
}

describe('the test cluster', { skip, timeout: 300_000 }, () => {
  let cluster: Cluster;

  before(async () => {
    cluster = await startCluster();
  });

  after(async () => {
    await cluster?.stop();
  });

  test('every image runs; arm64 is aarch64; distroless has no shell', async () => {
    await cluster.apply(
      [
        pod('img-debian', 'debian'),
        pod('img-busybox', 'docker.io/library/busybox:1.36'),
        pod('img-minimal', 'minimal'),
        pod('img-arm64', 'arm64'),
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'img-distroless' }, spec: { containers: [{ name: 'main', image: 'gcr.io/example/distroless:nonroot' }] } },
      ],
      { wait: true, timeoutMs: 180_000 },
    );
    const machine = async (name: string) => (await execWithClientNode(cluster.kubeconfigPath, 'default', name, 'main', ['uname', '-m'])).stdout.trim();
    assert.equal(await machine('img-debian'), 'x86_64');
    assert.equal(await machine('img-busybox'), 'x86_64');
    assert.equal(await machine('img-minimal'), 'x86_64');
    assert.equal(await machine('img-arm64'), 'aarch64');
    const shell = await execWithClientNode(cluster.kubeconfigPath, 'default', 'img-distroless', 'main', ['sh', '-c', 'true']);
    assert.equal(shell.exitCode, 127);
    assert.match(shell.stderr, /exec: "sh": executable file not found in \$PATH/);
  });

  test('the pod spec reaches the container: env (downward API, service links), user, working directory', async () => {
    await cluster.apply(
      pod('spec', 'busybox', {
        workingDir: '/tmp',
        securityContext: { runAsUser: 1234, runAsGroup: 2345 },
        env: [
          { name: 'GREETING', value: 'hello' },
          { name: 'MY_POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'MY_NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          { name: 'MY_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'MY_NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        ],
      }),
      { wait: true },
    );
    const r = await execWithClientNode(cluster.kubeconfigPath, 'default', 'spec', 'main', ['sh', '-c', 'echo $GREETING $MY_POD $MY_NS $MY_IP $MY_NODE $HOSTNAME $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT; id -u; id -g; pwd']);
    const ip = (cluster.get('pods', 'default', 'spec')?.status as { podIP?: string }).podIP;
    assert.equal(r.stdout, `hello spec default ${ip} sshpod-test-node spec 10.96.0.1:443\n1234\n2345\n/tmp\n`);
  });

  test('an unknown image leaves the pod Pending with ErrImagePull', async () => {
    await cluster.apply(pod('nope', 'nginx:1.27'));
    const stuck = await cluster.waitForPod('default', 'nope', (p) => p?.status?.containerStatuses?.[0]?.state.waiting?.reason === 'ErrImagePull');
    assert.equal(stuck?.status?.phase, 'Pending');
    assert.match(stuck?.status?.containerStatuses?.[0]?.state.waiting?.message ?? '', /Failed to pull image "nginx:1.27"/);
    await assert.rejects(cluster.waitForPod('default', 'nope', 'Ready'), /cannot become Ready: Pending, main: ErrImagePull/);
    await cluster.delete('pods', 'default', 'nope', { wait: true });
  });

  test("events say what scheduler and kubelet did; a nodeSelector the node does not match leaves the pod Unschedulable", async () => {
    const events = (name: string): Array<{ reason?: string; type?: string; message?: string }> => {
      const uid = cluster.get('pods', 'default', name)?.metadata.uid;
      return cluster.list('events', 'default').filter((e) => (e as { involvedObject?: { uid?: string } }).involvedObject?.uid === uid) as Array<{ reason?: string }>;
    };
    await cluster.apply(pod('fine', 'busybox'), { wait: true });
    await cluster.waitForPod('default', 'fine', 'Running');
    // Listed by name, which is random: compared as sets.
    assert.deepEqual(events('fine').map((e) => e.reason).sort(), ['Created', 'Pulled', 'Scheduled', 'Started']);
    await cluster.apply(pod('pulled', 'nginx:1.27'));
    await cluster.waitForPod('default', 'pulled', (p) => p?.status?.containerStatuses?.[0]?.state.waiting?.reason === 'ErrImagePull');
    assert.deepEqual(events('pulled').map((e) => `${e.type} ${e.reason}`).sort(), ['Normal Pulling', 'Normal Scheduled', 'Warning Failed', 'Warning Failed']);
    await cluster.apply({ ...pod('nowhere', 'busybox'), spec: { nodeSelector: { pool: 'gpu' }, containers: [{ name: 'main', image: 'busybox' }] } });
    const pending = await cluster.waitForPod('default', 'nowhere', (p) => p?.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False') === true);
    assert.equal(pending?.spec.nodeName, undefined);
    assert.equal(pending?.status?.conditions?.find((c) => c.type === 'PodScheduled')?.reason, 'Unschedulable');
    assert.deepEqual(events('nowhere').map((e) => e.reason), ['FailedScheduling']);
    for (const name of ['fine', 'pulled', 'nowhere']) await cluster.delete('pods', 'default', name, { wait: true });
  });

  test('a DaemonSet runs one pod on the node; apply waits for it; deleting the set removes it', async () => {
    const daemonSet = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent' },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }] } } },
    };
    await cluster.apply(daemonSet, { wait: true });
    const pods = cluster.list('pods', 'default', 'app=agent') as Pod[];
    assert.equal(pods.length, 1);
    const [agent] = pods;
    assert.equal(agent?.spec.nodeName, 'sshpod-test-node');
    const r = await execWithClientNode(cluster.kubeconfigPath, 'default', agent?.metadata.name ?? '', 'main', ['hostname']);
    assert.equal(r.stdout, `${agent?.metadata.name}\n`);
    const status = cluster.get('daemonsets', 'default', 'agent')?.status as Record<string, number>;
    assert.deepEqual([status.desiredNumberScheduled, status.numberReady, status.numberAvailable], [1, 1, 1]);
    await cluster.delete('daemonsets', 'default', 'agent', { wait: true });
    await cluster.waitForPod('default', agent?.metadata.name ?? '', 'Deleted');
  });

  test('deleting a pod kills its processes, including daemons an exec started', async () => {
    await cluster.apply(pod('doomed', 'busybox'), { wait: true });
    await execWithClientNode(cluster.kubeconfigPath, 'default', 'doomed', 'main', ['sh', '-c', 'setsid sleep 1000 >/dev/null 2>&1 &']);
    const sandbox = sandboxPid(cluster.podNetnsPath('default', 'doomed'));
    assert.ok(alive(sandbox));
    await cluster.delete('pods', 'default', 'doomed', { wait: true });
    assert.equal(alive(sandbox), false);
  });
});

describe('stopping and crashing', { skip, timeout: 300_000 }, () => {
  test('stop() leaves no process, mount or state directory behind', async () => {
    const cluster = await startCluster({ objects: [pod('a', 'busybox'), pod('b', 'debian')] });
    const pids = ['a', 'b'].map((name) => sandboxPid(cluster.podNetnsPath('default', name)));
    await execWithClientNode(cluster.kubeconfigPath, 'default', 'a', 'main', ['sh', '-c', 'setsid sleep 1000 >/dev/null 2>&1 &']);
    const stateDir = cluster.stateDir;
    await cluster.stop();
    for (const pid of pids) assert.equal(alive(pid), false, `sandbox ${pid} still runs`);
    assert.equal(existsSync(stateDir), false);
    assert.equal(readFileSync('/proc/self/mountinfo', 'utf8').includes(stateDir), false);
  });

  test('a run killed with SIGKILL is cleaned up by the next start', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sshpod-crash-'));
    const script = join(dir, 'crash.mts');
    await writeFile(
      script,
      `import { startCluster } from ${JSON.stringify(join(repoRoot, 'test/cluster/index.ts'))};\n` +
        `const c = await startCluster({ objects: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'victim' }, spec: { containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }] } }] });\n` +
        `process.stdout.write(JSON.stringify({ stateDir: c.stateDir, netns: c.podNetnsPath('default', 'victim') }) + '\\n');\n` +
        `setInterval(() => {}, 1000);\n`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    const info = await new Promise<{ stateDir: string; netns: string }>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) resolve(JSON.parse(out) as { stateDir: string; netns: string });
      });
      child.once('exit', (code) => reject(new Error(`the crashing cluster exited early (${code})`)));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    assert.ok(existsSync(info.stateDir), 'the killed run left its state directory');
    const next = await startCluster();
    try {
      assert.equal(existsSync(info.stateDir), false, 'the next start removed the stale state directory');
      const sandbox = sandboxPid(info.netns);
      for (let i = 0; i < 50 && alive(sandbox); i++) await sleep(100);
      assert.equal(alive(sandbox), false, 'the killed run left a container process');
    } finally {
      await next.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('npm run cluster: kubeconfig once ready, manifests applied, SIGTERM stops cleanly', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sshpod-cli-'));
    const manifest = join(dir, 'app.yaml');
    await writeFile(manifest, 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: from-manifest\nspec:\n  containers:\n  - name: main\n    image: busybox\n    command: [sleep, "3600"]\n');
    const runsBefore = new Set(await readdir(join(repoRoot, '.cache/cluster/runs')).catch(() => []));
    const proc = await startClusterProcess(dir, [manifest]);
    try {
      const r = await execWithClientNode(proc.kubeconfig, 'default', 'from-manifest', 'main', ['hostname']);
      assert.equal(r.stdout, 'from-manifest\n');
      assert.match(proc.output(), /cluster: ready in [\d.]+ s: https:\/\/127\.0\.0\.1:\d+/);
    } finally {
      assert.equal(await proc.stop(), 0, proc.output());
      await rm(dir, { recursive: true, force: true });
    }
    assert.equal(existsSync(proc.kubeconfig), false);
    const runsAfter = (await readdir(join(repoRoot, '.cache/cluster/runs')).catch(() => [])).filter((d) => !runsBefore.has(d));
    assert.deepEqual(runsAfter, [], 'the run directory is gone');
  });
});
