import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecPluginError, execConfigOf, parseExecCredential, pluginTimeoutMs, runExecPlugin } from '../../src/kube/exec-credential.ts';
import { EXPIRY_MARGIN_MS, credentialCacheFile, forgetCachedCredential, isReusable, readCachedCredential, writeCachedCredential } from '../../src/kube/credential-cache.ts';

const credential = (status: object): string => JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status });

describe('ExecCredential parsing', () => {
  test('a token, or a client certificate and key, with an optional expiry', () => {
    assert.deepEqual(parseExecCredential(credential({ token: 't', expirationTimestamp: '2030-01-01T00:00:00Z' })), { token: 't', expirationTimestamp: '2030-01-01T00:00:00Z' });
    assert.deepEqual(parseExecCredential(credential({ clientCertificateData: 'C', clientKeyData: 'K' })), { clientCertificateData: 'C', clientKeyData: 'K' });
  });

  test('anything else says what is wrong', () => {
    assert.throws(() => parseExecCredential('Traceback (most recent call last)'), /not an ExecCredential \(not JSON\)/);
    assert.throws(() => parseExecCredential('{"kind":"Status"}'), /not an ExecCredential with a status/);
    assert.throws(() => parseExecCredential(credential({ clientCertificateData: 'C' })), /neither a token nor a client certificate and key/);
    assert.throws(() => parseExecCredential(credential({ token: '' })), ExecPluginError);
  });

  test('the exec entry of a kubeconfig', () => {
    assert.deepEqual(execConfigOf({ command: 'aws', args: ['eks', 'get-token'], env: [{ name: 'AWS_PROFILE', value: 'prod' }], apiVersion: 'client.authentication.k8s.io/v1beta1' }), {
      command: 'aws',
      args: ['eks', 'get-token'],
      env: [{ name: 'AWS_PROFILE', value: 'prod' }],
      apiVersion: 'client.authentication.k8s.io/v1beta1',
    });
    assert.deepEqual(execConfigOf({ command: 'plugin', env: null }), { command: 'plugin', args: [], env: [] });
    assert.throws(() => execConfigOf({ args: ['x'] }), /names no command/);
  });
});

describe('running a plugin', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sshpod-plugin-'));
  const script = (name: string, body: string): string => {
    const file = join(dir, name);
    writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    return file;
  };

  test('its env, and KUBERNETES_EXEC_INFO saying no one can answer a prompt', async () => {
    const plugin = script('env', `printf '{"kind":"ExecCredential","status":{"token":"%s|%s"}}' "$PROFILE" "$(printf %s "$KUBERNETES_EXEC_INFO" | base64 -w0)"`);
    const status = await runExecPlugin({ command: plugin, args: [], env: [{ name: 'PROFILE', value: 'prod' }], apiVersion: 'client.authentication.k8s.io/v1' });
    const [profile, info] = (status.token ?? '').split('|');
    assert.equal(profile, 'prod');
    assert.deepEqual(JSON.parse(Buffer.from(info ?? '', 'base64').toString()), { apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', spec: { interactive: false } });
  });

  test('a missing plugin, a failing one and one that prints nonsense are told apart', async () => {
    await assert.rejects(runExecPlugin({ command: join(dir, 'absent') }), /exec plugin ".*absent" was not found/);
    await assert.rejects(runExecPlugin({ command: script('fails', 'exit 3') }), /exec plugin ".*fails" failed \(exit 3\)/);
    await assert.rejects(runExecPlugin({ command: script('prints', 'echo hello') }), /exec plugin ".*prints": it printed something that is not an ExecCredential/);
  });

  test('a failing plugin is quoted: its last line on stderr says why', async () => {
    await assert.rejects(runExecPlugin({ command: script('says-why', 'echo "starting" >&2; echo "error: the SSO session has expired" >&2; exit 255') }), {
      message: /exec plugin ".*says-why" failed \(exit 255\): error: the SSO session has expired$/,
    });
  });

  test('a plugin that hangs is stopped at the timeout, named, with a hint — even when a child of it holds its output open', async () => {
    const pidFile = join(dir, 'child.pid');
    // Not exec: sh stays the plugin and its sleep a child that keeps stdout and stderr open.
    const hangs = script('hangs', `echo "open https://login.example/device and enter ABCD" >&2\nsleep 300 &\necho $! > '${pidFile}'\nwait`);
    const started = Date.now();
    const error = await runExecPlugin({ command: hangs, args: ['get-token'] }, 500).then(
      () => assert.fail('it must not succeed'),
      (caught: unknown) => caught as ExecPluginError,
    );
    assert.ok(error instanceof ExecPluginError);
    assert.match(error.message, /exec plugin ".*hangs" did not finish within 0\.5 s and was stopped \(its last words: open https:\/\/login\.example\/device and enter ABCD\)$/);
    assert.match(error.hint ?? '', /^run it by hand to see what it waits for \(.*hangs get-token\); SSHPOD_TIMEOUT=SECONDS allows it more time$/);
    assert.ok(Date.now() - started < 60_000, 'it did not wait for the orphaned child');
    try {
      process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
    } catch {
      // already gone
    }
  });

  test('the timeout: SSHPOD_TIMEOUT seconds, else a minute', () => {
    assert.equal(pluginTimeoutMs({}), 60_000);
    assert.equal(pluginTimeoutMs({ SSHPOD_TIMEOUT: '2.5' }), 2500);
    assert.equal(pluginTimeoutMs({ SSHPOD_TIMEOUT: 'soon' }), 60_000);
  });

  test.after(() => rmSync(dir, { recursive: true, force: true }));
});

describe('the credential cache', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  const later = (ms: number): string => new Date(now + ms).toISOString();

  test('only a credential that says when it expires, and not in its last minute', () => {
    assert.equal(isReusable({ token: 't' }, now), false);
    assert.equal(isReusable({ token: 't', expirationTimestamp: 'soon' }, now), false);
    assert.equal(isReusable({ token: 't', expirationTimestamp: later(EXPIRY_MARGIN_MS - 1000) }, now), false);
    assert.equal(isReusable({ token: 't', expirationTimestamp: later(EXPIRY_MARGIN_MS + 1000) }, now), true);
  });

  test('one file per plugin invocation and API server', () => {
    const exec = { command: 'aws', args: ['eks', 'get-token', '--cluster-name', 'a'], env: [], apiVersion: 'v1' };
    const file = credentialCacheFile('/c', exec, 'https://a');
    assert.equal(credentialCacheFile('/c', { ...exec }, 'https://a'), file);
    assert.notEqual(credentialCacheFile('/c', exec, 'https://b'), file);
    assert.notEqual(credentialCacheFile('/c', { ...exec, args: ['eks', 'get-token', '--cluster-name', 'b'] }, 'https://a'), file);
    assert.notEqual(credentialCacheFile('/c', { ...exec, env: [{ name: 'AWS_PROFILE', value: 'x' }] }, 'https://a'), file);
  });

  test('kept private, read back while valid, forgotten on demand, damage ignored', () => {
    const home = mkdtempSync(join(tmpdir(), 'sshpod-credentials-'));
    try {
      const file = credentialCacheFile(join(home, 'cache'), { command: 'p' }, 'https://a');
      const status = { token: 'secret', expirationTimestamp: later(3600_000) };
      writeCachedCredential(file, { token: 'no-expiry' }, now);
      assert.equal(readCachedCredential(file, now), undefined, 'not written');
      writeCachedCredential(file, status, now);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(statSync(join(home, 'cache', 'credentials')).mode & 0o777, 0o700);
      assert.deepEqual(readCachedCredential(file, now), status);
      assert.equal(readCachedCredential(file, now + 3600_000), undefined, 'expired');
      forgetCachedCredential(file);
      assert.equal(readCachedCredential(file, now), undefined);
      writeFileSync(file, '{"token":');
      assert.equal(readCachedCredential(file, now), undefined);
      writeFileSync(file, JSON.stringify({ token: 42, expirationTimestamp: later(3600_000) }));
      assert.equal(readCachedCredential(file, now), undefined, 'not a credential');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
