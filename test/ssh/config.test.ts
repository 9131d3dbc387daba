import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderBlock, BEGIN_MARKER, END_MARKER } from '../../src/ssh/config-block.ts';
import { insertBlock, removeBlock } from '../../src/ssh/config-edit.ts';
import { sshpodPaths } from '../../src/ssh/paths.ts';

const paths = sshpodPaths('/home/ann');
const block = renderBlock({ nodePath: '/usr/bin/node', scriptPath: '/opt/sshpod/bin/sshpod.js', paths, platform: 'linux' });

test('the block pins keys strictly and points at absolute node and script paths', () => {
  assert.equal(block[0], BEGIN_MARKER);
  assert.equal(block.at(-1), END_MARKER);
  assert.ok(block.includes("    ProxyCommand '/usr/bin/node' --use-openssl-ca '/opt/sshpod/bin/sshpod.js' proxy --host %h --user %r --port %p"));
  assert.ok(block.includes('    StrictHostKeyChecking yes'));
  assert.equal(block[1], 'Host *.sshpod *.sshpod.');
  assert.ok(block.includes('    UserKnownHostsFile /home/ann/.cache/sshpod/known_hosts'));
  assert.ok(block.includes('    IdentityFile /home/ann/.cache/sshpod/id_ed25519'));
  assert.ok(block.includes('    ControlPath /home/ann/.cache/sshpod/cm/%C'));
  assert.ok(!block.some((line) => /\/dev\/null|StrictHostKeyChecking no/.test(line)));
});

test('odd paths are quoted for the shell and for ssh_config', () => {
  const odd = renderBlock({
    nodePath: "/opt/my node's/bin/node",
    scriptPath: '/opt/100% sshpod/bin/sshpod.js',
    paths: sshpodPaths('/home/a b'),
    platform: 'linux',
  });
  assert.ok(odd.includes(`    ProxyCommand '/opt/my node'\\''s/bin/node' --use-openssl-ca '/opt/100%% sshpod/bin/sshpod.js' proxy --host %h --user %r --port %p`));
  assert.ok(odd.includes('    IdentityFile "/home/a b/.cache/sshpod/id_ed25519"'));
  assert.ok(odd.includes('    ControlPath "/home/a b/.cache/sshpod/cm/%C"'));
});

test('on Windows: forward slashes, double quotes, no connection sharing', () => {
  const windows = renderBlock({
    nodePath: 'C:\\Program Files\\nodejs\\node.exe',
    scriptPath: 'C:\\Users\\Ann\\AppData\\Local\\sshpod\\bin\\sshpod.js',
    paths: { ...sshpodPaths('C:\\Users\\Ann'), clientKey: 'C:\\Users\\Ann\\.cache\\sshpod\\id_ed25519' },
    platform: 'win32',
  });
  assert.ok(windows.includes('    ProxyCommand "C:/Program Files/nodejs/node.exe" --use-openssl-ca "C:/Users/Ann/AppData/Local/sshpod/bin/sshpod.js" proxy --host %h --user %r --port %p'));
  assert.ok(windows.includes('    IdentityFile C:/Users/Ann/.cache/sshpod/id_ed25519'));
  assert.ok(!windows.some((line) => line.includes('Control')));
});

const existing: Array<[string, string]> = [
  ['an empty file', ''],
  ['global options then hosts', 'ForwardAgent no\nServerAliveInterval 5\n\nHost bastion\n  User ops\n'],
  ['a Host * block first', 'Host *\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  IdentityFile ~/.ssh/id_rsa\n'],
  ['a Match block', 'Match all\n  ProxyCommand none\n'],
  ['an Include first', 'Include ~/.orbstack/ssh/config\n\nHost *\n  ControlPath none\n'],
  ['CRLF line endings', 'Host *\r\n  User x\r\n'],
  ['no trailing newline', 'Host *\n  StrictHostKeyChecking no'],
  ['a byte-order mark', '\uFEFFHost *\n  User x\n'],
];

for (const [what, text] of existing) {
  test(`configure over ${what}: idempotent, reversible, and what ssh applies`, () => {
    const first = insertBlock(text, block);
    assert.equal(first.changed, true);
    const second = insertBlock(first.text, block);
    assert.equal(second.changed, false, 're-running changes nothing');
    assert.equal(second.text, first.text);
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    assert.ok(first.text.endsWith(eol));
    if (text.includes('\r\n')) assert.ok(!/[^\r]\n/.test(first.text), 'CRLF kept throughout');
    if (text.startsWith('\uFEFF')) {
      assert.ok(first.text.startsWith(BEGIN_MARKER), 'the byte-order mark OpenSSH cannot read is dropped');
      assert.match(first.notes.join('\n'), /byte-order mark/);
    }
    const removed = removeBlock(first.text);
    assert.equal(removed.changed, true);
    const withoutBom = text.replace(/^\uFEFF/, '');
    const normalised = withoutBom === '' || /\r?\n$/.test(withoutBom) ? withoutBom : `${withoutBom}${eol}`;
    assert.equal(removed.text, normalised, 'unconfigure restores the file');

    const dir = mkdtempSync(join(tmpdir(), 'sshpod-config-'));
    try {
      const file = join(dir, 'config');
      writeFileSync(file, first.text.replace('Include ~/.orbstack/ssh/config', ''));
      const applied = execFileSync('ssh', ['-G', '-F', file, 'pod--api.namespace--prod.sshpod'], { encoding: 'utf8' });
      assert.match(applied, /^proxycommand '\/usr\/bin\/node' --use-openssl-ca '\/opt\/sshpod\/bin\/sshpod\.js' proxy --host %h --user %r --port %p$/m);
      assert.match(applied, /^stricthostkeychecking true$/m);
      assert.match(applied, /^userknownhostsfile \/home\/ann\/\.cache\/sshpod\/known_hosts$/m);
      assert.match(applied, /^identitiesonly yes$/m);
      assert.match(applied, /^identityfile \/home\/ann\/\.cache\/sshpod\/id_ed25519$/m);
      const dotted = execFileSync('ssh', ['-G', '-F', file, 'pod--api.namespace--prod.sshpod.'], { encoding: 'utf8' });
      assert.match(dotted, /^proxycommand '\/usr\/bin\/node' --use-openssl-ca /m, 'a trailing dot is the same host to sshpod, and to the block');
      const other = execFileSync('ssh', ['-G', '-F', file, 'example.com'], { encoding: 'utf8' });
      assert.doesNotMatch(other, /sshpod/, 'other hosts are untouched');
      if (text.includes('ServerAliveInterval 5')) assert.match(other, /^serveraliveinterval 5$/m, 'global options stay global');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('an older sshpod block is replaced in place of a duplicate', () => {
  const old = `Host x\n  User y\n\n${BEGIN_MARKER}\nHost *.sshpod\n  ProxyCommand old\n${END_MARKER}\n`;
  const result = insertBlock(old, block);
  assert.equal(result.text.split(BEGIN_MARKER).length, 2, 'one block');
  assert.ok(result.text.startsWith(BEGIN_MARKER));
  assert.ok(!result.text.includes('ProxyCommand old'));
});

test('a foreign Host *.sshpod block is reported', () => {
  const result = insertBlock('Host *.sshpod\n  ProxyCommand ~/.local/bin/sshpod proxy --host %h\n', block);
  assert.equal(result.notes.length, 1);
  assert.match(result.notes[0] ?? '', /^line \d+ of your ssh config has another "Host \*\.sshpod" block/);
});

test('a damaged block is refused, not guessed at', () => {
  assert.throws(() => insertBlock(`${BEGIN_MARKER}\nHost *.sshpod\n`, block), /damaged/);
  assert.throws(() => removeBlock(`Host a\n${END_MARKER}\n`), /damaged/);
});

test('removing from a file without a block changes nothing', () => {
  assert.deepEqual(removeBlock('Host a\n'), { text: 'Host a\n', changed: false, notes: [] });
});

test('connection sharing only where the control socket path fits', () => {
  const long = renderBlock({ nodePath: '/n', scriptPath: '/s', paths: sshpodPaths(`/home/${'x'.repeat(60)}`), platform: 'linux' });
  assert.ok(!long.some((line) => line.includes('Control')));
  assert.ok(block.some((line) => line.includes('ControlMaster auto')));
});
