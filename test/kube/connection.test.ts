// ApiConnection's JSON requests over kept-alive connections: a request written on a socket the
// server had closed while it sat idle is sent once more on a new connection; a reset of a fresh
// connection is an error, not a retry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { ApiConnection } from '../../src/kube/connection.ts';
import { selectContext } from '../../src/kube/kubeconfig.ts';
import { SshpodError } from '../../src/errors.ts';

const OK = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\nConnection: keep-alive\r\n\r\n{"ok":true}';

/** A server that answers each connection's requests with `answer(connection, request)`: true answers, false resets. */
async function server(answer: (connection: number, request: number) => boolean): Promise<{ stop: () => void; port: number; connections: () => number }> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const s = createServer((socket) => {
    const connection = ++connections;
    sockets.add(socket);
    let requests = 0;
    socket.on('data', (chunk) => {
      if (!chunk.toString('latin1').includes('\r\n\r\n')) return;
      if (answer(connection, ++requests)) socket.write(OK);
      else socket.resetAndDestroy();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const stop = (): void => {
    s.close();
    for (const socket of sockets) socket.destroy();
  };
  return { stop, port: (s.address() as { port: number }).port, connections: () => connections };
}

async function connect(port: number): Promise<ApiConnection> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return ApiConnection.open(selectContext(kubeConfig, 'x'), { timeoutMs: 5000 });
}

test('a request on a kept-alive socket the server closed goes out again on a new connection', async () => {
  // The first connection answers one request, then drops the next one unread, as a server does
  // whose idle timeout ran out as the request arrived.
  const s = await server((connection, request) => connection > 1 || request === 1);
  try {
    const api = await connect(s.port);
    assert.deepEqual(await api.get('/api/v1/namespaces/a/pods/p', { verb: 'get', resource: 'pods', namespace: 'a', name: 'p' }), { ok: true });
    assert.deepEqual(await api.request('DELETE', '/api/v1/namespaces/a/pods/p', { verb: 'delete', resource: 'pods', namespace: 'a', name: 'p' }), { ok: true });
    assert.equal(s.connections(), 2);
  } finally {
    s.stop();
  }
});

test('several pooled connections gone stale together: the request goes past each of them', async () => {
  const s = await server((connection, request) => connection > 2 || request === 1);
  try {
    const api = await connect(s.port);
    const get = { verb: 'get', resource: 'pods', namespace: 'a', name: 'p' } as const;
    await Promise.all([api.get('/api/v1/namespaces/a/pods/p', get), api.get('/api/v1/namespaces/a/pods/p', get)]);
    assert.equal(s.connections(), 2);
    assert.deepEqual(await api.get('/api/v1/namespaces/a/pods/p', get), { ok: true });
    assert.equal(s.connections(), 3);
  } finally {
    s.stop();
  }
});

test('a fresh connection that is reset is an error, sent once', async () => {
  const s = await server(() => false);
  try {
    const api = await connect(s.port);
    await assert.rejects(api.get('/api/v1/namespaces/a/pods/p', { verb: 'get', resource: 'pods', namespace: 'a', name: 'p' }), (error) => error instanceof SshpodError);
    assert.equal(s.connections(), 1);
  } finally {
    s.stop();
  }
});
