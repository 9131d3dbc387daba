import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blockProxyCommand, checkSshConfig, commandWords, parseSshG, shadowingLines } from '../../src/doctor/ssh-config.ts';
import { renderBlock } from '../../src/ssh/config-block.ts';
import { insertBlock } from '../../src/ssh/config-edit.ts';
import { sshpodPaths } from '../../src/ssh/paths.ts';

const keywords = new Set(['proxycommand', 'identityfile', 'controlmaster', 'controlpath', 'userknownhostsfile']);
const block = renderBlock({ nodePath: '/usr/bin/node', scriptPath: "/opt/it's/sshpod.cjs", paths: sshpodPaths('/home/ann'), platform: 'linux' });

const shadows: Array<[string, string, string[]]> = [
  ['nothing before the block', block.join('\n'), []],
  ['options of other hosts', `Host bastion\n  ProxyCommand ssh -W %h:%p jump\n${block.join('\n')}`, []],
  ['a Host * before it, with an option the block sets', `Host *\n  ControlMaster no\n  User me\n${block.join('\n')}`, ['line 2: ControlMaster no']],
  ['a top-level option', `IdentityFile ~/.ssh/id_rsa\n${block.join('\n')}`, ['line 1: IdentityFile ~/.ssh/id_rsa']],
  ['a Match line, whatever it matches', `Match exec "true"\n  User x\n${block.join('\n')}`, ['line 1: Match exec "true"']],
  ['an Include where it applies', `Include ~/.orbstack/ssh/config\n${block.join('\n')}`, ['line 1: Include ~/.orbstack/ssh/config']],
  ['a negated pattern excludes', `Host * !*.sshpod !*.sshpod.\n  ControlPath none\n${block.join('\n')}`, []],
  ['a pattern for trailing dots only', `Host *.\n  ControlPath none\n${block.join('\n')}`, ['line 2: ControlPath none']],
  ['lines after the block do not count', `${block.join('\n')}\nHost *\n  ControlMaster no\n`, []],
];

for (const [what, text, expected] of shadows) {
  test(`shadowing lines: ${what}`, () => {
    assert.deepEqual(
      shadowingLines(text, keywords).map((shadow) => `line ${shadow.line}: ${shadow.text}`),
      expected,
    );
  });
}

test("ssh -G's output and the block's own ProxyCommand, its words unquoted as sh would", () => {
  const options = parseSshG('hostname x.sshpod\nproxycommand /usr/bin/node a b\nidentityfile /a\nidentityfile /b\n');
  assert.equal(options.get('proxycommand'), '/usr/bin/node a b');
  assert.equal(options.get('identityfile'), '/a', 'the first value, the one ssh uses');
  const command = blockProxyCommand(`Host x\n  ProxyCommand other\n${block.join('\n')}`);
  assert.equal(command, `'/usr/bin/node' --use-openssl-ca '/opt/it'\\''s/sshpod.cjs' proxy --host %h --user %r --port %p`);
  assert.deepEqual(commandWords(command ?? '').slice(0, 3), ['/usr/bin/node', '--use-openssl-ca', "/opt/it's/sshpod.cjs"]);
  assert.equal(blockProxyCommand('Host *\n  User x\n'), undefined);
});

test('ssh -G finds the block first, or names the lines that come before it', { skip: process.platform === 'win32' }, (t) => {
  const home = mkdtempSync(join(tmpdir(), 'sd-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const paths = sshpodPaths(home);
  const mine = renderBlock({ nodePath: process.execPath, scriptPath: new URL('../../bin/sshpod.cjs', import.meta.url).pathname, paths, platform: 'linux' });
  writeFileSync(join(home, 'config'), insertBlock('Host *\n  ServerAliveInterval 5\n', mine).text);
  const good = checkSshConfig({ ...paths, sshConfig: join(home, 'config') });
  assert.ok(good.some((item) => 'ok' in item && item.ok && item.title === 'ssh uses the sshpod block for *.sshpod names'));
  assert.ok(good.some((item) => 'ok' in item && item.ok && item.title.startsWith('ssh uses the sshpod block for names with a trailing dot')));
  writeFileSync(join(home, 'config'), `Host *\n  ProxyCommand none\n\n${mine.join('\n')}\n`);
  const shadowed = checkSshConfig({ ...paths, sshConfig: join(home, 'config') });
  const failure = shadowed.find((item) => 'ok' in item && !item.ok);
  assert.equal(failure && 'title' in failure ? failure.title : '', 'ssh uses the sshpod block for *.sshpod names');
  assert.match(failure && 'hint' in failure ? (failure.hint ?? '') : '', /earlier lines apply first \(line 2: ProxyCommand none\); run sshpod configure/);
  writeFileSync(join(home, 'config'), 'Host x\n');
  assert.deepEqual(checkSshConfig({ ...paths, sshConfig: join(home, 'config') }), [
    { ok: false, title: `the sshpod block is in ${join(home, 'config')}`, hint: 'run sshpod configure' },
  ]);
});
