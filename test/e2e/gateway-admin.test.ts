// The gateway as a cluster administrator runs it, with deploy/gateway/'s rights and nothing more:
// users from a ConfigMap or a Secret (`--users configmap/NS/NAME`, `secret/NS/NAME`) that a team edits
// with the API — a key removed there stops working without a restart — and `--authorization static`,
// where the gateway reaches pods with its own identity for people the cluster gives no rights at all,
// within the allow-lists of the users file.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { container, e2eSkipReason, hasStackTrace, pod, startE2E, type E2E } from './harness.ts';
import { GATEWAY_SA, startGateway, type Person } from './gateway-fixture.ts';
import { gatewayServiceAccountRules } from './gateway-rbac.ts';
import { kubectl } from '../cluster/compat/helpers.ts';
import { join } from 'node:path';

type Gateway = Awaited<ReturnType<typeof startGateway>>;

const NS = 'sshpod-gateway';
const NAME = 'sshpod-gateway-users';

describe('sshpod gateway: users in the cluster, static authorisation', { skip: e2eSkipReason() }, () => {
  let e: E2E;
  const gateways: Gateway[] = [];

  /** The users object as kubectl applies it (a ConfigMap, or a Secret with stringData). */
  const applyUsers = async (kind: 'ConfigMap' | 'Secret', yaml: string): Promise<void> => {
    const object = { apiVersion: 'v1', kind, metadata: { name: NAME, namespace: NS }, [kind === 'Secret' ? 'stringData' : 'data']: { 'users.yaml': yaml } };
    const result = await kubectl(e.cluster.kubeconfigPath, join(e.home, '.kube', 'cache'), ['apply', '-f', '-'], { input: JSON.stringify(object) });
    assert.equal(result.code, 0, result.stderr);
  };
  const usersYaml = (people: Record<string, string[]>, extra = ''): string =>
    `users:\n${Object.entries(people)
      .map(([name, keys]) => `  ${name}:\n    keys: [${keys.map((k) => JSON.stringify(k)).join(', ')}]\n    default: pod--api.namespace--team\n${extra}`)
      .join('')}`;

  before(async () => {
    e = await startE2E({
      objects: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
        pod('api', { containers: [container('main', 'busybox')] }, { namespace: 'team' }),
        pod('other', { containers: [container('main', 'busybox')] }, { namespace: 'team' }),
      ],
    });
    // The gateway may do what deploy/gateway/ lets it do (its users object: get, by name), nothing else.
    e.cluster.deny({ user: GATEWAY_SA });
    for (const rule of gatewayServiceAccountRules(GATEWAY_SA)) e.cluster.allow(rule);
    e.cluster.deny({ user: 'alice' });
    e.cluster.allow({ user: 'alice', namespace: 'team' });
    // sam has no rights in the cluster at all: static mode reaches pods for him all the same.
    e.cluster.deny({ user: 'sam' });
  });
  after(async () => {
    for (const gw of gateways) await gw.stop();
    await e?.stop();
  });

  for (const kind of ['ConfigMap', 'Secret'] as const) {
    test(`users in a ${kind}: a key added works, a key removed stops working, without a restart`, async () => {
      await applyUsers(kind, 'users: {}\n');
      const gw = await startGateway(e.cluster, { people: ['alice'], users: () => 'users: {}\n', extraArgs: ['--users', `${kind.toLowerCase()}/${NS}/${NAME}`] });
      gateways.push(gw);
      const loaded = await gw.waitForAudit('first load', (r) => r.event === 'users-loaded');
      assert.equal(loaded['source'], `${kind.toLowerCase()} ${NS}/${NAME}`);
      assert.equal(loaded['users'], 0);
      const pid = gw.process.pid;
      const first = gw.keys['alice'] as { key: string; publicKey: string };
      const second = gw.newKey('alice-second');
      const loads = (): number => gw.audit().filter((r) => r.event === 'users-loaded').length;

      let before = loads();
      await applyUsers(kind, usersYaml({ alice: [first.publicKey, second.publicKey] }));
      await gw.waitForAudit('two keys', () => loads() > before);
      const withSecond: Person = gw.person('alice', second);
      const yes = await withSecond.ssh(['-J', 'gw', 'root@pod--api.namespace--team.sshpod', 'echo yes']);
      assert.equal(yes.code, 0, yes.stderr);
      assert.equal(yes.stdout, 'yes\n');

      before = loads();
      await applyUsers(kind, usersYaml({ alice: [first.publicKey] }));
      await gw.waitForAudit('one key', () => loads() > before);
      const no = await withSecond.ssh(['gw', 'true']);
      assert.equal(no.code, 255);
      assert.match(no.stderr, /Permission denied \(publickey\)/);
      const still = await gw.person('alice').ssh(['gw', 'echo still']);
      assert.equal(still.stdout, 'still\n', still.stderr);
      assert.equal(gw.process.pid, pid);
      assert.equal(gw.process.exitCode, null);

      // A change that does not parse keeps the users as they were.
      await applyUsers(kind, 'users: [not a mapping');
      await gw.waitForAudit('reload failure', (r) => r.event === 'users-reload-failed');
      assert.equal((await gw.person('alice').ssh(['gw', 'echo kept'])).stdout, 'kept\n');
      // The users object was read with the gateway's own identity, never impersonating.
      const reads = e.cluster.requests({ resource: kind === 'Secret' ? 'secrets' : 'configmaps', namespace: NS, user: GATEWAY_SA });
      assert.ok(reads.length > 0 && reads.every((r) => r.verb === 'get' && !r.impersonatedBy && r.code === 200));
      await gw.stop();
    });
  }

  test('a users object the gateway may not read stops it at start with a clear message', async () => {
    const gw = startGateway(e.cluster, { people: ['alice'], users: () => 'users: {}\n', extraArgs: ['--users', `configmap/team/${NAME}`] });
    await assert.rejects(gw, (error: Error) => {
      assert.match(error.message, /sshpod: not allowed to get configmaps "sshpod-gateway-users" in namespace "team": .*forbidden.*\n/);
      assert.match(error.message, /^hint: give the gateway's own identity get on configmaps "sshpod-gateway-users" in namespace "team"/m);
      assert.ok(!hasStackTrace(error.message));
      return true;
    });
  });

  describe('--authorization static', () => {
    let gw: Gateway;
    before(async () => {
      gw = await startGateway(e.cluster, {
        people: ['sam'],
        users: (keys) => `users:\n  sam:\n    keys: ["${keys['sam']}"]\n    default: pod--api.namespace--team\n    allow: ["pod--api.namespace--team", "*.namespace--elsewhere"]\n`,
        extraArgs: ['--authorization', 'static'],
      });
      gateways.push(gw);
    });

    test('a person the cluster gives nothing reaches what the allow-list names, through the gateway\'s identity', async () => {
      e.cluster.clearRequests();
      const sam = gw.person('sam');
      const jump = await sam.ssh(['-J', 'gw', 'root@pod--api.namespace--team.sshpod', 'hostname']);
      assert.equal(jump.code, 0, jump.stderr);
      assert.equal(jump.stdout, 'api\n');
      const shell = await sam.ssh(['gw', 'echo "in $(hostname)"']);
      assert.equal(shell.stdout, 'in api\n', shell.stderr);
      const forwards = e.cluster.requests({ subresource: 'portforward', namespace: 'team' });
      assert.ok(forwards.length > 0 && forwards.every((r) => r.user === GATEWAY_SA && !r.impersonatedBy));
      assert.equal(e.cluster.requests({ user: 'sam' }).length, 0);
    });

    test('what the allow-list does not name is refused before the cluster is asked', async () => {
      e.cluster.clearRequests();
      const sam = gw.person('sam');
      const result = await sam.ssh(['-J', 'gw', 'root@pod--other.namespace--team.sshpod', 'true']);
      assert.equal(result.code, 255);
      assert.match(result.stderr, /sshpod: gateway user "sam" may not reach pod--other\.namespace--team/);
      assert.match(result.stderr, /hint: ask the gateway's administrator to add it to your allow list/);
      assert.ok(!hasStackTrace(result.stderr));
      assert.equal(e.cluster.requests({ namespace: 'team' }).length, 0);
      await gw.waitForAudit('target-failed', (r) => r.event === 'target-failed' && r['kind'] === 'forbidden' && r['user'] === 'sam');
    });
  });
});
