import { test } from 'node:test';
import assert from 'node:assert/strict';
import { knownHostsAccept, lookupName } from '../../src/failure/known-hosts-match.ts';

const own = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOwnKeyOwnKeyOwnKeyOwnKeyOwnKeyOwnKeyOwnKe sshpod-host';
const other = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtherKeyOtherKeyOtherKeyOtherKeyOtherKeyOthe';
const material = own.split(' ').slice(0, 2).join(' ');

test('the name ssh looks up: lower case, [host]:port for other ports', () => {
  assert.equal(lookupName('Pod--API.sshpod', 22), 'pod--api.sshpod');
  assert.equal(lookupName('pod--api.sshpod', 2222), '[pod--api.sshpod]:2222');
});

const table: Array<[string, string, string, boolean]> = [
  ['the *.sshpod pin', `*.sshpod ${material}`, 'pod--api.sshpod', true],
  ['a trailing dot is another name', `*.sshpod ${material}`, 'pod--api.sshpod.', false],
  ['a pattern list covering it', `*.sshpod,*.sshpod. ${material}`, 'pod--api.sshpod.', true],
  ['another key for the name', `*.sshpod ${other}`, 'pod--api.sshpod', false],
  ['the exact name pinned to another key, the wildcard to ours', `pod--api.sshpod ${other}\n*.sshpod ${material}`, 'pod--api.sshpod', true],
  ['a negated pattern vetoes the line', `*.sshpod,!pod--api.sshpod ${material}`, 'pod--api.sshpod', false],
  ['? matches one character', `pod--ap?.sshpod ${material}`, 'pod--api.sshpod', true],
  ['a revoked key is refused whatever else matches', `*.sshpod ${material}\n@revoked * ${material}`, 'pod--api.sshpod', false],
  ['comments and blank lines are skipped', `# *.sshpod ${material}\n\n`, 'pod--api.sshpod', false],
  ['another port needs its own pattern', `*.sshpod ${material}`, '[pod--api.sshpod]:2222', false],
  ['dots in patterns are literal', `*xsshpod ${material}`, 'pod--api.sshpod', false],
];

for (const [what, text, name, expected] of table) {
  test(`known_hosts: ${what}`, () => {
    assert.equal(knownHostsAccept(text, name, own), expected);
  });
}
