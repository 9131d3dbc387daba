// Choosing the transport (pure) and remembering, per context, that port-forward was refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REMEMBER_EXEC_MS, fileTransportMemory, planTransport, refusesPortForward, transportSetting } from '../../src/reach/transport.ts';
import { SshpodError } from '../../src/errors.ts';

test('the setting: the option first, then SSHPOD_TRANSPORT, else auto', () => {
  const cases: Array<[string | undefined, string | undefined, string]> = [
    [undefined, undefined, 'auto'],
    [undefined, '', 'auto'],
    [undefined, 'exec', 'exec'],
    [undefined, ' Port-Forward ', 'port-forward'],
    ['exec', 'port-forward', 'exec'],
    ['auto', 'exec', 'auto'],
  ];
  for (const [option, variable, expected] of cases) {
    assert.equal(transportSetting(option, variable === undefined ? {} : { SSHPOD_TRANSPORT: variable }), expected, `${option} / ${variable}`);
  }
});

test('a transport that does not exist is a usage error naming where it came from', () => {
  assert.throws(() => transportSetting(undefined, { SSHPOD_TRANSPORT: 'spdy' }), (error: SshpodError) => error.kind === 'usage' && error.message === 'SSHPOD_TRANSPORT is "spdy", which is not a transport');
  assert.throws(() => transportSetting('pf', {}), (error: SshpodError) => error.message.startsWith('--transport is "pf"') && /--transport to auto/.test(error.hint ?? ''));
});

test('the plan: forced settings never fall back; auto tries port-forward unless refused within a day', () => {
  const now = 10 * REMEMBER_EXEC_MS;
  const cases: Array<[Parameters<typeof planTransport>[0], number | undefined, { first: string; fallBack: boolean }]> = [
    ['auto', undefined, { first: 'port-forward', fallBack: true }],
    ['auto', now - 60_000, { first: 'exec', fallBack: false }],
    ['auto', now - REMEMBER_EXEC_MS, { first: 'port-forward', fallBack: true }],
    ['auto', now + 60_000, { first: 'port-forward', fallBack: true }], // a clock that went back: look again
    ['exec', undefined, { first: 'exec', fallBack: false }],
    ['port-forward', now - 60_000, { first: 'port-forward', fallBack: false }],
  ];
  for (const [setting, refusedAt, expected] of cases) {
    const plan = planTransport(setting, refusedAt, now);
    assert.deepEqual({ first: plan.first, fallBack: plan.fallBack }, expected, `${setting} ${refusedAt}`);
  }
  assert.equal(planTransport('auto', now - 3 * 60_000, now).why, 'this context refused port-forward 3 min ago');
});

test('only a Forbidden answer counts as port-forward refused', () => {
  assert.ok(refusesPortForward(new SshpodError('forbidden', 'no')));
  assert.ok(!refusesPortForward(new SshpodError('timeout', 'slow')));
  assert.ok(!refusesPortForward(new Error('reset')));
});

test('the memory is per context, private, and can be forgotten', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sshpod-transport-'));
  try {
    const prod = fileTransportMemory(dir, 'prod');
    const dev = fileTransportMemory(dir, 'dev');
    assert.equal(prod.refusedAt(), undefined);
    prod.rememberRefusal(1234);
    assert.equal(prod.refusedAt(), 1234);
    assert.equal(dev.refusedAt(), undefined);
    assert.equal(statSync(join(dir, 'transport')).mode & 0o777, 0o700);
    prod.forget();
    assert.equal(prod.refusedAt(), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
