// `kubectl ssh` as users run it: the real kubectl finds the plugin on PATH and runs it; the plugin
// resolves context and namespace as kubectl does and runs the user's ssh (or scp) through the
// block `sshpod configure` wrote.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { container, e2eSkipReason, hasStackTrace, pod, run, startE2E, type E2E, type RunOptions } from './harness.ts';
import { pluginPath } from './plugin-path.ts';

const workload = (kind: string, apiVersion: string, name: string, namespace: string): object => ({
  apiVersion,
  kind,
  metadata: { name, namespace },
  spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [container('app', 'busybox')] } } },
});

describe('kubectl ssh', { skip: e2eSkipReason() }, () => {
  let e: E2E;
  let path: string;
  let kubectl: (args: string[], options?: RunOptions) => ReturnType<typeof run>;
  before(async () => {
    e = await startE2E({
      objects: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bars' } },
        pod('deb', { containers: [container('main', 'debian')] }, { namespace: 'bars' }),
        pod('two', { containers: [container('app', 'busybox'), container('sidecar', 'busybox')] }, { namespace: 'bars' }),
        pod('cp', { containers: [container('main', 'busybox')] }),
        workload('Deployment', 'apps/v1', 'web', 'default'),
        workload('StatefulSet', 'apps/v1', 'db', 'bars'),
      ],
      kubeconfigContexts: {
        contexts: [
          { name: 'sshpod-test', user: 'admin', namespace: 'default' },
          { name: 'arn:aws:eks:eu-west-1:123456789012:cluster/bars', user: 'dev', namespace: 'bars' },
        ],
        currentContext: 'sshpod-test',
      },
    });
    path = pluginPath(e.home).path;
    kubectl = (args, options = {}) => run('kubectl', args, { ...options, env: { ...e.env, PATH: path, ...options.env } });
  });
  after(async () => {
    await e?.stop();
  });

  test('kubectl plugin list shows it', async () => {
    const result = await kubectl(['plugin', 'list']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /\/kubectl-ssh$/m);
  });

  test('kubectl ssh -n bars deb -- hostname', async () => {
    const result = await kubectl(['ssh', '-n', 'bars', 'deb', '--', 'hostname']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'deb\n');
  });

  test('kubectl ssh deployment/web: a login shell in a pod of the deployment (commands on stdin, no terminal)', async () => {
    const result = await kubectl(['ssh', 'deployment/web'], { input: 'cat /etc/hostname\nexit 3\n' });
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stdout, /^web-[a-z0-9]+-[a-z0-9]{5}\n$/);
  });

  test('kubectl-style names: sts/ and the flag forms -nbars, --namespace=bars, flags after the target', async () => {
    for (const args of [['sts/db', '-nbars'], ['--namespace=bars', 'statefulset/db'], ['statefulsets.apps/db', '--namespace', 'bars']]) {
      const result = await kubectl(['ssh', ...args, '--', 'hostname']);
      assert.equal(result.stdout, 'db-0\n', `${args.join(' ')}: ${result.stderr}`);
    }
  });

  test('-c picks the container; USER@ picks the login', async () => {
    const sidecar = await kubectl(['ssh', '-n', 'bars', '-c', 'sidecar', 'two', '--', 'sh', '-c', 'echo $HOSTNAME']);
    assert.equal(sidecar.stdout, 'two\n', sidecar.stderr);
    const nobody = await kubectl(['ssh', '-n', 'bars', 'nobody@deb', '--', 'id', '-un']);
    assert.equal(nobody.stdout, 'nobody\n', nobody.stderr);
    const root = await kubectl(['ssh', '-n', 'bars', 'deb', '--', 'id', '-un']);
    assert.equal(root.stdout, 'root\n', 'root without USER@');
  });

  test('the command reaches the pod word for word, and its exit status comes back', async () => {
    const words = await kubectl(['ssh', '-n', 'bars', 'deb', '--', 'sh', '-c', 'printf "%s|" "$@"', 'sh', 'a b', "c'd", '$HOME', '*', '']);
    assert.equal(words.stdout, "a b|c'd|$HOME|*||", words.stderr);
    const status = await kubectl(['ssh', '-n', 'bars', 'deb', '--', 'sh', '-c', 'exit 7']);
    assert.equal(status.code, 7);
  });

  test('-t gives the command a terminal (ssh -t); -i is accepted', async () => {
    // `script` gives kubectl a terminal, as an interactive shell would.
    const result = await run('script', ['-qec', 'kubectl ssh -it -n bars deb -- tty', '/dev/null'], { env: { ...e.env, PATH: path } });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /\/dev\/pts\/\d+/);
    const without = await kubectl(['ssh', '-i', '-n', 'bars', 'deb', '--', 'tty']);
    assert.match(without.stdout, /not a tty/);
  });

  test('the context and namespace are kubectl\'s: --context, the context\'s namespace, KUBECONFIG with several files, --kubeconfig', async () => {
    // A context whose name a hostname cannot spell, and whose namespace is bars.
    const viaContext = await kubectl(['ssh', '--context', 'arn:aws:eks:eu-west-1:123456789012:cluster/bars', 'deb', '--', 'hostname']);
    assert.equal(viaContext.stdout, 'deb\n', viaContext.stderr);
    // Two files: the first names the current context (namespace bars); the second holds the rest.
    const first = join(e.home, 'first.yaml');
    await e.cluster.writeKubeconfig(first, { contexts: [{ name: 'bars-first', user: 'admin', namespace: 'bars' }], currentContext: 'bars-first' });
    const merged = await kubectl(['ssh', 'deb', '--', 'hostname'], { env: { KUBECONFIG: `${first}:${e.env['KUBECONFIG']}` } });
    assert.equal(merged.stdout, 'deb\n', merged.stderr);
    const own = await kubectl(['ssh', '--kubeconfig', first, 'deb', '--', 'hostname'], { env: { KUBECONFIG: '/nonexistent' } });
    assert.equal(own.stdout, 'deb\n', own.stderr);
    const elsewhere = await kubectl(['ssh', '-n', 'default', 'deb', '--', 'hostname'], { env: { KUBECONFIG: `${first}:${e.env['KUBECONFIG']}` } });
    assert.equal(elsewhere.code, 255, 'deb is not in default: ssh fails');
  });

  test('kubectl ssh cp copies files and directories both ways; a pod named cp is pod/cp', async () => {
    const work = join(e.home, 'cp-work');
    mkdirSync(join(work, 'dir', 'sub'), { recursive: true });
    writeFileSync(join(work, 'file.txt'), 'one\n');
    writeFileSync(join(work, 'dir', 'sub', 'deep.txt'), 'two\n');
    const up = await kubectl(['ssh', 'cp', join(work, 'file.txt'), 'bars/deb:/tmp/file.txt'], { cwd: work });
    assert.equal(up.code, 0, up.stderr);
    const upDir = await kubectl(['ssh', 'cp', '-n', 'bars', './dir', 'deb:/tmp/dir'], { cwd: work });
    assert.equal(upDir.code, 0, upDir.stderr);
    assert.equal(await e.podShell('bars', 'deb', 'main', 'cat /tmp/file.txt /tmp/dir/sub/deep.txt'), 'one\ntwo\n');
    const down = await kubectl(['ssh', 'cp', '-n', 'bars', 'deb:/tmp/dir', 'back'], { cwd: work });
    assert.equal(down.code, 0, down.stderr);
    assert.equal(readFileSync(join(work, 'back', 'sub', 'deep.txt'), 'utf8'), 'two\n');
    const named = await kubectl(['ssh', 'pod/cp', '--', 'hostname']);
    assert.equal(named.stdout, 'cp\n', named.stderr);
  });

  test('mistakes read as kubectl\'s: error: …, a hint, exit 1, before any ssh', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['ssh', '--context', 'nope', 'deb'], /^error: context "nope" does not exist\nhint: use one of: sshpod-test, arn:aws/],
      [['ssh', '-x', 'deb'], /^error: unknown shorthand flag: 'x' in -x\nhint: see 'kubectl ssh --help' for usage\n$/],
      [['ssh', 'deb', 'hostname'], /^error: kubectl ssh POD COMMAND is not supported: put "--" before the command \(kubectl ssh deb -- hostname\)/],
      [['ssh', 'svc/web'], /^error: the server doesn't have a resource type "svc" that kubectl ssh can reach/],
      [['ssh', 'Deb'], /^error: pod name "Deb" is not valid: it contains upper-case letters\n/],
      [['ssh', 'cp', 'a', 'b'], /^error: one of the source and destination must be a pod/],
    ];
    for (const [args, expected] of cases) {
      const result = await kubectl(args);
      assert.equal(result.code, 1, args.join(' '));
      assert.match(result.stderr, expected, args.join(' '));
      assert.match(result.stderr, /^hint: /m);
      assert.ok(!hasStackTrace(result.stderr), result.stderr);
      assert.equal(result.stdout, '');
    }
  });

  test('without the *.sshpod block, it says how to add it', async () => {
    const home = join(e.home, 'unconfigured');
    mkdirSync(join(home, '.ssh'), { recursive: true });
    writeFileSync(join(home, '.ssh', 'config'), 'Host *\n    ServerAliveInterval 10\n');
    const result = await kubectl(['ssh', '-n', 'bars', 'deb'], { env: { HOME: home } });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^error: ssh is not set up for \*\.sshpod hosts .*\nhint: run: .*configure\n$/);
  });

  test('a signal sent to kubectl ssh reaches ssh, whose exit status kubectl ssh passes on', async () => {
    const child = spawn('kubectl', ['ssh', '-n', 'bars', 'deb', '--', 'sh', '-c', 'echo started; sleep 60'], { env: { ...e.env, PATH: path }, stdio: ['pipe', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => (chunk.toString().includes('started') ? resolve() : undefined));
      child.once('exit', () => reject(new Error('ended before it started')));
    });
    child.kill('SIGTERM'); // kubectl execs the plugin: this is the plugin's process
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
    // ssh ends on SIGTERM with its own status, 255 ("killed by signal 15" on its stderr).
    assert.deepEqual([code, signal], [255, null]);
  });
});
