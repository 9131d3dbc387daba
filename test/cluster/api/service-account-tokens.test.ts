// TokenRequest and the ServiceAccount token authenticator, against the in-process registry: what
// kube-apiserver issues, refuses, accepts and stops accepting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Store } from './store.ts';
import { Registry } from './registry.ts';
import { statusOf } from '../testing.ts';
import { resourceByName, type ResourceType } from './resources.ts';
import { ServiceAccountTokens } from './service-account-tokens.ts';

const pods = resourceByName('pods') as ResourceType;
const namespaces = resourceByName('namespaces') as ResourceType;
const serviceAccounts = resourceByName('serviceaccounts') as ResourceType;

interface Issued {
  status: { token: string; expirationTimestamp: string };
  spec: { expirationSeconds: number; audiences: string[] };
}

function setup(): { registry: Registry; tokens: ServiceAccountTokens; clock: { now: number }; podUid: string } {
  const registry = new Registry(new Store());
  registry.create(namespaces, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
  registry.create(serviceAccounts, 'team', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'alice' } });
  const pod = registry.create(pods, 'team', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ws' }, spec: { serviceAccountName: 'alice', containers: [{ name: 'c', image: 'busybox' }] } });
  const clock = { now: Date.parse('2026-01-01T00:00:00Z') };
  return { registry, tokens: new ServiceAccountTokens(registry, () => clock.now), clock, podUid: pod.metadata.uid };
}

function boundRequest(uid: string, seconds = 600, name = 'ws'): object {
  return { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: seconds, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name, uid } } };
}

test('a pod-bound token: issued with its expiry, accepted as the ServiceAccount, with its groups', () => {
  const { tokens, podUid, clock } = setup();
  const issued = tokens.issue('team', 'alice', boundRequest(podUid)) as unknown as Issued;
  assert.equal(issued.spec.expirationSeconds, 600);
  assert.equal(issued.status.expirationTimestamp, '2026-01-01T00:10:00Z');
  assert.equal(issued.status.token.split('.').length, 3, 'a JWT');
  const claims = JSON.parse(Buffer.from(issued.status.token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
  assert.equal(claims['sub'], 'system:serviceaccount:team:alice');
  assert.deepEqual((claims['kubernetes.io'] as { pod: object }).pod, { name: 'ws', uid: podUid });
  assert.deepEqual(tokens.authenticate(issued.status.token), { name: 'system:serviceaccount:team:alice', groups: ['system:serviceaccounts', 'system:serviceaccounts:team'] });
  clock.now += 599_000;
  assert.ok(tokens.authenticate(issued.status.token), 'valid until its expiry');
  clock.now += 1000;
  assert.equal(tokens.authenticate(issued.status.token), undefined, 'not after it');
});

test('a bound token stops working once its pod is gone, even if a pod of that name comes back', () => {
  const { registry, tokens, podUid } = setup();
  const token = (tokens.issue('team', 'alice', boundRequest(podUid)) as unknown as Issued).status.token;
  registry.delete(pods, 'team', 'ws', { gracePeriodSeconds: 0 });
  assert.equal(tokens.authenticate(token), undefined);
  registry.create(pods, 'team', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ws' }, spec: { serviceAccountName: 'alice', containers: [{ name: 'c', image: 'busybox' }] } });
  assert.equal(tokens.authenticate(token), undefined, 'another uid');
});

test('a token stops working when its ServiceAccount is deleted', () => {
  const { registry, tokens } = setup();
  const token = (tokens.issue('team', 'alice', {}) as unknown as Issued).status.token;
  assert.ok(tokens.authenticate(token), 'an unbound token, default lifetime');
  registry.delete(serviceAccounts, 'team', 'alice');
  assert.equal(tokens.authenticate(token), undefined);
});

test('refusals as kube-apiserver words them', () => {
  const { registry, tokens, podUid } = setup();
  const short = statusOf(() => tokens.issue('team', 'alice', boundRequest(podUid, 599)));
  assert.equal(short.code, 422);
  assert.match(short.message ?? '', /spec\.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes/);
  assert.equal(statusOf(() => tokens.issue('team', 'bob', boundRequest(podUid))).message, 'serviceaccounts "bob" not found');
  assert.equal(statusOf(() => tokens.issue('team', 'alice', boundRequest(podUid, 600, 'nope'))).code, 404);
  const stale = statusOf(() => tokens.issue('team', 'alice', boundRequest('0000')));
  assert.equal(stale.code, 409);
  assert.match(stale.message ?? '', /the UID in the bound object reference \(0000\) does not match/);
  registry.create(serviceAccounts, 'team', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'bob' } });
  const other = statusOf(() => tokens.issue('team', 'bob', boundRequest(podUid)));
  assert.equal(other.code, 400);
  assert.equal(other.message, 'cannot bind token for serviceaccount "bob" to pod running with different serviceaccount name.');
});

test('forged, altered or foreign tokens are nobody', () => {
  const { tokens, registry, podUid } = setup();
  const token = (tokens.issue('team', 'alice', boundRequest(podUid)) as unknown as Issued).status.token;
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { sub: string };
  claims.sub = 'system:serviceaccount:team:admin';
  assert.equal(tokens.authenticate(`${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`), undefined);
  assert.equal(tokens.authenticate('not-a-jwt'), undefined);
  assert.equal(new ServiceAccountTokens(registry).authenticate(token), undefined, "another cluster's key");
  const audience = (tokens.issue('team', 'alice', { spec: { audiences: ['vault'] } }) as unknown as Issued).status.token;
  assert.equal(tokens.authenticate(audience), undefined, 'a token for another audience is not for the API server');
});

test('the ServiceAccount admission check: a pod naming a missing account is refused', () => {
  const { registry } = setup();
  const refused = statusOf(() => registry.create(pods, 'team', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: { serviceAccountName: 'ghost', containers: [{ name: 'c', image: 'busybox' }] } }));
  assert.equal(refused.code, 403);
  assert.equal(refused.message, 'pods "x" is forbidden: error looking up service account team/ghost: serviceaccount "ghost" not found');
});
