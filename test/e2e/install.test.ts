// Installing for real use: install.sh installs, upgrades and uninstalls in an isolated HOME, and
// the ssh it configures reaches a pod; the npm package installs globally and works; install.ps1
// (which cannot run here) offers the same options and lays out the same paths as install.sh.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type Cluster } from '../cluster/index.ts';
import { container, e2eSkipReason, pod, repo, run, sshOptions } from './harness.ts';

const version = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string }).version;

describe('install.sh', { skip: e2eSkipReason() }, () => {
  let cluster: Cluster;
  let work: string;
  let home: string;
  let prefix: string;
  let env: Record<string, string>;
  before(async () => {
    cluster = await startCluster({ objects: [pod('api', { containers: [container('main', 'busybox')] })] });
    work = mkdtempSync(join(tmpdir(), 'sshpod-install-'));
    home = join(work, 'home');
    prefix = join(work, 'prefix');
    env = { HOME: home, PATH: process.env['PATH'] ?? '/usr/bin:/bin', KUBECONFIG: join(work, 'kubeconfig') };
    await cluster.writeKubeconfig(env['KUBECONFIG'] as string);
  });
  after(async () => {
    await cluster?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const block = (): string[] => readFileSync(join(home, '.ssh', 'config'), 'utf8').split('\n').filter((line) => line.includes('ProxyCommand'));

  test('installs under the prefix with a launcher, configures ssh, and ssh reaches a pod', async () => {
    const result = await run('sh', [join(repo, 'install.sh'), '--prefix', prefix, '--yes'], { env });
    assert.equal(result.code, 0, result.stderr);
    const launcher = join(prefix, 'bin', 'sshpod');
    assert.equal((await run(launcher, ['--version'], { env })).stdout.trim(), version);
    assert.deepEqual(block(), [`    ProxyCommand '${process.execPath}' --use-openssl-ca '${join(prefix, 'lib', 'sshpod', 'bin', 'sshpod.cjs')}' proxy --host %h --user %r --port %p`]);
    const ssh = await run('ssh', ['-F', join(home, '.ssh', 'config'), ...sshOptions, 'root@pod--api.sshpod', 'true'], { env });
    assert.equal(ssh.code, 0, ssh.stderr);
  });

  test('kubectl finds the plugin beside the launcher', async () => {
    const pathEnv = { ...env, PATH: `${join(prefix, 'bin')}:${env['PATH']}` };
    const listed = await run('kubectl', ['plugin', 'list'], { env: pathEnv });
    assert.equal(listed.code, 0, listed.stderr);
    assert.ok(listed.stdout.split('\n').includes(join(prefix, 'bin', 'kubectl-ssh')), listed.stdout);
    assert.equal((await run('kubectl', ['ssh', '--version'], { env: pathEnv })).stdout.trim(), version);
    const completion = await run('kubectl', ['__complete', 'ssh', '--cont'], { env: pathEnv });
    assert.match(completion.stdout, /^--container=\n--context=\n:6\n/, completion.stderr);
  });

  test('re-running upgrades in place: a fresh copy, still one block', async () => {
    writeFileSync(join(prefix, 'lib', 'sshpod', 'stale-file'), '');
    const result = await run('sh', [join(repo, 'install.sh'), '--prefix', prefix, '--yes'], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!existsSync(join(prefix, 'lib', 'sshpod', 'stale-file')));
    assert.equal(block().length, 1);
    assert.deepEqual(readdirSync(join(prefix, 'lib')), ['sshpod']);
  });

  test('--uninstall removes the program, the launcher, the block and the keys', async () => {
    const result = await run('sh', [join(repo, 'install.sh'), '--prefix', prefix, '--uninstall'], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!existsSync(join(prefix, 'bin', 'sshpod')));
    assert.deepEqual(readdirSync(join(prefix, 'bin')), [], 'the kubectl plugin launchers are gone too');
    assert.ok(!existsSync(join(prefix, 'lib', 'sshpod')));
    assert.deepEqual(block(), []);
    assert.ok(!existsSync(join(home, '.cache', 'sshpod')));
  });

  test('without --yes and without a terminal, it installs but leaves ssh config alone', async () => {
    const result = await run('setsid', ['sh', join(repo, 'install.sh'), '--prefix', prefix], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /skipped the ssh config; run later: sshpod configure/);
    assert.deepEqual(block(), []);
    await run('sh', [join(repo, 'install.sh'), '--prefix', prefix, '--uninstall'], { env });
  });

  test('the npm package installs globally and works', async () => {
    const packed = await run('npm', ['pack', '--silent', '--pack-destination', work], { cwd: repo, env: { ...process.env, HOME: home } as Record<string, string> });
    assert.equal(packed.code, 0, packed.stderr);
    const tarball = join(work, packed.stdout.trim().split('\n').at(-1) ?? '');
    const globalPrefix = join(work, 'npm-global');
    const installed = await run('npm', ['install', '--global', '--prefix', globalPrefix, '--no-audit', '--no-fund', tarball], { env: { ...process.env, HOME: home } as Record<string, string> });
    assert.equal(installed.code, 0, installed.stderr);
    const bin = join(globalPrefix, 'bin', 'sshpod');
    assert.equal((await run(bin, ['--version'], { env })).stdout.trim(), version);
    assert.equal((await run(join(globalPrefix, 'bin', 'kubectl-ssh'), ['--version'], { env })).stdout.trim(), version);
    assert.match((await run(join(globalPrefix, 'bin', 'kubectl_complete-ssh'), ['--cont'], { env })).stdout, /^--container=\n--context=\n:6\n$/);
    const configured = await run(bin, ['configure', '--yes'], { env });
    assert.equal(configured.code, 0, configured.stderr);
    const ssh = await run('ssh', ['-F', join(home, '.ssh', 'config'), ...sshOptions, 'root@pod--api.sshpod', 'echo via-npm'], { env });
    assert.equal(ssh.stdout, 'via-npm\n', ssh.stderr);
  });
});

describe('install.ps1 mirrors install.sh', () => {
  const sh = readFileSync(join(repo, 'install.sh'), 'utf8');
  const ps1 = readFileSync(join(repo, 'install.ps1'), 'utf8');

  test('the same options', () => {
    const shOptions = [...sh.matchAll(/^\s+--([a-z]+)(?: \|[^)]*)?\)/gm)].map((m) => m[1]).filter((o) => o !== 'help').sort();
    const psOptions = [...(/param\(([\s\S]*?)\n\)/.exec(ps1)?.[1] ?? '').matchAll(/\$([A-Z][a-z]+)/g)].map((m) => (m[1] ?? '').toLowerCase()).sort();
    assert.deepEqual(psOptions, shOptions);
  });

  test('the same default prefix, layout, copied parts and sshpod calls', () => {
    assert.match(sh, /prefix="\$\{HOME\}\/\.local"/);
    assert.match(ps1, /\[string\]\$Prefix = \(Join-Path \$HOME '\.local'\)/);
    assert.match(sh, /lib="\$prefix\/lib\/sshpod"/);
    assert.match(ps1, /\$Lib = Join-Path \$Prefix 'lib\\sshpod'/);
    assert.match(sh, /launcher="\$prefix\/bin\/sshpod"/);
    assert.match(ps1, /\$Launcher = Join-Path \$Prefix 'bin\\sshpod\.cmd'/);
    const shParts = /for part in ([A-Za-z. ]+); do/.exec(sh)?.[1]?.split(' ');
    const psParts = [...(/foreach \(\$part in @\(([^)]*)\)\)/.exec(ps1)?.[1] ?? '').matchAll(/'([^']+)'/g)].map((m) => m[1]);
    assert.deepEqual(psParts, shParts);
    for (const call of ['configure --yes', 'unconfigure --purge', '--version']) {
      assert.ok(sh.includes(call) && ps1.includes(call), call);
    }
    for (const plugin of ['kubectl-ssh', 'kubectl_complete-ssh']) assert.ok(sh.includes(plugin) && ps1.includes(plugin), plugin);
    for (const shared of ['SSHPOD_PACKAGE', 'Node.js 20 or newer is needed', 'the sshpod package is incomplete', 'skipped the ssh config; run later: sshpod configure']) {
      assert.ok(sh.includes(shared) && ps1.includes(shared), shared);
    }
  });

  test('the Windows ProxyCommand names node.exe and the script with forward slashes', async () => {
    const { renderBlock } = await import('../../src/ssh/config-block.ts');
    const { sshpodPaths } = await import('../../src/ssh/paths.ts');
    const lines = renderBlock({
      nodePath: 'C:\\Program Files\\nodejs\\node.exe',
      scriptPath: 'C:\\Users\\dev\\.local\\lib\\sshpod\\bin\\sshpod.cjs',
      paths: sshpodPaths('C:\\Users\\dev'),
      platform: 'win32',
    });
    assert.ok(lines.includes('    ProxyCommand "C:/Program Files/nodejs/node.exe" --use-openssl-ca "C:/Users/dev/.local/lib/sshpod/bin/sshpod.cjs" proxy --host %h --user %r --port %p'));
  });
});
