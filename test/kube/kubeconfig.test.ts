import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKubeConfig, selectContext } from '../../src/kube/kubeconfig.ts';
import { SshpodError } from '../../src/errors.ts';

function kubeconfig(cluster: string, server: string, context: string, namespace: string | undefined, current?: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    `clusters: [{name: ${cluster}, cluster: {server: "${server}"}}]`,
    `users: [{name: u, user: {token: t}}]`,
    `contexts: [{name: "${context}", context: {cluster: ${cluster}, user: u${namespace ? `, namespace: ${namespace}` : ''}}}]`,
    current ? `current-context: "${current}"` : '',
  ].join('\n');
}

function withKubeconfig(files: Record<string, string>, value: (dir: string) => string, body: () => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'sshpod-kc-'));
  const saved = process.env['KUBECONFIG'];
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    process.env['KUBECONFIG'] = value(dir);
    body();
  } finally {
    if (saved === undefined) delete process.env['KUBECONFIG'];
    else process.env['KUBECONFIG'] = saved;
    rmSync(dir, { recursive: true, force: true });
  }
}

test('several KUBECONFIG files merge as kubectl merges them: first wins, missing files skipped', () => {
  withKubeconfig(
    {
      a: kubeconfig('kind', 'https://a.example:6443', 'dev', 'team-a'),
      b: kubeconfig('kind', 'https://b.example:6443', 'prod', undefined, 'prod'),
    },
    (dir) => [join(dir, 'missing'), join(dir, 'a'), join(dir, 'b')].join(':'),
    () => {
      const kc = loadKubeConfig();
      assert.deepEqual(kc.getContexts().map((c) => c.name), ['dev', 'prod']);
      const prod = selectContext(kc, undefined);
      assert.equal(prod.context, 'prod', 'the first current-context set');
      assert.equal(prod.server, 'https://a.example:6443', 'the first "kind" cluster wins');
      assert.equal(prod.namespace, 'default');
      assert.equal(selectContext(kc, 'dev').namespace, 'team-a');
    },
  );
});

test('no kubeconfig at all, or no current context, are explained', () => {
  withKubeconfig({}, (dir) => join(dir, 'none'), () => {
    assert.throws(() => loadKubeConfig(), (error: SshpodError) => /^no kubeconfig found/.test(error.message) && !!error.hint);
  });
  withKubeconfig({ a: kubeconfig('c', 'https://c.example', 'only', undefined) }, (dir) => join(dir, 'a'), () => {
    assert.throws(() => selectContext(loadKubeConfig(), undefined), {
      message: 'your kubeconfig has no current context',
      hint: 'add context--NAME to the hostname (one of: only) or run: kubectl config use-context NAME',
    });
  });
});

test('a kubeconfig that is not YAML names the file', () => {
  withKubeconfig({ bad: 'clusters: [unclosed' }, (dir) => join(dir, 'bad'), () => {
    assert.throws(() => loadKubeConfig(), { message: /^cannot read your kubeconfig \(.*bad\): unexpected end of the stream within a flow collection \(2:1\)$/ });
  });
});

test('an exec plugin path with a directory part is relative to its kubeconfig file; a bare name stays for PATH', () => {
  const users = [
    "users: [{name: rel, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: ./bin/get-token}}},",
    "        {name: bare, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: aws, args: [eks, get-token]}}},",
    "        {name: abs, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: /opt/plugin}}}]",
  ].join('\n');
  const text = ['apiVersion: v1', 'kind: Config', 'clusters: [{name: c, cluster: {server: "https://a.example"}}]', users, 'contexts: [{name: x, context: {cluster: c, user: rel}}]', 'current-context: x'].join('\n');
  let dir = '';
  withKubeconfig(
    { config: text },
    (d) => {
      dir = d;
      return join(d, 'config');
    },
    () => {
      const commands = Object.fromEntries(loadKubeConfig().getUsers().map((u) => [u.name, (u.exec as { command: string }).command]));
      assert.deepEqual(commands, { rel: join(dir, 'bin', 'get-token'), bare: 'aws', abs: '/opt/plugin' });
    },
  );
});
