import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { scpArgs, shellQuote, sshArgs } from '../../src/kubectl-plugin/ssh-command.ts';
import { defaultLogin, isSshpodProxy, proxyScript, readSshView } from '../../src/kubectl-plugin/ssh-setup.ts';
import { renderBlock } from '../../src/ssh/config-block.ts';
import { sshpodPaths } from '../../src/ssh/paths.ts';

const host = 'pod--api.namespace--prod.context--eu.sshpod';

test('ssh: login@host after --, the command one quoted string', () => {
  assert.deepEqual(sshArgs({ host, login: 'root', tty: false, command: [], ownKubeconfig: false }), ['--', `root@${host}`]);
  assert.deepEqual(sshArgs({ host, login: 'app', tty: true, command: ['top'], ownKubeconfig: false }), ['-t', '--', `app@${host}`, 'top']);
  assert.deepEqual(sshArgs({ host, login: 'root', tty: false, command: ['sh', '-c', 'echo $HOME'], ownKubeconfig: false }), ['--', `root@${host}`, "sh -c 'echo $HOME'"]);
});

test('ssh and scp: with --kubeconfig, no connection sharing', () => {
  assert.deepEqual(sshArgs({ host, login: 'root', tty: false, command: [], ownKubeconfig: true }), ['-o', 'ControlMaster=no', '-o', 'ControlPath=none', '--', `root@${host}`]);
  assert.deepEqual(scpArgs({ local: 'a' }, { remote: { login: 'root', host, path: '/tmp/' } }, true), ['-r', '-o', 'ControlMaster=no', '-o', 'ControlPath=none', '--', 'a', `root@${host}:/tmp/`]);
});

test('scp: -r, remote ends as login@host:path', () => {
  assert.deepEqual(scpArgs({ remote: { login: 'app', host, path: '/var/log/x' } }, { local: '.' }, false), ['-r', '--', `app@${host}:/var/log/x`, '.']);
  assert.deepEqual(scpArgs({ local: 'a:b' }, { remote: { login: 'root', host, path: '' } }, false), ['-r', '--', './a:b', `root@${host}:`]);
});

test('quoting: a POSIX shell gives back every word as it was', () => {
  const words = ['plain', '', 'a b', "it's", '$HOME', '`id`', '*', '\\', '"q"', 'line\nbreak', '--', '-x', 'é'];
  const echoed = spawnSync('sh', ['-c', `printf '%s\\0' ${words.map(shellQuote).join(' ')}`], { encoding: 'utf8' });
  assert.deepEqual(echoed.stdout.split('\0').slice(0, -1), words);
  assert.equal(shellQuote('a/b.c-d_e:f@g'), 'a/b.c-d_e:f@g');
});

test('ssh -G: the ProxyCommand tells whether the block is in effect; the login defaults to root', () => {
  const view = readSshView("host x\nuser alice\nproxycommand '/usr/bin/node' '/x/sshpod.cjs' proxy --host %h --user %r --port %p\nport 22\n");
  assert.equal(view.user, 'alice');
  assert.ok(isSshpodProxy(view.proxyCommand));
  assert.ok(!isSshpodProxy(readSshView('host x\nuser alice\n').proxyCommand));
  assert.ok(!isSshpodProxy('nc %h %p'));
  assert.equal(defaultLogin(view, 'alice'), 'root', 'the local user name means nothing in a pod');
  assert.equal(defaultLogin(view, 'bob'), 'alice', 'a User the config sets is kept');
  assert.equal(defaultLogin({ proxyCommand: undefined, user: undefined }, 'bob'), 'root');
});

test('the script a ProxyCommand runs, as configure writes it (quotes, spaces, %, Windows)', () => {
  for (const [platform, scriptPath] of [
    ['linux', "/home/o'brien/my tools/100%/sshpod.cjs"],
    ['linux', '/usr/lib/sshpod/bin/sshpod.cjs'],
    ['win32', 'C:/Users/dev/.local/lib/sshpod/bin/sshpod.cjs'],
  ] as const) {
    const block = renderBlock({ nodePath: '/usr/bin/node', scriptPath, paths: sshpodPaths('/home/x'), platform });
    const line = block.find((l) => l.trim().startsWith('ProxyCommand')) as string;
    // ssh -G prints the ProxyCommand as written, with %% for a literal %.
    assert.equal(proxyScript(line.trim().slice('ProxyCommand '.length)), scriptPath, line);
  }
  assert.equal(proxyScript('nc %h %p'), undefined);
});
