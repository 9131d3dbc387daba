// Shell completion against the local test cluster, driven through the shells themselves: bash's
// completion functions with COMP_WORDS set (precise candidate lists, timing), and bash, zsh and
// fish on a real terminal pressing TAB (pty-type.py) — through kubectl's own completion too.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { container, e2eSkipReason, pod, repo, run, sshpodBin, startE2E, type E2E } from './harness.ts';
import { pluginPath } from './plugin-path.ts';

const ptyType = join(repo, 'test', 'e2e', 'fixtures', 'pty-type.py');
const bashCompletion = '/usr/share/bash-completion/bash_completion';

const quote = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;

describe('shell completion', { skip: e2eSkipReason() }, () => {
  let e: E2E;
  let env: Record<string, string>;
  let cacheDir: string;
  before(async () => {
    e = await startE2E({
      objects: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bars' } },
        pod('deb', { containers: [container('main', 'busybox')] }, { namespace: 'bars' }),
        pod('api', { containers: [container('app', 'busybox'), container('sidecar', 'busybox')] }),
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'web' },
          spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [container('app', 'busybox')] } } },
        },
      ],
    });
    env = { ...e.env, PATH: pluginPath(e.home).path };
    cacheDir = join(e.home, '.cache', 'sshpod', 'completion');
    // Hosts of the user's own, which bash-completion's _ssh offers from ~/.ssh/config.
    appendFileSync(join(e.home, '.ssh', 'config'), '\nHost bastion.example.com pod-runner.example.com\n    User ops\n');
  });
  after(async () => {
    await e?.stop();
  });

  /** The bash completion function for `words` (as bash splits them), cursor at the end; COMPREPLY one per line. */
  const bashComplete = async (words: string[], options: { bashCompletion?: boolean; kubectl?: boolean; ours?: boolean; timed?: boolean } = {}): Promise<{ reply: string[]; seconds: number; stderr: string }> => {
    const line = words.join(' ');
    const script = [
      options.bashCompletion ? `source ${bashCompletion}` : '',
      options.kubectl ? 'source <(kubectl completion bash)' : '',
      options.ours === false ? '' : `source <(${quote(process.execPath)} ${quote(sshpodBin)} completion bash)`,
      `COMP_WORDS=(${words.map(quote).join(' ')})`,
      `COMP_CWORD=${words.length - 1}`,
      `COMP_LINE=${quote(line)}`,
      'COMP_POINT=${#COMP_LINE}',
      'COMPREPLY=()',
      'spec=$(complete -p -- "${COMP_WORDS[0]}")',
      'fn=${spec##* -F }; fn=${fn%% *}',
      'started=$EPOCHREALTIME',
      '"$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"',
      'ended=$EPOCHREALTIME',
      'printf "%s\\n" "${COMPREPLY[@]}"',
      'echo "took $started $ended" >&2',
    ].join('\n');
    const result = await run('bash', ['--norc', '--noprofile', '-c', script], { env });
    assert.equal(result.code, 0, result.stderr);
    const [, started, ended] = /took ([\d.]+) ([\d.]+)/.exec(result.stderr) ?? [];
    return {
      reply: result.stdout.split('\n').filter((l) => l !== ''),
      seconds: Number(ended) - Number(started),
      stderr: result.stderr.replace(/took .*\n/, ''),
    };
  };

  /**
   * An interactive shell on a terminal, where `ssh` and `kubectl` print their arguments instead of
   * running: each line is typed, TAB pressed, then Enter; `expect` is what the command then prints.
   */
  const typeInto = async (shell: 'bash' | 'zsh' | 'fish', setup: string[], lines: Array<[typed: string, expect: string]>): Promise<string> => {
    const argv = { bash: ['bash', '--norc', '--noprofile', '-i'], zsh: ['zsh', '-f', '-i'], fish: ['fish', '--no-config', '-i'] }[shell];
    const stubs =
      shell === 'fish'
        ? ['function ssh; echo ARGS:(string join " " -- $argv); end', 'function kubectl; echo KARGS:(string join " " -- $argv); end']
        : ['ssh() { echo "ARGS:$*"; }', 'kubectl() { echo "KARGS:$*"; }'];
    const steps = [
      ...[...setup, ...stubs].map((line) => ({ send: `${line}\n` })),
      { send: 'echo READY\n', expect: 'READY\r\n' },
      ...lines.flatMap(([typed, expect]) => [{ send: `${typed}\t` }, { send: '\n', expect: `${expect}\r\n` }]),
    ];
    const result = await run('python3', [ptyType, ...argv], { env: { ...env, TERM: 'xterm', PS1: '$ ' }, input: JSON.stringify(steps), timeoutMs: 120_000 });
    assert.equal(result.code, 0, `${shell} did not show what was expected:\n${result.stdout}`);
    return result.stdout;
  };

  const ours = `source <(${quote(process.execPath)} ${quote(sshpodBin)} completion bash)`;

  test('bash, pressing TAB: ssh root@pod--d completes to pod--deb.namespace--bars.sshpod; other hosts and kubectl ssh too', async () => {
    await typeInto('bash', [`source ${bashCompletion}`, ours], [
      ['ssh root@pod--d', 'ARGS:root@pod--deb.namespace--bars.sshpod'],
      ['ssh ops@bas', 'ARGS:ops@bastion.example.com'],
      ['kubectl ssh deployment/w', 'KARGS:ssh deployment/web'],
    ]);
  });

  test('bash: the candidates, and the time with a warm cache', async (t) => {
    rmSync(cacheDir, { recursive: true, force: true });
    const cold = await bashComplete(['ssh', 'root@pod--']);
    assert.equal(cold.reply.length, 3, cold.reply.join(' '));
    assert.deepEqual(cold.reply.slice(0, 2), ['root@pod--api.sshpod', 'root@pod--deb.namespace--bars.sshpod']);
    assert.match(cold.reply[2] ?? '', /^root@pod--web-[a-z0-9]+-[a-z0-9]{5}\.sshpod$/, 'the deployment\'s pod');
    const warm = await bashComplete(['ssh', 'root@pod--d']);
    assert.deepEqual(warm.reply, ['root@pod--deb.namespace--bars.sshpod']);
    assert.equal(warm.stderr, '');
    const times: number[] = [];
    for (let i = 0; i < 5; i++) times.push((await bashComplete(['ssh', 'root@pod--d'])).seconds);
    times.sort((a, b) => a - b);
    t.diagnostic(`ssh root@pod--d<TAB> with a warm cache: median ${times[2]?.toFixed(3)} s (min ${times[0]?.toFixed(3)}, max ${times[4]?.toFixed(3)}); cold: ${cold.seconds.toFixed(3)} s`);
  });

  test('bash: workloads, namespaces, contexts, containers, keys; scp and rsync get host:, sftp a plain host', async () => {
    const cases: Array<[string[], string[]]> = [
      [['ssh', 'deployment--'], ['deployment--web.sshpod']],
      [['ssh', 'root@namespace--b'], ['root@namespace--bars.']],
      [['ssh', 'namespace--bars.pod--'], ['namespace--bars.pod--deb.sshpod']],
      [['ssh', 'context--'], ['context--sshpod-test.']],
      [['ssh', 'pod--api.container--'], ['pod--api.container--app.sshpod', 'pod--api.container--sidecar.sshpod']],
      [['ssh', 'pod--deb.n'], ['pod--deb.namespace--']],
      [['scp', 'app@deployment--w'], ['app@deployment--web.sshpod:']],
      [['rsync', '-a', 'x', 'root@pod--d'], ['root@pod--deb.namespace--bars.sshpod:']],
      [['sftp', 'pod--d'], ['pod--deb.namespace--bars.sshpod']],
      [['ssh', 'de'], ['deployment--']],
    ];
    for (const [words, expected] of cases) assert.deepEqual((await bashComplete(words)).reply, expected, words.join(' '));
  });

  test('bash: other words keep bash-completion\'s ssh completion, and both are offered while a word could be either', async () => {
    const bastion = await bashComplete(['ssh', 'root@bas'], { bashCompletion: true });
    assert.deepEqual(bastion.reply, ['root@bastion.example.com']);
    const options = await bashComplete(['ssh', '-o', 'ControlM'], { bashCompletion: true });
    assert.ok(options.reply.some((r) => r.startsWith('ControlMaster')), options.reply.join(' '));
    const either = await bashComplete(['ssh', 'po'], { bashCompletion: true });
    assert.deepEqual(either.reply.sort(), ['pod--', 'pod-runner.example.com']);
    const sshpodOnly = await bashComplete(['ssh', 'pod--d'], { bashCompletion: true });
    assert.deepEqual(sshpodOnly.reply, ['pod--deb.namespace--bars.sshpod']);
  });

  test('bash: kubectl ssh completes pods, TYPE/ names, namespaces and containers; other kubectl words are kubectl\'s', async () => {
    assert.deepEqual((await bashComplete(['kubectl', 'ssh', '-n', 'bars', 'd'])).reply, ['daemonset/', 'deb', 'deployment/']);
    assert.deepEqual((await bashComplete(['kubectl', 'ssh', 'deployment/'])).reply, ['deployment/web']);
    assert.deepEqual((await bashComplete(['kubectl', 'ssh', '-n', 'b'])).reply, ['bars']);
    assert.deepEqual((await bashComplete(['kubectl', 'ssh', 'api', '-c', ''])).reply, ['app', 'sidecar']);
    // kubectl's bash completion needs bash-completion's helpers.
    const kubectlOwn = await bashComplete(['kubectl', 'ver'], { kubectl: true, bashCompletion: true });
    assert.deepEqual(kubectlOwn.reply, ['version']);
  });

  test('kubectl\'s own completion completes kubectl ssh through kubectl_complete-ssh', async () => {
    const protocol = await run('kubectl', ['__complete', 'ssh', '-n', 'bars', 'd'], { env });
    assert.equal(protocol.code, 0, protocol.stderr);
    assert.match(protocol.stdout, /^daemonset\/\ndeb\ndeployment\/\n:6\n/);
    const viaBash = await bashComplete(['kubectl', 'ssh', '-n', 'bars', 'de'], { kubectl: true, bashCompletion: true, ours: false });
    assert.ok(viaBash.reply.includes('deb'), viaBash.reply.join(' '));
  });

  test('zsh, pressing TAB: sshpod hosts, other hosts, kubectl ssh', { skip: existsSync('/usr/bin/zsh') ? false : 'zsh is not installed' }, async () => {
    await typeInto('zsh', [`source <(${quote(process.execPath)} ${quote(sshpodBin)} completion zsh)`], [
      ['ssh root@pod--d', 'ARGS:root@pod--deb.namespace--bars.sshpod'],
      ['ssh ops@bas', 'ARGS:ops@bastion.example.com'],
      ['kubectl ssh deployment/w', 'KARGS:ssh deployment/web'],
    ]);
  });

  test('fish, pressing TAB, and complete -C', { skip: existsSync('/usr/bin/fish') ? false : 'fish is not installed' }, async () => {
    const source = `${quote(process.execPath)} ${quote(sshpodBin)} completion fish | source`;
    await typeInto('fish', [source], [
      ['ssh root@pod--d', 'ARGS:root@pod--deb.namespace--bars.sshpod'],
      ['kubectl ssh deployment/w', 'KARGS:ssh deployment/web'],
    ]);
    const listed = await run('fish', ['--no-config', '-c', `${source}; complete -C 'scp ./x app@deployment--'`], { env });
    assert.match(listed.stdout, /^app@deployment--web\.sshpod:$/m, listed.stdout + listed.stderr);
  });

  test('one LIST per kind for all namespaces, then none while the cache is fresh; private files', async () => {
    rmSync(cacheDir, { recursive: true, force: true });
    e.cluster.clearRequests();
    await bashComplete(['ssh', 'pod--d']);
    const cold = e.cluster.requests();
    assert.ok(cold.length > 0 && cold.length <= 6, `${cold.length} requests`);
    assert.ok(cold.every((r) => r.verb === 'list' && r.namespace === ''), cold.map((r) => `${r.verb} ${r.path}`).join(', '));
    e.cluster.clearRequests();
    await bashComplete(['ssh', 'deployment--w']);
    await bashComplete(['ssh', 'pod--a']);
    assert.deepEqual(e.cluster.requests(), []);
    assert.equal(statSync(cacheDir).mode & 0o777, 0o700);
    for (const file of readdirSync(cacheDir)) assert.equal(statSync(join(cacheDir, file)).mode & 0o777, 0o600);
  });

  test('without RBAC for cluster-wide lists, the namespace of the context', async () => {
    rmSync(cacheDir, { recursive: true, force: true });
    e.cluster.deny({ user: 'admin', verb: 'list', resource: 'pods', namespace: '' });
    try {
      const reply = (await bashComplete(['ssh', 'pod--'])).reply;
      assert.equal(reply.length, 2, reply.join(' '));
      assert.equal(reply[0], 'pod--api.sshpod');
      assert.match(reply[1] ?? '', /^pod--web-[a-z0-9-]+\.sshpod$/, 'pods of the namespace default only: no deb');
    } finally {
      e.cluster.resetAccess();
    }
  });

  test('silent when the cluster cannot answer: no candidates, nothing on stderr, an end in bounded time', async () => {
    const sockets = new Set<Socket>();
    const blackHole: Server = createServer((socket) => sockets.add(socket)); // accepts, never answers
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const port = (blackHole.address() as { port: number }).port;
    const kubeconfig = join(e.home, 'black-hole.yaml');
    writeFileSync(kubeconfig, readFileSync(e.env['KUBECONFIG'] as string, 'utf8').replace(/server: \S+/, `server: https://127.0.0.1:${port}`));
    try {
      const direct = await run(process.execPath, [sshpodBin, '__complete', 'host', 'pod--d'], { env: { ...env, KUBECONFIG: kubeconfig, HOME: join(e.home, 'other-home') }, timeoutMs: 30_000 });
      assert.deepEqual([direct.code, direct.stdout, direct.stderr], [0, '', '']);
      const broken = await run(process.execPath, [sshpodBin, '__complete', 'host', 'pod--d'], { env: { ...env, KUBECONFIG: join(e.home, 'missing.yaml') } });
      assert.deepEqual([broken.code, broken.stdout, broken.stderr], [0, '', '']);
    } finally {
      for (const socket of sockets) socket.destroy();
      blackHole.close();
    }
  });
});
