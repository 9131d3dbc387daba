// The workstation's I/O against a scripted API: the TokenRequest sshpod sends (bound to the pod,
// the template's lifetime), the kubeconfig written through one exec (and nothing of it in the
// command line), renewal at four fifths of the token's life until stop(), and refusals in words.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { apiError } from '../../src/kube/api-error.ts';
import { SshpodError } from '../../src/errors.ts';
import { startWorkstation } from '../../src/ondemand/workstation-token.ts';
import { IN_CLUSTER_SERVER } from '../../src/ondemand/workstation.ts';
import { FakeSocket, fakeApi } from '../reach/fake-api.ts';

const POD = { namespace: 'team', pod: 'sshpod-kubectl-abcde', podUid: 'uid-1', container: 'kubectl', template: 'kubectl', user: 'alice' };
const OPTIONS = { serviceAccount: 'alice-ws', server: 'in-cluster', tokenSeconds: 600 };
const TOKEN_PATH = '/api/v1/namespaces/team/serviceaccounts/alice-ws/token';
const CA_PATH = '/api/v1/namespaces/team/configmaps/kube-root-ca.crt';
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function scripted(options: { token?: () => Promise<unknown>; exitCode?: number } = {}) {
  const bodies: unknown[] = [];
  const written: string[] = [];
  const commands: string[][] = [];
  let issued = 0;
  const api = fakeApi({
    get: {
      [CA_PATH]: { data: { 'ca.crt': PEM } },
      [TOKEN_PATH]:
        options.token ??
        (async () => ({ status: { token: `token-${++issued}`, expirationTimestamp: new Date(Date.now() + 600_000).toISOString() } })),
    },
    upgrade(_path, query) {
      commands.push(query.getAll('command'));
      const socket = new FakeSocket('v5.channel.k8s.io');
      const send = socket.send.bind(socket);
      socket.send = (data: Buffer, callback?: (error?: Error) => void) => {
        send(data, callback);
        if (data[0] !== 0) return;
        written.push(data.subarray(1).toString('utf8'));
        setImmediate(() => {
          if ((options.exitCode ?? 0) === 0) {
            socket.frame(1, 'written\n');
            socket.frame(3, JSON.stringify({ status: 'Success' }));
          } else {
            socket.frame(2, 'mv: not found\n');
            socket.frame(3, JSON.stringify({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(options.exitCode) }] } }));
          }
          socket.close();
        });
      };
      return socket;
    },
  });
  const request = api.request.bind(api);
  api.request = async <T>(method: string, path: string, operation: never, o?: { body?: unknown }): Promise<T> => {
    if (path === TOKEN_PATH) bodies.push(o?.body);
    return request<T>(method as 'GET', path, operation, o as never);
  };
  return { api, bodies, written, commands };
}

test('first delivery: a token bound to the pod, the kubeconfig through stdin, renewed at four fifths of its life', async () => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: Date.parse('2026-01-01T00:00:00Z') });
  try {
    const { api, bodies, written, commands } = scripted();
    const workstation = await startWorkstation(api, POD, OPTIONS);
    assert.deepEqual(bodies[0], {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: 600, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'sshpod-kubectl-abcde', uid: 'uid-1' } },
    });
    assert.equal(written.length, 1);
    const config = JSON.parse(written[0] ?? '') as { clusters: Array<{ cluster: Record<string, string> }>; users: Array<{ user: { token: string } }> };
    assert.equal(config.users[0]?.user.token, 'token-1');
    assert.equal(config.clusters[0]?.cluster['server'], IN_CLUSTER_SERVER);
    assert.equal(Buffer.from(config.clusters[0]?.cluster['certificate-authority-data'] ?? '', 'base64').toString(), PEM);
    assert.ok(!commands[0]?.join(' ').includes('token-1'), 'the token is never in the command line');
    assert.equal(workstation.expires.toISOString(), '2026-01-01T00:10:00.000Z');

    mock.timers.tick(479_000);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(bodies.length, 1, 'not yet');
    mock.timers.tick(1_000);
    for (let i = 0; i < 10 && written.length < 2; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(bodies.length, 2, 'renewed at 480 s');
    assert.equal((JSON.parse(written[1] ?? '') as { users: Array<{ user: { token: string } }> }).users[0]?.user.token, 'token-2');

    workstation.stop();
    mock.timers.tick(3_600_000);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(bodies.length, 2, 'nothing after stop()');
  } finally {
    mock.timers.reset();
  }
});

test('refusals: no right to request the token, no such account, no way to write the file', async () => {
  const refused = scripted({
    token: async () => {
      throw apiError(403, JSON.stringify({ message: 'serviceaccounts "alice-ws" is forbidden: User "alice" cannot create resource "serviceaccounts/token" in API group "" in the namespace "team"' }), { verb: 'create', resource: 'serviceaccounts/token', namespace: 'team', name: 'alice-ws' }, 'eu');
    },
  });
  await assert.rejects(startWorkstation(refused.api, POD, OPTIONS), (error: unknown) => {
    assert.ok(error instanceof SshpodError);
    assert.equal(error.kind, 'forbidden');
    assert.match(error.message, /^template "kubectl" needs a token for ServiceAccount "alice-ws" in namespace "team", and you may not request one: serviceaccounts "alice-ws" is forbidden/);
    assert.match(error.hint ?? '', /create on serviceaccounts\/token with resourceNames \[alice-ws\] in namespace "team"/);
    return true;
  });
  const missing = scripted({
    token: async () => {
      throw apiError(404, JSON.stringify({ message: 'serviceaccounts "alice-ws" not found' }), { verb: 'create', resource: 'serviceaccounts/token', namespace: 'team', name: 'alice-ws' }, 'eu');
    },
  });
  await assert.rejects(startWorkstation(missing.api, POD, OPTIONS), /template "kubectl" acts as ServiceAccount "alice-ws" in namespace "team", which does not exist/);
  const noToken = scripted({ token: async () => ({ status: {} }) });
  await assert.rejects(startWorkstation(noToken.api, POD, OPTIONS), /without a token/);
  const broken = scripted({ exitCode: 127 });
  await assert.rejects(startWorkstation(broken.api, POD, OPTIONS), (error: unknown) => error instanceof SshpodError && error.kind === 'container' && /could not write the kubeconfig into pod "sshpod-kubectl-abcde" \(container "kubectl"\): mv: not found/.test(error.message));
});
