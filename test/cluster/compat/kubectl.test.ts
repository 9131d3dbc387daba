// The real kubectl against the test cluster: what users and sshpod's docs do on real clusters
// must behave the same here (output, exit codes, error messages).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startCluster } from '../index.ts';
import type { Cluster } from '../index.ts';
import { kubectl as runKubectl, kubectlSkipReason, transferBothWays, transferServerPod } from './helpers.ts';
import { waitFor } from '../testing.ts';

const skip = kubectlSkipReason();

/** Polls until a condition holds (something the cluster does in the background), or fails. */
function deployment(image: string): string {
  return stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image, command: ['sleep', '3600'] }] } },
    },
  });
}

describe('kubectl against the test cluster', { skip, timeout: 300_000 }, () => {
  let cluster: Cluster;
  let dir: string;
  let kubeconfig: string;
  const k = (args: string[], options: { input?: Buffer | string; env?: Record<string, string> } = {}) => runKubectl(kubeconfig, join(dir, 'cache'), args, options);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sshpod-kubectl-'));
    cluster = await startCluster();
    kubeconfig = await cluster.writeKubeconfig(join(dir, 'kubeconfig'), {
      contexts: [
        { name: 'admin', user: 'admin', namespace: 'default' },
        { name: 'dev', user: 'dev' },
        { name: 'arn:aws:eks:eu-west-1:123456789012:cluster/prod', user: 'admin', namespace: 'kube-system' },
      ],
      currentContext: 'admin',
    });
  });

  after(async () => {
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('get pods -A: empty, then the usual columns', async () => {
    const empty = await k(['get', 'pods', '-A']);
    assert.equal(empty.code, 0);
    assert.equal(empty.stderr.trim(), 'No resources found');
    await cluster.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bb' }, spec: { containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }] } }, { wait: true });
    const listed = await k(['get', 'pods', '-A']);
    assert.equal(listed.code, 0, listed.stderr);
    const [header, row] = listed.stdout.trim().split('\n');
    assert.match(header ?? '', /^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    assert.match(row ?? '', /^default\s+bb\s+1\/1\s+Running\s+0\s+\d+s$/);
    const wide = await k(['get', 'pod', 'bb', '-o', 'wide']);
    assert.match(wide.stdout, /bb\s+1\/1\s+Running\s+0\s+\S+\s+10\.244\.\d+\.\d+\s+sshpod-test-node/);
  });

  test('apply -f twice, then a change; rollout status, scale, label', async () => {
    const file = join(dir, 'deploy.yaml');
    await writeFile(file, deployment('busybox:1.36'));
    assert.equal((await k(['apply', '-f', file])).stdout.trim(), 'deployment.apps/web created');
    assert.equal((await k(['apply', '-f', file])).stdout.trim(), 'deployment.apps/web unchanged');
    const rolled = await k(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    assert.equal(rolled.code, 0, rolled.stderr);
    assert.match(rolled.stdout, /deployment "web" successfully rolled out/);

    await writeFile(file, deployment('docker.io/library/busybox:1.37'));
    assert.equal((await k(['apply', '-f', file])).stdout.trim(), 'deployment.apps/web configured');
    assert.equal((await k(['rollout', 'status', 'deployment/web', '--timeout=60s'])).code, 0);
    const rs = await k(['get', 'rs', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.spec.replicas}{" "}{end}']);
    assert.deepEqual(rs.stdout.trim().split(' ').sort(), ['0', '2']);

    assert.equal((await k(['scale', 'deployment/web', '--replicas=3'])).stdout.trim(), 'deployment.apps/web scaled');
    assert.equal((await k(['rollout', 'status', 'deployment/web', '--timeout=60s'])).code, 0);
    const ready = await k(['get', 'deployment', 'web', '-o', 'jsonpath={.status.readyReplicas}/{.spec.replicas}']);
    assert.equal(ready.stdout, '3/3');

    assert.equal((await k(['label', 'deployment', 'web', 'tier=front'])).stdout.trim(), 'deployment.apps/web labeled');
    const byLabel = await k(['get', 'deployments', '-l', 'tier=front', '-o', 'name']);
    assert.equal(byLabel.stdout.trim(), 'deployment.apps/web');
    assert.equal((await k(['delete', 'deployment', 'web', '--wait'])).code, 0);
    assert.equal((await k(['get', 'pods', '-l', 'app=web', '-o', 'name'])).stdout.trim(), '');
  });

  test('a DaemonSet: apply -f, rollout status, get ds, an update replaces its pod, delete removes it', async () => {
    const file = join(dir, 'daemonset.yaml');
    const daemonSet = (image: string): string =>
      stringify({
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'agent' },
        spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image, command: ['sleep', '3600'] }] } } },
      });
    await writeFile(file, daemonSet('busybox:1.36'));
    assert.equal((await k(['apply', '-f', file])).stdout.trim(), 'daemonset.apps/agent created');
    assert.equal((await k(['apply', '-f', file])).stdout.trim(), 'daemonset.apps/agent unchanged');
    const rolled = await k(['rollout', 'status', 'ds/agent', '--timeout=60s']);
    assert.equal(rolled.code, 0, rolled.stderr);
    assert.match(rolled.stdout, /daemon set "agent" successfully rolled out/);
    const listed = await k(['get', 'ds']);
    const [header, row] = listed.stdout.trim().split('\n');
    assert.match(header ?? '', /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE$/);
    assert.match(row ?? '', /^agent\s+1\s+1\s+1\s+1\s+1\s+<none>\s+\d+s$/);
    const pod = await k(['get', 'pods', '-l', 'app=agent', '-o', 'jsonpath={.items[0].metadata.name} {.items[0].spec.nodeName} {.items[0].metadata.ownerReferences[0].kind}/{.items[0].metadata.ownerReferences[0].name} {.items[0].metadata.labels.pod-template-generation}']);
    assert.match(pod.stdout, /^agent-[a-z0-9]{5} sshpod-test-node DaemonSet\/agent 1$/);
    const first = pod.stdout.split(' ')[0] ?? '';
    assert.equal((await k(['exec', first, '--', 'echo', 'hi'])).stdout, 'hi\n');

    await writeFile(file, daemonSet('busybox:1.37'));
    assert.equal((await k(['apply', '-f', file])).stdout.trim(), 'daemonset.apps/agent configured');
    assert.equal((await k(['rollout', 'status', 'ds/agent', '--timeout=60s'])).code, 0);
    const updated = await k(['get', 'pods', '-l', 'app=agent', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.spec.containers[0].image} {.metadata.labels.pod-template-generation}{"\\n"}{end}']);
    const lines = updated.stdout.trim().split('\n').filter((l) => !l.startsWith(`${first} `));
    assert.equal(lines.length, 1, updated.stdout);
    assert.match(lines[0] ?? '', /^agent-[a-z0-9]{5} busybox:1\.37 2$/);

    assert.equal((await k(['delete', 'ds', 'agent', '--wait'])).code, 0);
    await waitFor('the agent pods to go', async () => (await k(['get', 'pods', '-l', 'app=agent', '-o', 'name'])).stdout.trim() === '', 60_000);
  });

  test('run, create deployment, wait --for=condition=Ready, delete --wait', async () => {
    assert.equal((await k(['run', 'runner', '--image=busybox', '--', 'sleep', '3600'])).stdout.trim(), 'pod/runner created');
    const waited = await k(['wait', '--for=condition=Ready', 'pod/runner', '--timeout=60s']);
    assert.equal(waited.stdout.trim(), 'pod/runner condition met', waited.stderr);
    assert.equal((await k(['create', 'deployment', 'made', '--image=busybox', '--', 'sleep', '3600'])).stdout.trim(), 'deployment.apps/made created');
    assert.equal((await k(['wait', '--for=condition=Available', 'deployment/made', '--timeout=60s'])).code, 0);
    const deleted = await k(['delete', 'pod', 'runner', '--wait']);
    assert.equal(deleted.stdout.trim(), 'pod "runner" deleted');
    const gone = await k(['get', 'pod', 'runner']);
    assert.equal(gone.code, 1);
    assert.equal(gone.stderr.trim(), 'Error from server (NotFound): pods "runner" not found');
    assert.equal((await k(['delete', 'deployment', 'made', '--wait'])).code, 0);
  });

  test('exec -i with binary stdin, exit codes, a missing command', async () => {
    const data = randomBytes(16 * 1024 * 1024);
    const hashed = await k(['exec', '-i', 'bb', '--', 'sh', '-c', 'cat | sha256sum'], { input: data });
    assert.equal(hashed.code, 0, hashed.stderr);
    assert.equal(hashed.stdout.split(' ')[0], createHash('sha256').update(data).digest('hex'));
    const three = await k(['exec', 'bb', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.deepEqual([three.code, three.stdout, three.stderr], [3, 'out\n', 'err\ncommand terminated with exit code 3\n']);
    const missing = await k(['exec', 'bb', '--', 'no-such-command']);
    assert.equal(missing.code, 127);
    assert.match(missing.stderr, /^OCI runtime exec failed: exec failed: unable to start container process: exec: "no-such-command": executable file not found in \$PATH: unknown\r?\ncommand terminated with exit code 127\n$/);
  });

  test('exec and port-forward over plain SPDY, as older clients speak them', async () => {
    const spdy = { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' };
    const data = randomBytes(4 * 1024 * 1024);
    const hashed = await k(['exec', '-i', 'bb', '--', 'sh', '-c', 'cat | sha256sum'], { input: data, env: spdy });
    assert.equal(hashed.stdout.split(' ')[0], createHash('sha256').update(data).digest('hex'), hashed.stderr);
    const four = await k(['exec', 'bb', '--', 'sh', '-c', 'echo err >&2; exit 4'], { env: spdy });
    assert.deepEqual([four.code, four.stderr], [4, 'err\ncommand terminated with exit code 4\n']);
    cluster.clearRequests();
    const missing = await k(['exec', 'bb', '--', 'no-such-command'], { env: spdy });
    assert.equal(missing.code, 127);
    assert.match(missing.stderr, /executable file not found in \$PATH/);
    assert.equal(cluster.requests({ subresource: 'exec' })[0]?.protocol, 'SPDY/3.1+v4.channel.k8s.io');
  });

  test('a background job outlives its exec, over WebSocket and SPDY, as with runc', async () => {
    for (const env of [{ KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'true' }, { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' }]) {
      const mark = String(100_000 + Math.floor(Math.random() * 800_000));
      const started = await k(['exec', 'bb', '--', 'sh', '-c', `sleep ${mark} >/dev/null 2>&1 & echo $!`], { env });
      assert.equal(started.code, 0, started.stderr);
      const pid = started.stdout.trim();
      // Still there once the forked shell has become `sleep` (it may not have yet at first).
      const running = new RegExp(`^\\s*${pid}\\s+sleep ${mark}$`, 'm');
      await waitFor('the background sleep', async () => running.test((await k(['exec', 'bb', '--', 'ps', '-o', 'pid,args'], { env })).stdout), 60_000);
      assert.equal((await k(['exec', 'bb', '--', 'kill', pid])).code, 0);
    }
  });

  test('exec picks the kubectl.kubernetes.io/default-container container', async () => {
    await cluster.apply(
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'two', annotations: { 'kubectl.kubernetes.io/default-container': 'second' } },
        spec: {
          containers: [
            { name: 'first', image: 'busybox', command: ['sleep', '3600'], env: [{ name: 'WHO', value: 'first' }] },
            { name: 'second', image: 'busybox', command: ['sleep', '3600'], env: [{ name: 'WHO', value: 'second' }] },
          ],
        },
      },
      { wait: true },
    );
    assert.equal((await k(['exec', 'two', '--', 'sh', '-c', 'echo $WHO'])).stdout, 'second\n');
    assert.equal((await k(['exec', 'two', '-c', 'first', '--', 'sh', '-c', 'echo $WHO'])).stdout, 'first\n');
  });

  for (const tunnel of [true, false]) {
  test(`port-forward ${tunnel ? 'through the WebSocket tunnel' : 'over plain SPDY'}: a transfer both ways, and a port nothing listens on`, async () => {
    await cluster.apply(transferServerPod('xfer', 7070), { wait: true });
    const forward = spawn('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), 'port-forward', 'pod/xfer', ':7070', ':7071'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBECTL_PORT_FORWARD_WEBSOCKETS: String(tunnel) } });
    try {
      let out = '';
      const ports = await new Promise<number[]>((resolve, reject) => {
        forward.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const found = [...out.matchAll(/Forwarding from 127\.0\.0\.1:(\d+) -> (\d+)/g)].map((m) => Number(m[1]));
          if (found.length === 2) resolve(found);
        });
        forward.once('exit', (code) => reject(new Error(`kubectl port-forward exited with ${code}: ${out}`)));
      });
      const socket = net.connect(ports[0] as number, '127.0.0.1');
      socket.on('error', () => {});
      await new Promise((resolve) => socket.once('connect', resolve));
      assert.deepEqual(await transferBothWays(socket, 8 * 1024 * 1024), { upload: true, download: true });
      socket.destroy();
      let err = '';
      forward.stderr.on('data', (c: Buffer) => (err += c.toString()));
      const refused = net.connect(ports[1] as number, '127.0.0.1');
      refused.on('error', () => {});
      refused.resume();
      const code = await new Promise<number | null>((resolve) => forward.once('exit', resolve));
      assert.equal(code, 1);
      assert.match(err, /an error occurred forwarding \d+ -> 7071: error forwarding port 7071 to pod xfer, uid [0-9a-f-]+: .*connection refused/);
      assert.match(err, /error: lost connection to pod/);
    } finally {
      forward.kill();
    }
  });
  }

  test('401 without valid credentials, 403 from the authorisation table', async () => {
    const badConfig = join(dir, 'bad-kubeconfig');
    await writeFile(badConfig, cluster.kubeconfig().replace(/token: \S+/, 'token: not-a-valid-token'));
    const unauthorized = await runKubectl(badConfig, join(dir, 'cache'), ['get', 'pods']);
    assert.equal(unauthorized.code, 1);
    assert.match(unauthorized.stderr, /error: You must be logged in to the server \(Unauthorized\)/);

    cluster.deny({ user: 'dev', verb: 'create', resource: 'pods/exec', namespace: 'default' });
    const denied = await k(['--context', 'dev', 'exec', '-n', 'default', 'bb', '--', 'true']);
    assert.equal(denied.code, 1);
    assert.equal(denied.stderr.trim(), 'Error from server (Forbidden): pods "bb" is forbidden: User "dev" cannot create resource "pods/exec" in API group "" in the namespace "default"');
    assert.equal((await k(['--context', 'admin', 'exec', 'bb', '--', 'true'])).code, 0);
    const canI = await k(['--context', 'dev', 'auth', 'can-i', 'create', 'pods', '--subresource=exec', '-n', 'default']);
    assert.equal(canI.stdout.trim(), 'no');
    cluster.allow({ user: 'dev', resource: 'pods/exec', namespace: 'default' });
    assert.equal((await k(['--context', 'dev', 'exec', '-n', 'default', 'bb', '--', 'true'])).code, 0);
    cluster.resetAccess();
  });

  test('contexts with odd names and a namespace, as sshpod users have them', async () => {
    const r = await k(['--context', 'arn:aws:eks:eu-west-1:123456789012:cluster/prod', 'get', 'serviceaccounts', '-o', 'name']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'serviceaccount/default');
  });

  test('the request log records exec with its upgrade protocol', async () => {
    cluster.clearRequests();
    assert.equal((await k(['exec', 'bb', '--', 'true'])).code, 0);
    const execs = cluster.requests({ subresource: 'exec' });
    assert.equal(execs.length, 1);
    assert.deepEqual((({ verb, resource, namespace, name, user, protocol, code }) => ({ verb, resource, namespace, name, user, protocol, code }))(execs[0] as never), {
      verb: 'get',
      resource: 'pods',
      namespace: 'default',
      name: 'bb',
      user: 'admin',
      protocol: 'v5.channel.k8s.io',
      code: 101,
    });
  });
});
