import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const bin = new URL('../../bin/sshpod.cjs', import.meta.url).pathname;

function sshpod(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { PATH: process.env['PATH'], HOME: '/nonexistent' } });
}

test('every command has help with examples', () => {
  for (const command of [[], ['proxy'], ['configure'], ['unconfigure'], ['doctor'], ['last-error'], ['ls'], ['cleanup'], ['completion']]) {
    const result = sshpod(...command, '--help');
    assert.equal(result.status, 0);
    assert.match(result.stdout, /Example/, `${command.join(' ') || 'sshpod'} --help`);
  }
});

test('bad invocations say what is wrong and print nothing on stdout', () => {
  const noHost = sshpod('proxy');
  assert.notEqual(noHost.status, 0);
  assert.match(noHost.stderr, /required option '--host <host>' not specified/);
  const badPort = sshpod('proxy', '--host', 'pod--x.sshpod', '--port', 'abc');
  assert.notEqual(badPort.status, 0);
  assert.match(badPort.stderr, /'--port <port>' argument 'abc' is invalid\. must be a TCP port number/);
  const badHost = sshpod('proxy', '--host', 'x.example.com');
  assert.equal(badHost.status, 2);
  assert.equal(badHost.stdout, '');
  assert.equal(badHost.stderr.split('\n')[0], 'sshpod: hostname "x.example.com" does not end in .sshpod');
  const badLevel = sshpod('proxy', '--host', 'pod--x.sshpod', '--log-level', 'loud');
  assert.notEqual(badLevel.status, 0);
  assert.match(badLevel.stderr, /Allowed choices are error, info, debug/);
});

test('sshpod --help lists completion; completion takes bash, zsh or fish', () => {
  assert.match(sshpod('--help').stdout, /^ {2}completion <shell> /m);
  const wrong = sshpod('completion', 'tcsh');
  assert.notEqual(wrong.status, 0);
  assert.equal(wrong.stdout, '');
  assert.match(wrong.stderr, /value 'tcsh' is invalid for argument 'shell'\. Allowed choices are bash, zsh, fish/);
});
